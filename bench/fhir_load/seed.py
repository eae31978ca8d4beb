#!/usr/bin/env python3
"""bench/fhir_load: create COUNT small Patients at BASE_URL and write their ids, one a line.

    seed.py BASE_URL COUNT OUT_FILE [--cafile CA_PEM] [--connections 4]

BASE_URL is the FHIR base (https://127.0.0.1:PORT/fhir or http://127.0.0.1:PORT/fhir/R4).
Keep-alive connections, each in its own thread; the id is taken from the response body.
Prints "seeded N bytes B" (B = request body bytes) and exits 1 if any create failed.
"""
import argparse
import http.client
import json
import os
import ssl
import sys
import threading
import urllib.parse

# The benchmark user's bearer token (run.sh logs it in); the peer needs none.
AUTH = {'Authorization': 'Bearer ' + os.environ['FHIR_LOAD_TOKEN']} \
    if os.environ.get('FHIR_LOAD_TOKEN') else {}


def body(i):
    return json.dumps({
        'resourceType': 'Patient',
        'identifier': [{'system': 'urn:oid:1.2.392.100495.20.3.51.11311234567',
                        'value': f'seed-{i}'}],
        'active': True,
        'name': [{'use': 'official', 'family': 'Seed', 'given': [f'S{i}']}],
        'gender': 'female' if i % 2 else 'male',
        'birthDate': f'{1930 + i % 90:04d}-{1 + i % 12:02d}-{1 + i % 28:02d}',
    }, separators=(',', ':')).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('base_url')
    ap.add_argument('count', type=int)
    ap.add_argument('out')
    ap.add_argument('--cafile')
    ap.add_argument('--connections', type=int, default=4)
    args = ap.parse_args()
    url = urllib.parse.urlsplit(args.base_url)
    path = url.path.rstrip('/') + '/Patient'
    ids, errors, sent = [], [], [0]
    lock = threading.Lock()

    def connect():
        if url.scheme == 'https':
            ctx = ssl.create_default_context(cafile=args.cafile)
            return http.client.HTTPSConnection(url.hostname, url.port, context=ctx, timeout=30)
        return http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    def worker(k):
        conn = connect()
        for i in range(k, args.count, args.connections):
            b = body(i)
            conn.request('POST', path, body=b, headers={'Content-Type': 'application/fhir+json', **AUTH})
            r = conn.getresponse()
            data = r.read()
            with lock:
                if r.status == 201:
                    ids.append(json.loads(data)['id'])
                    sent[0] += len(b)
                elif len(errors) < 5:
                    errors.append(f'{r.status} {data[:200]!r}')
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(args.out, 'w') as f:
        f.write('\n'.join(ids) + '\n')
    print(f'seeded {len(ids)} bytes {sent[0]}')
    if errors or len(ids) != args.count:
        print('seed errors: ' + '; '.join(errors), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
