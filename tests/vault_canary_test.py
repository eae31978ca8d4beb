#!/usr/bin/env python3
"""DESIGN invariants 4 and 5 (STYLE rule 30), issue 4 "What must be true": a canary patient
written over HTTP and another one imported with `mamori import` appear nowhere at rest or in logs.

  1. Over HTTPS: conditional create of a Patient whose family name, Japanese given name, identifier
     and address are random canaries; one update with If-Match; a read; an Observation whose note
     is a canary; a transaction Bundle with a canary patient; a rejected Patient whose bad values
     are canaries; a read with a canary in the query string. Log level debug.
  2. Every byte of every file under the data directory (database, -wal, -shm, key file, config,
     tls, lock) is scanned while the server runs, after it stops, after `mamori import` of an
     NDJSON file with a second canary patient plus a Synthea bundle, and at the end; so are the
     server's stderr and the import's stdout and stderr. No canary may appear: not as UTF-8, in
     any letter case, JSON-escaped, UTF-16, hex or base64.
  3. Positive controls: the scanner finds each canary in the NDJSON input, in a file holding it
     in lower case, in UTF-16 and in base64; it scanned the -wal while the server ran; the server
     returned the canaries it stored (so they really went in).
  4. The data directory is 0700 and every key file is 0600.
  5. With --postgres (issue 10): the records live in a throwaway PostgreSQL database
     (`mamori init --store postgres://...`); the scans then also cover a pg_dump of the database
     and every file of the PostgreSQL cluster directory (after a CHECKPOINT) and its log.
Usage: vault_canary_test.py MAMORI_BINARY [--postgres]
"""
import base64
import glob
import http.client
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402
from testlib import check, failures, finish  # noqa: E402
import pg_fixture  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1])
POSTGRES = '--postgres' in sys.argv[2:]
PG = pg_fixture.start_or_skip('vault_canary --postgres') if POSTGRES else None
PG_URL = PG.url('mamori') if PG else ''
DB_FILES = () if POSTGRES else ('mamori.db',)
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared')
SYNTHEA = sorted(glob.glob(os.path.join(SHARED, 'data', 'fhir', 'synthea', '*.json')))


def fhir(server, method, path, body=None, headers=None):
    """One HTTPS request; returns (status, headers as a dict, body text)."""
    conn = http.client.HTTPSConnection('127.0.0.1', server.port, context=server.ssl_context(),
                                       timeout=30)
    try:
        h = {'Accept': 'application/fhir+json'}
        if body is not None:
            h['Content-Type'] = 'application/fhir+json'
            body = json.dumps(body, ensure_ascii=False).encode('utf-8')
        h.update(server.auth_header())
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode('utf-8')
    finally:
        conn.close()


def hexes():
    return secrets.token_hex(8)


# Canaries: each is random, so a hit cannot be a coincidence.
CANARY = {
    'family': 'Canary' + hexes(),                 # mixed case: the scan is case-insensitive
    'given_ja': 'カナリア' + hexes() + '雀',        # non-ASCII: UTF-8, \\u escapes, UTF-16
    'identifier': 'CANARYID' + hexes(),
    'address': 'CanaryStreet ' + hexes(),
    'note': 'canary clinical note ' + hexes(),
    'tx_family': 'CanaryTx' + hexes(),
    'rejected': 'CanaryRejected' + hexes(),
    'query': 'CanaryQuery' + hexes(),
}
CANARY2 = {
    'family': 'CanaryImported' + hexes(),
    'given_ja': '輸入カナリア' + hexes(),
    'identifier': 'CANARYIMPORTID' + hexes(),
}
SYSTEM = 'urn:oid:1.2.392.100495.20.3.51.11318'


def needles(text):
    """Byte strings any of which, found in lower-cased file bytes, reveals `text`."""
    raw = text.encode('utf-8')
    out = {raw.lower(),
           json.dumps(text).strip('"').encode('ascii').lower(),   # \\u30ab... escapes
           text.encode('utf-16-le').lower(), text.encode('utf-16-be').lower(),
           raw.hex().encode('ascii')}
    for k in range(3):  # base64 at each of the 3 alignments, without the edge characters
        enc = base64.b64encode(b'\0' * k + raw)
        out.add(enc[(0, 2, 3)[k]:-4].lower())
    return {n for n in out if len(n) >= 12}


