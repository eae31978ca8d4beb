#!/usr/bin/env python3
"""Search and Bulk Data export at the issue's scale (issue 5), bounded and on loopback.

A fresh encrypted data directory gets PATIENTS small Patients (default 100,000; 40 family names,
so a 3-letter prefix matches about 1 in 40) and OBSERVATIONS Observations (default 1,000,000;
20 LOINC codes, so a code matches 1 in 20; spread evenly over the first OBS_PATIENTS Patients,
default 10,000, so 100 each) through `mamori import` (timed: the index cost in create
throughput, and the database size). Then `mamori serve` answers REQUESTS (default 200)
sequential requests of each query on one keep-alive HTTPS connection, a page of 50, and prints
p50/p95/max; then a system client (private_key_jwt) runs `$export?_type=Observation` from
kick-off to the last downloaded byte and prints resources/s.

    bench/search/scale.py [MAMORI_BINARY]                       full scale (~10+ minutes of import)
    OBSERVATIONS=100000 PATIENTS=10000 bench/search/scale.py    the smaller run first
"""
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests'))
sys.dont_write_bytecode = True
MAMORI = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'build/src/cli/mamori')
sys.argv[1:] = [MAMORI]
from mamori_server import MamoriServer  # noqa: E402
import bulk_export_test as bx  # noqa: E402  (the test's private_key_jwt client)

