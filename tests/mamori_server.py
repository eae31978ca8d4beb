"""Starts and stops a real `mamori serve` for integration tests (python3, stdlib only).

    with MamoriServer(binary) as server:       # init + serve on a free loopback port
        urllib.request.urlopen(server.url('/healthz'), context=server.ssl_context())
        server.auth_header()                   # {'Authorization': 'Bearer ...'} (test physician)
        server.auth_header('auditor')          # the test auditor, for /audit/*

Every route but /healthz, /fhir/metadata, /auth/login and /oauth2/token needs credentials
(DESIGN invariant 1). Before each start the harness makes sure the data directory has two test
accounts, `it.doctor` (physician) and `it.auditor` (auditor), created with `mamori user add`
and recovery codes as their second factor, and writes a test policy.toml in which the physician
needs no care relation (the records the tests write have no Encounters). After the server is up it
logs both in over HTTPS (changing the initial password on first use, PLAN-25). The auth tests
themselves use the default policy and their own accounts.
"""
import http.client
import json
import os
import secrets
import socket
import ssl
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


TEST_USERS = {'physician': 'it.doctor', 'auditor': 'it.auditor'}
TEST_POLICY = """version = 1
[[role]]
name = "physician"
read = ["*"]
write = ["*"]
care_relation = false
export = true
[[role]]
name = "auditor"
read = ["AuditEvent"]
audit = true
[[zone]]
name = "loopback"
networks = ["127.0.0.0/8", "::1/128"]
"""


class MamoriServer:
    def __init__(self, binary, extra_config='', data_dir=None, init_args=(), test_users=True):
        self.binary = binary
        self.tmp = tempfile.mkdtemp(prefix='mamori-it-')
        self.data_dir = data_dir or os.path.join(self.tmp, 'data')
        self.extra_config = extra_config
        self.init_args = list(init_args)
        self.port = None
        self.proc = None
        self.stderr_path = os.path.join(self.tmp, 'serve.stderr')
        # The master key passphrase, as an operator keeps it: a 0600 file.
        self.passphrase_file = os.path.join(self.tmp, 'passphrase')
        with open(self.passphrase_file, 'w') as f:
            f.write('integration test passphrase\n')
        os.chmod(self.passphrase_file, 0o600)
        self.env = dict(os.environ, MAMORI_PASSPHRASE_FILE=self.passphrase_file)
        self.test_users = test_users
        self.tokens = {}      # role -> bearer token of the logged-in test user
        self.codes = {}       # role -> unused recovery codes
        self.password = {}    # role -> current password

    def __enter__(self):
        subprocess.run([self.binary, 'init', '--data-dir', self.data_dir] + self.init_args,
                       check=True, stdin=subprocess.DEVNULL, capture_output=True, env=self.env)
        if self.extra_config:
            with open(os.path.join(self.data_dir, 'config.toml'), 'a') as f:
                f.write(self.extra_config)
        self.start()
        return self

    def _mamori(self, *args):
        return subprocess.run([self.binary] + list(args), stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, env=self.env, timeout=120)

    def provision(self):
        """Test policy and accounts, while no server holds the data directory."""
        with open(os.path.join(self.data_dir, 'policy.toml'), 'w') as f:
            f.write(TEST_POLICY)
        initial = os.path.join(self.tmp, 'initial-password')
        # A fixed digit: token_hex alone can be all letters (a-f), which the policy refuses.
        initial_password = 'Itest#Initial-7-' + secrets.token_hex(4)
        with open(initial, 'w') as f:
            f.write(initial_password + '\n')
        os.chmod(initial, 0o600)
        for role, login in TEST_USERS.items():
            if len(self.codes.get(role, [])) >= 3:
                continue
            r = self._mamori('user', 'add', '--data-dir', self.data_dir, '--login', login,
                             '--name', 'Integration ' + role, '--role', role,
                             '--requested-by', 'it.harness', '--approved-by', 'it.lead',
                             '--password-file', initial, '--proofing-waiver',
                             'synthetic test account', '--recovery-codes', '--json')
            if r.returncode == 0:
                self.codes[role] = json.loads(r.stdout)['recovery_codes']
                self.password[role] = initial_password
                continue
            # The account exists (a copied or restored directory): known state again.
            reset = self._mamori('user', 'reset-password', '--data-dir', self.data_dir,
                                 '--login', login, '--password-file', initial)
            codes = self._mamori('user', 'recovery-codes', '--data-dir', self.data_dir,
                                 '--login', login, '--json')
            if reset.returncode != 0 or codes.returncode != 0:
                raise RuntimeError('cannot provision test user: ' + r.stderr + reset.stderr +
                                   codes.stderr)
            self.codes[role] = json.loads(codes.stdout)['recovery_codes']
            self.password[role] = initial_password

    def _post(self, path, fields, token=None):
        conn = http.client.HTTPSConnection('127.0.0.1', self.port, context=self.ssl_context(),
                                           timeout=30)
        try:
            headers = {'Content-Type': 'application/json'}
            if token:
                headers['Authorization'] = 'Bearer ' + token
            conn.request('POST', path, body=json.dumps(fields), headers=headers)
            r = conn.getresponse()
            body = r.read().decode()
            return r.status, (json.loads(body) if body and body.startswith('{') else {})
        finally:
            conn.close()

    def login(self, role):
        """Logs the test user of `role` in (changing the initial password first if needed)."""
        login = TEST_USERS[role]
        for _ in range(2):
            status, body = self._post('/auth/login', {'username': login,
                                                      'password': self.password[role],
                                                      'totp': self.codes[role].pop(0)})
            if status != 200:
                raise RuntimeError(f'test login of {login} failed: {status} {body}')
            if not body.get('must_change_password'):
                self.tokens[role] = body['access_token']
                return
            chosen = 'Kitsune-sora-9-umi-' + secrets.token_hex(3)
            status, _ = self._post('/auth/password', {'current': self.password[role],
                                                      'new': chosen},
                                   body['access_token'])
            if status != 204:
                raise RuntimeError(f'password change of {login} failed: {status}')
            self.password[role] = chosen
        raise RuntimeError('test login did not settle')

    def auth_header(self, role='physician'):
        return {'Authorization': 'Bearer ' + self.tokens[role]} if role in self.tokens else {}

    def start(self, attempts=5):
        if self.test_users and os.path.exists(os.path.join(self.data_dir, 'config.toml')):
            self.provision()
        for _ in range(attempts):
            self.port = free_port()
            self.stderr = open(self.stderr_path, 'ab')
            self.proc = subprocess.Popen(
                [self.binary, 'serve', '--data-dir', self.data_dir,
                 '--listen', f'127.0.0.1:{self.port}'],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr,
                env=self.env)
            if self._wait_ready(10.0):
                if self.test_users:
                    for role in TEST_USERS:
                        self.login(role)
                return
            self.stop()
        raise RuntimeError('mamori serve did not start; see ' + self.stderr_path)

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self, sig_timeout=20.0):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(sig_timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def __exit__(self, *exc):
        self.stop()

    @property
    def ca_file(self):
        return os.path.join(self.data_dir, 'tls', 'ca.pem')

    def url(self, path):
        return f'https://127.0.0.1:{self.port}{path}'

    def ssl_context(self):
        return ssl.create_default_context(cafile=self.ca_file)