def scan_bytes(data):
    """Names of the canaries found in `data`."""
    low = data.lower()
    found = set()
    for group in (CANARY, CANARY2):
        for value in group.values():
            if any(n in low for n in needles(value)):
                found.add(value)
    return found


def scan_file(path):
    with open(path, 'rb') as f:
        return scan_bytes(f.read())


def scan_dir(root):
    """{relative path: canaries found} over every regular file under root."""
    result = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            if os.path.isfile(path):
                result[os.path.relpath(path, root)] = scan_file(path)
    return result


def check_scan(label, root, must_include=()):
    result = scan_dir(root)
    leaks = {p: sorted(f) for p, f in result.items() if f}
    check(f'{label}: no canary in any file of the data directory', not leaks, str(leaks))
    for name in (*DB_FILES, 'config.toml', 'mamori.lock', os.path.join('keys', 'master.key'),
                 os.path.join('tls', 'server.key'), os.path.join('tls', 'ca.pem'),
                 *must_include):
        check(f'{label}: scanned {name}', name in result, sorted(result))
    if PG:
        check_scan_postgres(label)
    return result


def check_scan_postgres(label):
    """The database as pg_dump sees it, and every file PostgreSQL keeps (heap, WAL, log)."""
    PG.psql('mamori', 'CHECKPOINT')
    dump = PG.pg_dump('mamori')
    check(f'{label}: pg_dump holds the tables (control)',
          b'resource_version' in dump and b'ledger_leaf' in dump, str(len(dump)))
    found = scan_bytes(dump)
    check(f'{label}: no canary in the pg_dump of the database', not found, str(found))
    result = scan_dir(PG.root)
    leaks = {p: sorted(f) for p, f in result.items() if f}
    check(f'{label}: no canary in any file of the PostgreSQL cluster', not leaks, str(leaks))
    check(f'{label}: scanned the cluster\'s WAL and log (control)',
          any(p.startswith(os.path.join('data', 'pg_wal')) for p in result)
          and 'server.log' in result, str(len(result)))
    return dump


def check_modes(label, data_dir):
    mode = stat.S_IMODE(os.stat(data_dir).st_mode)
    check(f'{label}: data directory is 0700', mode == 0o700, oct(mode))
    keys = glob.glob(os.path.join(data_dir, 'keys', '*')) + \
        glob.glob(os.path.join(data_dir, 'tls', '*.key'))
    check(f'{label}: key files exist', len(keys) >= 3, str(keys))
    for path in keys:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        check(f'{label}: {os.path.relpath(path, data_dir)} is 0600', mode == 0o600, oct(mode))


# --- Positive controls for the scanner itself.
ctl_dir = tempfile.mkdtemp(prefix='mamori-canary-ctl-')
ctl = os.path.join(ctl_dir, 'control')
for label, data in [('lower case', CANARY['family'].lower().encode()),
                    ('utf-8 japanese', ('x' + CANARY['given_ja'] + 'y').encode('utf-8')),
                    ('json escaped', json.dumps(CANARY['given_ja']).encode('ascii')),
                    ('utf-16', CANARY['identifier'].encode('utf-16-le')),
                    ('base64', base64.b64encode(b'ab' + CANARY['note'].encode()))]:
    with open(ctl, 'wb') as f:
        f.write(b'\0padding\0' + data + b'\0')
    check(f'control: the scanner finds a canary in {label}', scan_file(ctl), label)
with open(ctl, 'wb') as f:
    f.write(os.urandom(1 << 20))
check('control: random bytes hold no canary', not scan_file(ctl))

server = MamoriServer(MAMORI)
subprocess.run([MAMORI, 'init', '--data-dir', server.data_dir]
               + (['--store', PG_URL] if PG else []), check=True,
               stdin=subprocess.DEVNULL, capture_output=True, env=server.env, timeout=60)
config = os.path.join(server.data_dir, 'config.toml')
with open(config) as f:
    text = f.read()
with open(config, 'w') as f:  # debug: the most verbose logs must not leak either
    f.write(text.replace('level = "info"', 'level = "debug"'))
check('config asks for debug logs', 'level = "debug"' in open(config).read())
check_modes('after init', server.data_dir)

