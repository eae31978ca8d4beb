"""Shared helpers for the python integration tests (stdlib only).

    from testlib import check, finish, FhirClient, version_of
    check('read answers 200', status == 200, body)
    ...
    finish()   # prints "N passed, M failed" and exits non-zero on a failure
"""
import http.client
import json
import re
import sys

_counts = {'passed': 0, 'failed': 0}


def check(name, condition, detail=''):
    """Records one assertion; prints the failing ones with their detail."""
    if condition:
        _counts['passed'] += 1
    else:
        _counts['failed'] += 1
        print(f'FAIL {name} {detail}'[:2000])
    return condition


def failures():
    return _counts['failed']


def finish():
    print(f"{_counts['passed']} passed, {_counts['failed']} failed")
    sys.exit(1 if _counts['failed'] else 0)


class FhirClient:
    """A keep-alive HTTPS connection to one mamori server (see mamori_server.py)."""

    def __init__(self, server, timeout=30, role='physician'):
        self.conn = http.client.HTTPSConnection('127.0.0.1', server.port,
                                                context=server.ssl_context(), timeout=timeout)
        # The test user's bearer token (mamori_server.py logs them in).
        self.auth = server.auth_header(role) if hasattr(server, 'auth_header') else {}

    def call(self, method, path, body=None, headers=None):
        """Returns (status, headers with lower-case names, body text)."""
        h = {'Accept': 'application/fhir+json'}
        h.update(self.auth)
        data = None
        if body is not None:
            h['Content-Type'] = 'application/fhir+json'
            data = json.dumps(body).encode('utf-8')
        h.update(headers or {})
        self.conn.request(method, path, body=data, headers=h)
        r = self.conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode('utf-8')

    def close(self):
        self.conn.close()


def version_of(etag):
    """W/"3" -> 3; anything else -> 0."""
    m = re.fullmatch(r'W/"(\d+)"', etag or '')
    return int(m.group(1)) if m else 0
