#!/usr/bin/env python3
"""Issue 9 over the real binary and HTTPS, with the server running:

  1. GET /admin/assessment answers an administrator with the HTML report (Japanese by default,
     English with ?lang=en); an auditor gets 403, no token 401 (DESIGN invariant 1, SYS-46).
  2. The report's two-factor item names the test accounts that have recovery codes but no TOTP
     (SYS-41): evidence from the live sealed accounts.
  3. `mamori assess` reads the running installation (online copy) and makes a TLS handshake with
     the live listener (SYS-31).
Usage: compliance_integration_test.py MAMORI_BINARY
"""
import http.client
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mamori_server  # noqa: E402
from testlib import check, finish  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1])
mamori_server.TEST_USERS['administrator'] = 'it.admin'
mamori_server.TEST_POLICY += """[[role]]
name = "administrator"
administration = true
"""


def get(server, path, role=None):
    conn = http.client.HTTPSConnection('127.0.0.1', server.port, context=server.ssl_context(),
                                       timeout=60)
    try:
        conn.request('GET', path, headers=server.auth_header(role) if role else {})
        r = conn.getresponse()
        return r.status, r.getheader('Content-Type', ''), r.read().decode()
    finally:
        conn.close()


def main():
    with mamori_server.MamoriServer(MAMORI) as server:
        status, ctype, body = get(server, '/admin/assessment', 'administrator')
        check('an administrator gets the report', status == 200 and ctype.startswith('text/html'),
              f'{status} {ctype} {body[:200]}')
        check('the report is Japanese by default', '評価報告書' in body, body[:300])
        check('the two-factor evidence names an account without TOTP',
              '利用者 it.doctor（physician）は二要素認証が未登録です' in body, body[:300])
        status, _, body = get(server, '/admin/assessment?lang=en', 'administrator')
        check('?lang=en gives English', status == 200 and 'Compliance assessment report' in body
              and 'user it.doctor (physician) has no second factor enrolled' in body, body[:300])
        status, _, _ = get(server, '/admin/assessment', 'auditor')
        check('an auditor is refused', status == 403, str(status))
        status, _, _ = get(server, '/admin/assessment')
        check('no token: 401', status == 401, str(status))

        r = subprocess.run([MAMORI, 'assess', '--data-dir', server.data_dir, '--format', 'json',
                            '--lang', 'en', '--listen', f'127.0.0.1:{server.port}'],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
                           env=server.env)
        report = json.loads(r.stdout)
        tls = [p for p in report['probes'] if p['probe'] == 'tls'][0]
        check('assess shakes hands with the live listener',
              any(e.startswith(f'handshake with 127.0.0.1:{server.port}: TLSv1.3')
                  for e in tls['evidence']), str(tls))
        check('a failing required item (two-factor) exits 1', r.returncode == 1, r.stderr)
        two = [p for p in report['probes'] if p['probe'] == 'two-factor'][0]
        check('accounts were read from the running installation',
              two['outcome'] == 'fail' and any('it.auditor' in e for e in two['evidence']),
              str(two))
    finish()


main()
