#!/usr/bin/env python3
"""Benchmark helper: provisions a benchmark user in a stopped data directory, or logs it in.

    login.py provision MAMORI DATA_DIR STATE_FILE     # before `serve`: user + permissive policy
    login.py token BASE_URL CAFILE STATE_FILE          # after `serve`: prints a bearer token

The benchmark user is a physician under a benchmark policy without care relations (the load
writes Patients without Encounters). Its second factor is a recovery code (printed by
`mamori user add --recovery-codes`); the first login changes the initial password (PLAN-25).
"""
import http.client
import json
import os
import secrets
import subprocess
import ssl
import sys
import urllib.parse

POLICY = """version = 1
[[role]]
name = "physician"
read = ["*"]
write = ["*"]
care_relation = false
[[zone]]
name = "loopback"
networks = ["127.0.0.0/8", "::1/128"]
"""


def provision(mamori, data_dir, state_file):
    with open(os.path.join(data_dir, 'policy.toml'), 'w') as f:
        f.write(POLICY)
    password = 'Bench#Initial-' + secrets.token_hex(4)
    pw_file = state_file + '.pw'
    with open(pw_file, 'w') as f:
        f.write(password + '\n')
    os.chmod(pw_file, 0o600)
    r = subprocess.run([mamori, 'user', 'add', '--data-dir', data_dir, '--login', 'bench.doctor',
                        '--name', 'Bench', '--role', 'physician', '--requested-by', 'bench',
                        '--approved-by', 'bench.lead', '--password-file', pw_file,
                        '--proofing-waiver', 'benchmark account', '--recovery-codes', '--json'],
                       capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL)
    os.remove(pw_file)
    codes = json.loads(r.stdout)['recovery_codes']
    with open(state_file, 'w') as f:
        json.dump({'password': password, 'codes': codes}, f)


def post(conn, path, body, token=None):
    headers = {'Content-Type': 'application/json'}
    if token:
        headers['Authorization'] = 'Bearer ' + token
    conn.request('POST', path, body=json.dumps(body), headers=headers)
    r = conn.getresponse()
    data = r.read().decode()
    return r.status, json.loads(data) if data.startswith('{') else {}


def token(base_url, cafile, state_file):
    state = json.load(open(state_file))
    url = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPSConnection(url.hostname, url.port,
                                       context=ssl.create_default_context(cafile=cafile))
    for _ in range(2):
        status, body = post(conn, '/auth/login', {'username': 'bench.doctor',
                                                  'password': state['password'],
                                                  'totp': state['codes'].pop(0)})
        if status != 200:
            sys.exit(f'login failed: {status} {body}')
        if not body.get('must_change_password'):
            print(body['access_token'])
            break
        chosen = 'Kitsune-sora-9-umi-' + secrets.token_hex(3)
        status, _ = post(conn, '/auth/password', {'current': state['password'], 'new': chosen},
                         body['access_token'])
        if status != 204:
            sys.exit(f'password change failed: {status}')
        state['password'] = chosen
    json.dump(state, open(state_file, 'w'))


if __name__ == '__main__':
    if sys.argv[1] == 'provision':
        provision(*sys.argv[2:5])
    else:
        token(*sys.argv[2:5])
