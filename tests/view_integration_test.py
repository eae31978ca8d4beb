#!/usr/bin/env python3
"""Issue 8, the schedule inside `serve` and the emergency viewer, through the `mamori` binary:

  1. `serve` with `[backup] schedule = "* * * * *"` and two destinations (a directory and an
     archive) takes a snapshot on its own while serving; both verify.
  2. With the main server stopped, `mamori view --from archive:...` serves that snapshot over HTTPS:
     login with the snapshot's account, FHIR read and search equal to what the server returned,
     401 without credentials, 405 + OperationOutcome for POST/PUT/DELETE, and the Japanese patient
     page at /view (which carries no patient data itself).
  3. Its temporary directory holds no plaintext patient data while it runs, and is gone after
     SIGTERM; with --keep-audit the copy is kept and `mamori audit verify` passes on it.
Usage: view_integration_test.py MAMORI_BINARY
"""
import glob
import http.client
import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer, TEST_USERS, free_port  # noqa: E402
from testlib import FhirClient, check, finish  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1])


def run(*args, env=None):
    r = subprocess.run([MAMORI] + list(args), capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL, timeout=300)
    return r.returncode, r.stdout, r.stderr


def snapshot_ids(env, dest):
    _, out, _ = run('backup', 'list', dest, env=env)
    return [line.split()[0] for line in out.splitlines() if not line.startswith('mamori:')]


