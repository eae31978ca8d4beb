#!/usr/bin/env python3
"""bench/fhir_load: POST each FHIR transaction Bundle file to BASE_URL, one after another.

    post_bundles.py BASE_URL CA_PEM FILE...

Prints "resources N compact_bytes C file_bytes F seconds S": N resources in the Bundles,
C their JSON without whitespace (the raw JSON the database-size ratio is taken against),
F the files' bytes. Exits 1 unless every Bundle answers 200.
"""
import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse

# The benchmark user's bearer token (run.sh logs it in); the peer needs none.
AUTH = {'Authorization': 'Bearer ' + os.environ['FHIR_LOAD_TOKEN']} \
    if os.environ.get('FHIR_LOAD_TOKEN') else {}


def main():
    base, ca, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPSConnection(url.hostname, url.port,
                                       context=ssl.create_default_context(cafile=ca), timeout=120)
    n = compact = size = 0
    seconds = 0.0
    for path in files:
        raw = open(path, 'rb').read()
        size += len(raw)
        for entry in json.loads(raw).get('entry', []):
            n += 1
            compact += len(json.dumps(entry['resource'], separators=(',', ':'),
                                      ensure_ascii=False).encode())
        t0 = time.monotonic()
        conn.request('POST', url.path, body=raw, headers={'Content-Type': 'application/fhir+json', **AUTH})
        r = conn.getresponse()
        body = r.read()
        seconds += time.monotonic() - t0
        if r.status != 200:
            print(f'{path}: {r.status} {body[:300]!r}', file=sys.stderr)
            return 1
    print(f'resources {n} compact_bytes {compact} file_bytes {size} seconds {seconds:.3f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
