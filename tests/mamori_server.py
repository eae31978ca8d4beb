"""Starts and stops a real `mamori serve` for integration tests (python3, stdlib only).

    with MamoriServer(binary) as server:       # init + serve on a free loopback port
        urllib.request.urlopen(server.url('/healthz'), context=server.ssl_context())
"""
import os
import socket
import ssl
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class MamoriServer:
    def __init__(self, binary, extra_config='', data_dir=None, init_args=()):
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

    def __enter__(self):
        subprocess.run([self.binary, 'init', '--data-dir', self.data_dir] + self.init_args,
                       check=True, stdin=subprocess.DEVNULL, capture_output=True, env=self.env)
        if self.extra_config:
            with open(os.path.join(self.data_dir, 'config.toml'), 'a') as f:
                f.write(self.extra_config)
        self.start()
        return self

    def start(self, attempts=5):
        for _ in range(attempts):
            self.port = free_port()
            self.stderr = open(self.stderr_path, 'ab')
            self.proc = subprocess.Popen(
                [self.binary, 'serve', '--data-dir', self.data_dir,
                 '--listen', f'127.0.0.1:{self.port}'],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr,
                env=self.env)
            if self._wait_ready(10.0):
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
