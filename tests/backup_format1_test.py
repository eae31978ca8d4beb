#!/usr/bin/env python3
"""Issue 8 follow-up: backups made before the pack format (mamori-backup/1, one file per chunk)
stay restorable (GUIDELINE SYS-58, EMG-03, EMG-04, EMG-08). The fixture
src/backup/testdata/format1 was made by the mamori of commit 0036e3f (its README says how):

  1. `backup list` shows its snapshot as signed; `backup verify` is clean.
  2. `restore` gives a data directory where `audit verify` passes and `mamori serve` reads every
     resource (and the older version) back equal to what the old server returned.
  3. `restore --drill` passes; `mamori view` serves the snapshot read-only with its own account.
  4. A flipped bit in a copy of one chunk object is reported by `backup verify` with the object's
     name (exit status 1), and restore refuses.
  5. `backup create` into a copy is refused with one line saying what to do, and writes nothing;
     `backup prune` is refused too.
Usage: backup_format1_test.py MAMORI_BINARY
"""
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer, free_port  # noqa: E402
from testlib import FhirClient, check, finish  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1])
FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'backup',
                       'testdata', 'format1')


def run(*args, env=None):
    r = subprocess.run([MAMORI] + list(args), capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL, timeout=300)
    return r.returncode, r.stdout, r.stderr


def tree(d):
    out = {}
    for root, _, files in os.walk(d):
        for f in files:
            p = os.path.join(root, f)
            out[os.path.relpath(p, d)] = open(p, 'rb').read()
    return out


def view_reads(env, source, ca_file, account, patient, tmpdir):
    """Starts `mamori view` on `source`, logs in with the snapshot's account, reads `patient`."""
    port = free_port()
    stderr = tempfile.TemporaryFile()
    proc = subprocess.Popen([MAMORI, 'view', '--from', source, '--listen', f'127.0.0.1:{port}'],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                            env=dict(env, TMPDIR=tmpdir))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)

        def call(method, path, body=None, token=None):
            conn = http.client.HTTPSConnection(
                '127.0.0.1', port, context=ssl.create_default_context(cafile=ca_file), timeout=30)
            headers = {'Accept': 'application/fhir+json', 'Content-Type': 'application/json'}
            if token:
                headers['Authorization'] = 'Bearer ' + token
            conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
            r = conn.getresponse()
            out = r.status, r.read().decode()
            conn.close()
            return out
        status, body = call('POST', '/auth/login', {'username': account['login'],
                                                    'password': account['password'],
                                                    'totp': account['recovery_codes'][0]})
        check('view: login with the snapshot account', status == 200, body)
        token = json.loads(body).get('access_token', '') if status == 200 else ''
        status, body = call('GET', f"/fhir/Patient/{patient['id']}", token=token)
        check('view: the patient reads back equal', status == 200 and json.loads(body) == patient,
              body)
    finally:
        proc.terminate()
        proc.wait(30)
        stderr.seek(0)
        log = stderr.read().decode(errors='replace')
    check('view: stops cleanly', proc.returncode == 0, log)