OBSERVATIONS = int(os.environ.get('OBSERVATIONS', '1000000'))
PATIENTS = int(os.environ.get('PATIENTS', '100000'))
OBS_PATIENTS = min(PATIENTS, int(os.environ.get('OBS_PATIENTS', str(max(1, OBSERVATIONS // 100)))))
REQUESTS = int(os.environ.get('REQUESTS', '200'))
CODES = ['8302-2', '29463-7', '39156-5', '8867-4', '9279-1', '8480-6', '8462-4', '2339-0',
         '6299-2', '38483-4', '49765-1', '2947-0', '6298-4', '2069-3', '20565-8', '2093-3',
         '18262-6', '2085-9', '4548-4', '72514-3']
FAMILIES = ['Yamada', 'Suzuki', 'Tanaka', 'Watanabe', 'Ito', 'Nakamura', 'Kobayashi', 'Kato',
            'Yoshida', 'Yamaguchi', 'Matsumoto', 'Inoue', 'Kimura', 'Hayashi', 'Shimizu',
            'Yamazaki', 'Mori', 'Abe', 'Ikeda', 'Hashimoto', 'Yamashita', 'Ishikawa', 'Nakajima',
            'Maeda', 'Fujita', 'Ogawa', 'Goto', 'Okada', 'Hasegawa', 'Murakami', 'Kondo', 'Ishii',
            'Saito', 'Sakamoto', 'Endo', 'Aoki', 'Fujii', 'Nishimura', 'Fukuda', 'Ota']


def write_data(work):
    patients = os.path.join(work, 'patients.ndjson')
    with open(patients, 'w') as out:
        for i in range(PATIENTS):
            out.write(json.dumps({
                'resourceType': 'Patient', 'id': 'p%07d' % i,
                'name': [{'family': FAMILIES[i % len(FAMILIES)], 'given': ['Taro']}],
                'gender': 'female' if i % 2 else 'male',
                'birthDate': '%04d-%02d-%02d' % (1930 + i % 90, 1 + i % 12, 1 + i % 28)},
                separators=(',', ':')) + '\n')
    observations = os.path.join(work, 'observations.ndjson')
    with open(observations, 'w') as out:
        for i in range(OBSERVATIONS):
            code = CODES[i % len(CODES)]
            out.write(json.dumps({
                'resourceType': 'Observation', 'id': 'o%08d' % i, 'status': 'final',
                'category': [{'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/'
                                          'observation-category', 'code': 'vital-signs'}]}],
                'code': {'coding': [{'system': 'http://loinc.org', 'code': code}]},
                'subject': {'reference': 'Patient/p%07d' % (i % OBS_PATIENTS)},
                'effectiveDateTime': '20%02d-%02d-%02dT09:00:00Z' % (10 + i % 15, 1 + i % 12,
                                                                      1 + i % 28),
                'valueQuantity': {'value': 50 + i % 100, 'unit': 'kg',
                                  'system': 'http://unitsofmeasure.org', 'code': 'kg'}},
                separators=(',', ':')) + '\n')
    return patients, observations


def latency(server, name, path):
    conn = http.client.HTTPSConnection('127.0.0.1', server.port, context=server.ssl_context(),
                                       timeout=120)
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
    conn.close()
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print(f'{name}: p50 {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms, max {times[-1]:.1f} ms '
          f'({entries} entries of total {total})', flush=True)


def export(server, key):
    """Kick-off to last byte, as a bulk client that stores the files (lines counted, not parsed;
    the correctness of the files is the bulk_export test's)."""
    client = bx.FhirClient(server, timeout=600)
    client.auth = {'Authorization': 'Bearer ' + bx.system_token(server, key, 'bench')}
    t = time.monotonic()
    status, headers, _ = client.call('GET', '/fhir/$export?_type=Observation',
                                     headers={'Prefer': 'respond-async'})
    where = headers['content-location']
    where = where[where.index('/fhir/'):]
    while True:
        status, _, body = client.call('GET', where)
        if status != 202:
            break
        time.sleep(0.02)
    manifest = json.loads(body)
    lines = 0
    for out in manifest['output']:
        client.conn.request('GET', out['url'][out['url'].index('/fhir/'):], headers=client.auth)
        r = client.conn.getresponse()
        lines += r.read().count(b'\n')
    secs = time.monotonic() - t
    client.close()
    print(f'$export Observation: {lines} resources in {len(manifest["output"])} files, '
          f'{secs:.1f} s kick-off to last byte = {lines / secs:,.0f} resources/s', flush=True)


def main():
    work = tempfile.mkdtemp(prefix='mamori-bench-scale-')
    patients, observations = write_data(work)
    raw = os.path.getsize(patients) + os.path.getsize(observations)
    print(f'data: {PATIENTS} Patients, {OBSERVATIONS} Observations over {OBS_PATIENTS} patients, '
          f'{raw / 1e6:.1f} MB NDJSON', flush=True)
    with MamoriServer(MAMORI) as server:
        server.stop()
        key, jwk = bx.rsa_key(server.tmp)
        with open(os.path.join(server.tmp, 'bench.jwk'), 'w') as f:
            json.dump(jwk, f)
        subprocess.run([MAMORI, 'client', 'add', '--data-dir', server.data_dir, '--id', 'bench',
                        '--name', 'bench', '--jwk-file', os.path.join(server.tmp, 'bench.jwk'),
                        '--scope', 'system/*.rs'], check=True, env=server.env,
                       stdin=subprocess.DEVNULL, capture_output=True)
        t = time.monotonic()
        subprocess.run([MAMORI, 'import', '--data-dir', server.data_dir, patients, observations],
                       check=True, env=server.env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL)
        secs = time.monotonic() - t
        n = PATIENTS + OBSERVATIONS
        db = os.path.getsize(os.path.join(server.data_dir, 'mamori.db'))
        print(f'import: {n} resources in {secs:.1f} s = {n / secs:,.0f} resources/s; database '
              f'{db / 1e6:.1f} MB = {db / raw:.2f}x the NDJSON (WAL not checkpointed)', flush=True)
        server.start()
        latency(server, 'token: Observation?code=8302-2',
                '/fhir/Observation?code=http://loinc.org|8302-2&_count=50')
        latency(server, 'patient-scoped: Observation?subject=Patient/p0000040',
                '/fhir/Observation?subject=Patient/p0000040&_count=50')
        latency(server, 'name prefix: Patient?family=wat', '/fhir/Patient?family=wat&_count=50')
        latency(server, 'token + sort: Observation?code=8302-2&patient=…&_sort=-date',
                '/fhir/Observation?code=http://loinc.org|8302-2&patient=p0000040&_sort=-date'
                '&_count=50')
        export(server, key)
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(server.tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
