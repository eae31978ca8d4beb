#!/usr/bin/env python3
"""Makes the format-1 compatibility fixture with an OLD mamori (README.md here says how it was run).

Usage: make_fixture.py OLD_MAMORI OLD_TESTS_DIR OUT_DIR

OLD_TESTS_DIR is the tests/ directory of the same old checkout (its mamori_server.py starts the old
binary with the test accounts). Writes OUT_DIR/backups (a mamori-backup/1 destination with one
snapshot), OUT_DIR/passphrase (the data directory's master key passphrase) and OUT_DIR/expected.json
(the resources as the old server returned them, and the snapshot's test account). Everything is
synthetic: no canary, no real person.
"""
import json
import os
import subprocess
import sys

OLD, OLD_TESTS, OUT = os.path.abspath(sys.argv[1]), sys.argv[2], os.path.abspath(sys.argv[3])
sys.path.insert(0, OLD_TESTS)
from mamori_server import MamoriServer  # noqa: E402
from testlib import FhirClient  # noqa: E402

PATIENTS = [
    {'resourceType': 'Patient', 'name': [{'family': 'Kyuban', 'given': ['Ichiro']}],
     'gender': 'male', 'birthDate': '1950-04-01'},
    {'resourceType': 'Patient', 'name': [{'family': 'Kyuban', 'given': ['Hanae']}],
     'gender': 'female', 'birthDate': '1962-11-30'},
    {'resourceType': 'Patient', 'name': [{'family': 'Furui', 'given': ['Jiro']}],
     'gender': 'other', 'birthDate': '2001-07-07'},
]


def main():
    os.makedirs(OUT)
    with MamoriServer(OLD) as server:
        client = FhirClient(server)
        created = []
        for p in PATIENTS:
            status, _, body = client.call('POST', '/fhir/Patient', p)
            assert status == 201, body
            created.append(json.loads(body))
        # One update, so that a resource has two versions.
        second = dict(created[0], active=True)
        status, _, body = client.call('PUT', f"/fhir/Patient/{second['id']}", second)
        assert status == 200, body
        created[0] = json.loads(body)
        client.close()
        env = server.env
        data_dir = server.data_dir
        account = {'login': 'it.doctor', 'password': server.password['physician'],
                   'recovery_codes': server.codes['physician']}
        with open(server.passphrase_file) as f:
            passphrase = f.read()
    r = subprocess.run([OLD, 'backup', 'create', '--data-dir', data_dir, '--to',
                        os.path.join(OUT, 'backups')], env=env, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(os.path.join(OUT, 'passphrase'), 'w') as f:
        f.write(passphrase)
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump({'patients': created, 'account': account}, f, indent=1, ensure_ascii=False)
        f.write('\n')
    print(r.stdout + r.stderr)


if __name__ == '__main__':
    main()