def main():
    work = tempfile.mkdtemp(prefix='mamori-format1-it-')
    expected = json.load(open(os.path.join(FIXTURE, 'expected.json')))
    passphrase = os.path.join(work, 'passphrase')
    shutil.copy(os.path.join(FIXTURE, 'passphrase'), passphrase)
    os.chmod(passphrase, 0o600)
    env = dict(os.environ, MAMORI_PASSPHRASE_FILE=passphrase)
    dest = os.path.join(work, 'old-backups')
    shutil.copytree(os.path.join(FIXTURE, 'backups'), dest)
    config = json.load(open(os.path.join(dest, 'config')))
    check('the fixture is a format-1 repository', config['format'] == 'mamori-backup/1', config)

    # 1. list and verify.
    code, out, err = run('backup', 'list', dest, env=env)
    ids = [line.split()[0] for line in out.splitlines() if not line.startswith('mamori:')]
    check('list shows one signed snapshot', code == 0 and len(ids) == 1 and 'signed' in out
          and 'DOES NOT VERIFY' not in out, out + err)
    code, out, err = run('backup', 'verify', dest, env=env)
    check('verify of the fixture is clean', code == 0 and ' 0 problems' in out, out + err)

    # 2. restore, audit verify, every resource reads back.
    restored = os.path.join(work, 'restored')
    code, out, err = run('restore', '--from', dest, '--snapshot', ids[0], '--data-dir', restored,
                         env=env)
    check('restore of the format-1 snapshot succeeds', code == 0, out + err)
    code, out, err = run('audit', 'verify', '--data-dir', restored, env=env)
    check('audit verify passes on the restored directory', code == 0, out + err)
    pristine = os.path.join(work, 'restored-pristine')
    shutil.copytree(restored, pristine)  # before serve changes it (accounts, audit)
    server = MamoriServer(MAMORI, data_dir=restored)
    server.env = dict(server.env, MAMORI_PASSPHRASE_FILE=passphrase)
    server.start()
    try:
        client = FhirClient(server)
        for p in expected['patients']:
            status, _, body = client.call('GET', f"/fhir/Patient/{p['id']}")
            check(f"patient {p['id']} reads back equal", status == 200 and json.loads(body) == p,
                  body)
        first = expected['patients'][0]
        status, _, body = client.call('GET', f"/fhir/Patient/{first['id']}/_history/1")
        check('the older version reads back', status == 200
              and json.loads(body).get('meta', {}).get('versionId') == '1'
              and 'active' not in json.loads(body), body)
        status, _, body = client.call('GET', '/fhir/Patient?family=Kyuban')
        found = sorted(e['resource']['id'] for e in json.loads(body).get('entry', [])) \
            if status == 200 else []
        want = sorted(p['id'] for p in expected['patients'] if p['name'][0]['family'] == 'Kyuban')
        check('search finds the restored patients', found == want, body)
        client.close()
    finally:
        server.stop()

    # 3. drill and the emergency viewer.
    code, out, err = run('restore', '--drill', '--from', dest, env=env)
    check('restore drill passes on the format-1 snapshot', code == 0 and 'PASSED' in out,
          out + err)
    tmpdir = os.path.join(work, 'tmp')
    os.makedirs(tmpdir)
    view_reads(env, dest, os.path.join(pristine, 'tls', 'ca.pem'), expected['account'],
               expected['patients'][0], tmpdir)

    # 4. a flipped bit in one chunk object.
    bad = os.path.join(work, 'bad')
    shutil.copytree(os.path.join(FIXTURE, 'backups'), bad)
    chunks = sorted(os.path.relpath(os.path.join(r, f), bad)
                    for r, _, fs in os.walk(os.path.join(bad, 'chunks')) for f in fs)
    victim = chunks[len(chunks) // 2]
    os.chmod(os.path.join(bad, victim), 0o600)  # objects are 0400 as a backup writes them
    with open(os.path.join(bad, victim), 'r+b') as f:
        data = bytearray(f.read())
        data[len(data) // 2] ^= 0x01
        f.seek(0)
        f.write(data)
    code, out, err = run('backup', 'verify', bad, env=env)
    check('verify reports the flipped bit with the chunk object',
          code == 1 and f'{victim}: content changed' in out and 'chunk ' in out, out + err)
    code, out, err = run('restore', '--from', bad, '--snapshot', ids[0], '--data-dir',
                         os.path.join(work, 'r-bad'), env=env)
    check('restore refuses the damaged snapshot, naming the chunk object',
          code == 1 and victim in err and 'does not decrypt' in err, err)

    # 5. no new snapshot, no prune.
    copy = os.path.join(work, 'copy')
    shutil.copytree(os.path.join(FIXTURE, 'backups'), copy)
    before = tree(copy)
    code, out, err = run('backup', 'create', '--data-dir', pristine, '--to', copy, env=env)
    lines = [line for line in err.splitlines() if line.strip()]
    check('backup create into a format-1 destination is refused with what to do',
          code == 1 and len(lines) == 1 and 'format-1' in lines[0]
          and 'back up to a new destination' in lines[0]
          and 'the old snapshots stay restorable here' in lines[0], out + err)
    check('and writes nothing there', tree(copy) == before)
    admin = os.path.join(work, 'admin.pem')
    code, out, err = run('backup', 'admin-key', '--out', admin, env=env)
    check('admin key made', code == 0, out + err)
    code, out, err = run('backup', 'prune', copy, '--admin-key', admin, '--keep-last', '1',
                         env=env)
    check('prune of a format-1 destination is refused in one line',
          code == 1 and 'format-1' in err and 'does not prune' in err
          and len(err.strip().splitlines()) == 1, out + err)
    check('and removes nothing', tree(copy) == before)
    shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == '__main__':
    main()