work = tempfile.mkdtemp(prefix='mamori-canary-import-')
try:
    server.start()
    # --- 1. Writes over HTTPS.
    patient = {'resourceType': 'Patient',
               'identifier': [{'system': SYSTEM, 'value': CANARY['identifier']}],
               'name': [{'family': CANARY['family'], 'given': [CANARY['given_ja']]}],
               'gender': 'female', 'birthDate': '1980-02-03'}
    st, h, body = fhir(server, 'POST', '/fhir/Patient', patient,
                       {'If-None-Exist': f'identifier={SYSTEM}|{CANARY["identifier"]}'})
    check('conditional create answers 201', st == 201, f'{st} {body[:300]}')
    pid = json.loads(body).get('id', '') if st == 201 else ''
    patient['id'] = pid
    patient['address'] = [{'line': [CANARY['address']], 'city': '東京都'}]
    st, h, body = fhir(server, 'PUT', f'/fhir/Patient/{pid}', patient, {'If-Match': 'W/"1"'})
    check('update with If-Match answers 200 with version 2', st == 200 and h.get('etag') == 'W/"2"',
          f'{st} {h.get("etag")} {body[:300]}')
    st, h, body = fhir(server, 'GET', f'/fhir/Patient/{pid}')
    check('read returns the canaries stored (positive control)',
          st == 200 and CANARY['family'] in body and CANARY['given_ja'] in body
          and CANARY['address'] in body, f'{st} {body[:300]}')
    st, h, body = fhir(server, 'POST', '/fhir/Patient', patient,
                       {'If-None-Exist': f'identifier={SYSTEM}|{CANARY["identifier"]}'})
    check('conditional create finds it by identifier: 200', st == 200, f'{st} {body[:300]}')
    obs = {'resourceType': 'Observation', 'status': 'final', 'code': {'text': 'note'},
           'subject': {'reference': f'Patient/{pid}'}, 'note': [{'text': CANARY['note']}]}
    st, h, body = fhir(server, 'POST', '/fhir/Observation', obs)
    check('observation with a canary note: 201', st == 201, f'{st} {body[:300]}')
    tx_patient = 'urn:uuid:0d6f3c59-8a7e-4b7a-9a55-7a3f2d1c0b01'
    bundle = {'resourceType': 'Bundle', 'type': 'transaction', 'entry': [
        {'fullUrl': tx_patient,
         'resource': {'resourceType': 'Patient', 'name': [{'family': CANARY['tx_family']}]},
         'request': {'method': 'POST', 'url': 'Patient'}},
        {'resource': dict(obs, subject={'reference': tx_patient}),
         'request': {'method': 'POST', 'url': 'Observation'}}]}
    st, h, body = fhir(server, 'POST', '/fhir', bundle)
    check('transaction with a canary patient: 200', st == 200, f'{st} {body[:300]}')
    bad = {'resourceType': 'Patient', 'name': [{'family': CANARY['rejected']}],
           'gender': CANARY['rejected'], 'birthDate': CANARY['rejected'],
           'unknownElement': CANARY['rejected']}
    st, h, body = fhir(server, 'POST', '/fhir/Patient', bad)
    check('invalid patient is refused with 4xx', 400 <= st < 500, f'{st} {body[:300]}')
    check('the error does not echo the submitted values (invariant 5)',
          CANARY['rejected'] not in body, body[:500])
    st, h, body = fhir(server, 'GET',
                       f'/fhir/Patient/{pid}?_elements=name&note={CANARY["query"]}')
    check('read with a canary in the query string answers 200', st == 200, f'{st} {body[:300]}')

    # Positive control for the search index (issue 5): the canaries are indexed (as keyed
    # hashes), so searches by each find the patient, and the scans below still find no
    # plaintext anywhere.
    from urllib.parse import quote
    for name, query in (('family', f'family={quote(CANARY["family"].upper())}'),
                        ('Japanese given name prefix', f'given={quote(CANARY["given_ja"][:6])}'),
                        ('identifier', f'identifier={quote(SYSTEM + "|" + CANARY["identifier"])}'),
                        ('address :contains', f'address:contains={quote(CANARY["address"][3:14])}')):
        st, h, body = fhir(server, 'GET', f'/fhir/Patient?{query}')
        ids = [e['resource']['id'] for e in json.loads(body).get('entry', [])] if st == 200 else []
        check(f'search by the canary {name} finds the patient (index control)', ids == [pid],
              f'{st} {ids} {body[:300]}')

    # --- 2. Scan while the server holds the database open (WAL not yet checkpointed).
    check_scan('while serving', server.data_dir,
               must_include=() if PG else ('mamori.db-wal', 'mamori.db-shm'))
    rc = server.stop()
    check('serve exits 0 on SIGTERM', rc == 0, str(rc))
    check_scan('after serve stopped', server.data_dir)
    check_modes('after serve', server.data_dir)

    # --- 3. Import a second canary (NDJSON) and a Synthea bundle offline.
    ndjson = os.path.join(work, 'canary.ndjson')
    patient2 = {'resourceType': 'Patient', 'id': 'canary-import-1',
                'identifier': [{'system': SYSTEM, 'value': CANARY2['identifier']}],
                'name': [{'family': CANARY2['family'], 'given': [CANARY2['given_ja']]}]}
    other = {'resourceType': 'Organization', 'id': 'canary-org-1', 'name': 'Clinic'}
    with open(ndjson, 'w', encoding='utf-8') as f:
        f.write(json.dumps(other) + '\n' + json.dumps(patient2, ensure_ascii=False) + '\n')
    found = scan_file(ndjson)
    check('control: the scanner finds both canaries of the NDJSON input',
          {CANARY2['family'], CANARY2['given_ja'], CANARY2['identifier']} <= found, str(found))
    check('control: synthea bundles are there', len(SYNTHEA) == 11, str(len(SYNTHEA)))
    imp = subprocess.run([MAMORI, 'import', '--data-dir', server.data_dir, ndjson, SYNTHEA[0]],
                         capture_output=True, stdin=subprocess.DEVNULL, env=server.env, cwd=work,
                         timeout=120)
    check('import exits 0', imp.returncode == 0, imp.stderr.decode(errors='replace'))
    check('import prints one summary line per file',
          b'canary.ndjson: 2 imported' in imp.stdout and
          os.path.basename(SYNTHEA[0]).encode() in imp.stdout, imp.stdout.decode(errors='replace'))
    check('import stdout and stderr hold no canary',
          not scan_bytes(imp.stdout) and not scan_bytes(imp.stderr),
          str(scan_bytes(imp.stdout) | scan_bytes(imp.stderr)))
    check_scan('after import', server.data_dir)
    check_modes('after import', server.data_dir)

    # Positive control: the imported canary really is in the store.
    server.start()
    st, h, body = fhir(server, 'GET', '/fhir/Patient/canary-import-1')
    check('imported canary patient reads back', st == 200 and CANARY2['family'] in body,
          f'{st} {body[:300]}')
    st, h, body = fhir(server, 'GET', f'/fhir/Patient?family={CANARY2["family"].lower()}')
    check('imported canary patient is indexed: a search finds it',
          st == 200 and '"canary-import-1"' in body, f'{st} {body[:300]}')
    rc = server.stop()
    check('serve exits 0 again', rc == 0, str(rc))
    final = check_scan('at the end', server.data_dir)
    if PG:
        check('the store URL is recorded in config.toml',
              PG_URL in open(os.path.join(server.data_dir, 'config.toml')).read())
        check('no mamori.db in the data directory of a PostgreSQL installation',
              'mamori.db' not in final, sorted(final))
        check('the database is not empty (control)', len(PG.pg_dump('mamori')) > 100_000)
    else:
        check('the database is not empty (control)',
              os.path.getsize(os.path.join(server.data_dir, 'mamori.db')) > 100_000)

    # --- 4. The server's stderr log (debug level, two runs).
    with open(server.stderr_path, 'rb') as f:
        log = f.read()
    check('the server log has access lines (control)', b'access' in log and b'/fhir/Patient' in log,
          log[-500:].decode(errors='replace'))
    check('the server log holds no canary (invariant 5)', not scan_bytes(log),
          str(scan_bytes(log)))
finally:
    server.stop()
    if PG:
        PG.__exit__(None, None, None)

if not failures():  # keep the directories of a failed run for post-mortem
    for d in (server.tmp, ctl_dir, work):
        shutil.rmtree(d, ignore_errors=True)
finish()
