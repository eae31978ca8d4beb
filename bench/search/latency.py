#!/usr/bin/env python3
"""Search latency (issue 5), bounded and on loopback: a fresh encrypted data directory gets the
11 Synthea bundles COPIES times (default 20: 61,720 resources, 41,360 Observations) and
PATIENTS small Patients (default 20,000) through `mamori import`; then `mamori serve` answers,
on one keep-alive HTTPS connection, REQUESTS (default 200) sequential requests of each query
below, a page of 50. Prints p50/p95/max in ms and the matches per query.

    bench/search/latency.py [MAMORI_BINARY]    (default build/src/cli/mamori)
"""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests'))
sys.dont_write_bytecode = True
from mamori_server import MamoriServer  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'build/src/cli/mamori')
COPIES = int(os.environ.get('COPIES', '20'))
PATIENTS = int(os.environ.get('PATIENTS', '20000'))
REQUESTS = int(os.environ.get('REQUESTS', '200'))
# Rudolf Weber, copy 0 (bench/fhir_load/synthea_ndjson.py ids: first 28 chars + "-0000").
RUDOLF = '806be451-d26f-436c-829c-9da9-0000'
QUERIES = [
    ('token: Observation?code=8302-2', '/fhir/Observation?code=http://loinc.org|8302-2&_count=50'),
    ('patient-scoped: Observation?subject=…', f'/fhir/Observation?subject=Patient/{RUDOLF}&_count=50'),
    ('compartment: Patient/…/Observation', f'/fhir/Patient/{RUDOLF}/Observation?_count=50'),
    ('name prefix: Patient?family=wat', '/fhir/Patient?family=wat&_count=50'),
    ('token + date: Observation?code=…&date=ge2015', '/fhir/Observation?code=29463-7&date=ge2015&_count=50'),
]


def small_patients(path, n):
    fam = ["Yamada", "Suzuki", "Tanaka", "Watanabe", "Ito", "Nakamura", "Kobayashi", "Kato"]
    with open(path, 'w') as out:
        for i in range(1, n + 1):
            out.write(json.dumps({
                'resourceType': 'Patient', 'id': 'p%07d' % i, 'active': True,
                'identifier': [{'system': 'urn:oid:1.2.392.100495.20.3.51.11311234567',
                                'value': 'run-1-%d' % i}],
                'name': [{'use': 'official', 'family': fam[i % 8], 'given': ['Taro']}],
                'gender': 'female' if i % 2 == 0 else 'male',
                'birthDate': '%04d-%02d-%02d' % (1930 + i % 90, 1 + i % 12, 1 + i % 28)}) + '\n')


def main():
    work = tempfile.mkdtemp(prefix='mamori-bench-search-')
    subprocess.run([sys.executable, os.path.join(HERE, '..', 'fhir_load', 'synthea_ndjson.py'),
                    str(COPIES), os.path.join(work, 'synthea.ndjson')], check=True)
    small_patients(os.path.join(work, 'patients.ndjson'), PATIENTS)
    with MamoriServer(MAMORI) as server:
        server.stop()
        t = time.monotonic()
        subprocess.run([MAMORI, 'import', '--data-dir', server.data_dir,
                        os.path.join(work, 'synthea.ndjson'), os.path.join(work, 'patients.ndjson')],
                       check=True, env=server.env, stdin=subprocess.DEVNULL)
        print(f'import: {time.monotonic() - t:.1f} s')
        server.start()
        conn = http.client.HTTPSConnection('127.0.0.1', server.port, context=server.ssl_context(),
                                           timeout=60)
        for name, path in QUERIES:
            times, total, entries = [], None, 0
            for _ in range(REQUESTS):
                t = time.perf_counter()
                conn.request('GET', path, headers={'Accept': 'application/fhir+json',
                                                   **server.auth_header()})
                r = conn.getresponse()
                body = r.read()
                times.append((time.perf_counter() - t) * 1000)
                if r.status != 200:
                    sys.exit(f'{name}: HTTP {r.status} {body[:300]!r}')
                doc = json.loads(body)
                total, entries = doc.get('total'), len(doc.get('entry', []))
            times.sort()
            p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
            print(f'{name}: p50 {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms, max {times[-1]:.1f} ms '
                  f'({entries} entries of total {total})')
        db = os.path.getsize(os.path.join(server.data_dir, 'mamori.db'))
        print(f'database {db} B (before checkpoint)')
    subprocess.run(['rm', '-rf', work, server.tmp])


if __name__ == '__main__':
    main()
