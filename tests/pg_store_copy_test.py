#!/usr/bin/env python3
"""Issue 10: moving an installation from SQLite to PostgreSQL with `mamori store copy`, the audit
ledger verified after the copy.

  1. A SQLite installation serves some writes: Patients (one updated twice, one deleted) and
     Observations; a search by family name finds its Patient.
  2. With the server stopped, `mamori store copy --data-dir DIR --to URL` into an empty throwaway
     PostgreSQL database: exit 0, the copied ledger verifies ("OK: N leaves"), config.toml now
     names the database.
  3. Served again (now from PostgreSQL): every resource and version reads back as before, the
     deleted one answers 410, the search still finds its Patient (index rows copied), new
     writes work (sequences continue after the copied rows), and after the server stops
     `mamori audit verify` passes over the leaves of both eras.
  4. A second copy is refused (the directory already uses PostgreSQL), and `mamori backup
     create` refuses the PostgreSQL store, naming PostgreSQL's own tools.
Usage: pg_store_copy_test.py MAMORI_BINARY
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402
from testlib import check, failures, finish, FhirClient as Client, version_of  # noqa: E402
import pg_fixture  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1])
pg = pg_fixture.start_or_skip('pg_store_copy')
server = MamoriServer(MAMORI)
try:
    url = pg.url('copied')
    server.__enter__()
    c = Client(server)
    seen = {}
    for i in range(5):
        st, h, text = c.call('POST', '/fhir/Patient', {'resourceType': 'Patient',
                                                       'name': [{'family': f'Copyfam{i}'}]})
        check(f'patient {i} created on SQLite', st == 201, f'{st} {text[:200]}')
        seen[json.loads(text)['id']] = text
    ids = list(seen)
    for n in range(2):
        st, h, text = c.call('PUT', f'/fhir/Patient/{ids[0]}', {
            'resourceType': 'Patient', 'id': ids[0], 'name': [{'family': f'Updated{n}'}]},
            {'If-Match': f'W/"{n + 1}"'})
        check(f'update {n + 1} of the first patient', st == 200, f'{st} {text[:200]}')
    st, _, _ = c.call('DELETE', f'/fhir/Patient/{ids[1]}')
    check('delete of the second patient', st in (200, 204), str(st))
    st, _, text = c.call('POST', '/fhir/Observation', {
        'resourceType': 'Observation', 'status': 'final', 'code': {'text': 'bp'},
        'subject': {'reference': f'Patient/{ids[2]}'}})
    obs = json.loads(text)['id'] if st == 201 else ''
    check('observation created', st == 201, str(st))
    c.close()
    server.stop()

    copy = subprocess.run([MAMORI, 'store', 'copy', '--data-dir', server.data_dir, '--to', url],
                          capture_output=True, text=True, timeout=300, env=server.env)
    check('mamori store copy exits 0', copy.returncode == 0, copy.stdout + copy.stderr)
    check('the copy reports what it copied and the ledger verification',
          'copied 9 versions' in copy.stdout and '\nOK: ' in copy.stdout, copy.stdout)
    leaves_copied = int(pg.psql('copied', 'SELECT count(*) FROM ledger_leaf'))
    check('the audit leaves were copied', leaves_copied > 9, str(leaves_copied))
    check('config.toml now names the database',
          f'url = "{url}"' in open(os.path.join(server.data_dir, 'config.toml')).read())

    server.start()
    c = Client(server)
    st, h, text = c.call('GET', f'/fhir/Patient/{ids[0]}')
    check('the updated patient reads from PostgreSQL at version 3',
          st == 200 and version_of(h.get('etag')) == 3 and 'Updated1' in text, f'{st} {text[:200]}')
    st, _, text = c.call('GET', f'/fhir/Patient/{ids[0]}/_history/1')
    check('its first version reads too', st == 200 and 'Copyfam0' in text, str(st))
    st, _, _ = c.call('GET', f'/fhir/Patient/{ids[1]}')
    check('the deleted patient answers 410', st == 410, str(st))
    st, _, text = c.call('GET', f'/fhir/Observation/{obs}')
    check('the observation reads', st == 200, str(st))
    st, _, text = c.call('GET', '/fhir/Patient?family=Copyfam3')
    found = [e['resource']['id'] for e in json.loads(text).get('entry', [])] if st == 200 else []
    check('a search over the copied index finds its patient', found == [ids[3]], f'{st} {found}')
    st, h, text = c.call('POST', '/fhir/Patient', {'resourceType': 'Patient',
                                                   'name': [{'family': 'AfterCopy'}]})
    check('a new write after the copy', st == 201, f'{st} {text[:200]}')
    st, _, text = c.call('GET', '/fhir/Patient/_history?_count=50')
    check('system history counts old and new versions', st == 200 and
          json.loads(text).get('total') == 9, f'{st} {text[:200]}')
    c.close()
    server.stop()
    verify = subprocess.run([MAMORI, 'audit', 'verify', '--data-dir', server.data_dir],
                            capture_output=True, text=True, timeout=120)
    check('audit verify passes over copied and new leaves', verify.returncode == 0 and
          verify.stdout.startswith('OK:'), verify.stdout + verify.stderr)
    again = subprocess.run([MAMORI, 'store', 'copy', '--data-dir', server.data_dir, '--to', url],
                           capture_output=True, text=True, timeout=60, env=server.env)
    check('a second copy is refused', again.returncode != 0 and
          'already keeps its records in PostgreSQL' in again.stderr, again.stderr)
    backup = subprocess.run([MAMORI, 'backup', 'create', '--data-dir', server.data_dir, '--to',
                             os.path.join(server.tmp, 'backups')],
                            capture_output=True, text=True, timeout=120, env=server.env)
    check('mamori backup refuses a PostgreSQL store and names the tools to use',
          backup.returncode != 0 and 'pg_basebackup' in backup.stderr, backup.stderr)
finally:
    server.stop()
    pg.__exit__(None, None, None)

if not failures():
    shutil.rmtree(server.tmp, ignore_errors=True)
finish()