class Viewer:
    def __init__(self, env, source, ca_file, tmpdir, extra=()):
        self.port = free_port()
        self.env = dict(env, TMPDIR=tmpdir)
        self.ca_file = ca_file
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([MAMORI, 'view', '--from', source, '--listen',
                                      f'127.0.0.1:{self.port}'] + list(extra),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.stderr, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError('mamori view did not start: ' + self.log())

    def log(self):
        self.stderr.seek(0)
        return self.stderr.read().decode(errors='replace')

    def call(self, method, path, body=None, token=None, content_type='application/json'):
        conn = http.client.HTTPSConnection(
            '127.0.0.1', self.port, context=ssl.create_default_context(cafile=self.ca_file),
            timeout=30)
        headers = {'Accept': 'application/fhir+json'}
        if token:
            headers['Authorization'] = 'Bearer ' + token
        data = None
        if body is not None:
            headers['Content-Type'] = content_type
            data = json.dumps(body).encode()
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        out = r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
        conn.close()
        return out

    def stop(self):
        self.proc.terminate()
        return self.proc.wait(30)


def main():
    work = tempfile.mkdtemp(prefix='mamori-view-it-')
    nas = os.path.join(work, 'nas')
    archive = os.path.join(work, 'usb.mamori')
    family = 'Kinkyu' + secrets.token_hex(5)
    schedule = ('\n[backup]\nschedule = "* * * * *"\n'
                f'destinations = ["{nas}", "archive:{archive}"]\n')
    with MamoriServer(MAMORI, extra_config=schedule) as server:
        env = server.env
        client = FhirClient(server)
        status, _, body = client.call('POST', '/fhir/Patient', {
            'resourceType': 'Patient', 'name': [{'family': family, 'given': ['Hanako']}],
            'gender': 'female', 'birthDate': '1970-01-02'})
        check('patient created', status == 201, body)
        patient = json.loads(body)
        created = time.strftime('%Y%m%dt%H%M%S', time.gmtime())
        client.close()
        # 1. The schedule takes a snapshot after the patient was written (within about a minute).
        deadline = time.monotonic() + 150
        ids = []
        while time.monotonic() < deadline:
            ids = [i for i in snapshot_ids(env, 'archive:' + archive) if i[:15] > created]
            if ids:
                break
            time.sleep(2)
        check('serve took a scheduled snapshot into the archive', bool(ids), ids)
        nas_ids = [i for i in snapshot_ids(env, nas) if i[:15] > created]
        check('and into the directory', bool(nas_ids), nas_ids)
        password = server.password['physician']
        codes = list(server.codes['physician'])
        ca_file = server.ca_file
    code, out, err = run('backup', 'verify', 'archive:' + archive, env=env)
    check('the scheduled archive verifies', code == 0, out + err)
    code, out, err = run('audit', 'verify', '--data-dir', server.data_dir, env=env)
    check('audit verify passes with the scheduled runs recorded', code == 0, out + err)

    # 2. The viewer, with the main server stopped.
    tmpdir = os.path.join(work, 'tmp')
    os.makedirs(tmpdir)
    viewer = Viewer(env, 'archive:' + archive, ca_file, tmpdir)
    try:
        status, _, body = viewer.call('GET', f"/fhir/Patient/{patient['id']}")
        check('no credentials: 401', status == 401, body)
        status, _, body = viewer.call('POST', '/auth/login', {
            'username': TEST_USERS['physician'], 'password': password, 'totp': codes.pop(0)})
        check('login with the snapshot account', status == 200, body)
        token = json.loads(body).get('access_token', '')
        status, _, body = viewer.call('GET', f"/fhir/Patient/{patient['id']}", token=token)
        check('the patient reads back equal', status == 200 and json.loads(body) == patient,
              body)
        status, _, body = viewer.call('GET', f'/fhir/Patient?name={family}', token=token)
        found = [e['resource']['id'] for e in json.loads(body).get('entry', [])] \
            if status == 200 else []
        check('search finds the patient', found == [patient['id']], body)
        for method, path in (('POST', '/fhir/Patient'), ('PUT', f"/fhir/Patient/{patient['id']}"),
                             ('DELETE', f"/fhir/Patient/{patient['id']}")):
            status, headers, body = viewer.call(method, path, dict(patient), token=token,
                                                content_type='application/fhir+json')
            outcome = json.loads(body) if body.startswith('{') else {}
            check(f'{method} answers 405 with an OperationOutcome',
                  status == 405 and outcome.get('resourceType') == 'OperationOutcome', body)
        status, _, body = viewer.call('GET', f"/fhir/Patient/{patient['id']}", token=token)
        check('nothing changed', status == 200 and json.loads(body) == patient, body)
        status, headers, page = viewer.call('GET', '/view')
        check('the patient page is served in Japanese', status == 200 and '緊急閲覧' in page
              and 'text/html' in headers.get('content-type', ''), page[:200])
        check('the page carries no patient data', family not in page)
        # 3. The temporary directory: one, 0700, no plaintext patient data.
        copies = glob.glob(os.path.join(tmpdir, 'mamori-view-*'))
        check('one temporary copy', len(copies) == 1, copies)
        leaked = []
        for root, _, files in os.walk(copies[0]):
            for f in files:
                if family.encode() in open(os.path.join(root, f), 'rb').read():
                    leaked.append(f)
        check('the temporary copy holds no plaintext patient data', not leaked, leaked)
        check('the temporary copy is 0700', copies and os.stat(copies[0]).st_mode & 0o077 == 0)
    finally:
        rc = viewer.stop()
    check('the viewer stops cleanly on SIGTERM', rc == 0, viewer.log())
    check('the temporary copy is removed on exit', not os.listdir(tmpdir), os.listdir(tmpdir))

    # --keep-audit keeps the copy with the viewer's audit events; audit verify passes on it.
    kept = os.path.join(work, 'kept')
    viewer = Viewer(env, nas, ca_file, tmpdir, extra=('--keep-audit', kept))
    try:
        status, _, body = viewer.call('POST', '/auth/login', {
            'username': TEST_USERS['physician'], 'password': password, 'totp': codes.pop(0)})
        token = json.loads(body).get('access_token', '') if status == 200 else ''
        status, _, _ = viewer.call('GET', f"/fhir/Patient/{patient['id']}", token=token)
        check('the directory snapshot serves too', status == 200)
    finally:
        viewer.stop()
    check('--keep-audit keeps the copy', os.path.exists(os.path.join(kept, 'mamori.db')))
    code, out, err = run('audit', 'verify', '--data-dir', kept, env=env)
    check('audit verify passes on the kept copy', code == 0, out + err)
    check('nothing is left in TMPDIR', not os.listdir(tmpdir), os.listdir(tmpdir))
    shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == '__main__':
    main()
