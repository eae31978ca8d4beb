#!/usr/bin/env python3
"""Tree heads time-stamped by an RFC 3161 authority (issue 6; GUIDELINE: time-stamps), with
`openssl ts -reply` acting as the authority behind a small HTTP front:
  - `mamori audit timestamp` stores the newest head and the authority's reply; `openssl ts -verify`
    accepts that reply for that head (an outside check of our files); a second run leaves it alone;
  - `mamori audit verify --tsa-ca` checks every stored reply and uses the head as an outside head:
    an edited head file, or an edited ledger row under a time-stamped head, is reported (exit 1);
  - an authority whose signature does not chain to --tsa-ca is refused and nothing is stored.
Usage: audit_timestamp_test.py MAMORI_BINARY
"""
import http.server
import os
import shutil
import sqlite3
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402
from testlib import FhirClient, check, finish  # noqa: E402

MAMORI = sys.argv[1]


def openssl(*args, cwd=None):
    return subprocess.run(['openssl', *args], capture_output=True, text=True, cwd=cwd, check=True)


def make_tsa(dir_, name):
    """A CA, a time-stamping certificate it signed, and an `openssl ts` configuration."""
    os.makedirs(dir_)
    with open(os.path.join(dir_, 'tsa.ext'), 'w') as f:
        f.write('extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n')
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
            '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', f'/CN={name} CA',
            cwd=dir_)
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout',
            'tsa.key', '-out', 'tsa.csr', '-subj', f'/CN={name} TSA', cwd=dir_)
    openssl('x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
            '-CAcreateserial', '-out', 'tsa.pem', '-days', '2', '-extfile', 'tsa.ext', cwd=dir_)
    with open(os.path.join(dir_, 'serial'), 'w') as f:
        f.write('01\n')
    with open(os.path.join(dir_, 'tsa.cnf'), 'w') as f:
        f.write(f'''[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir_}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
''')
    return os.path.join(dir_, 'ca.pem')


def serve_tsa(dir_):
    """An HTTP time-stamp authority: each POSTed query is answered by `openssl ts -reply`."""
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            query = self.rfile.read(int(self.headers['Content-Length']))
            with lock:
                with open(os.path.join(dir_, 'q.tsq'), 'wb') as f:
                    f.write(query)
                r = subprocess.run(['openssl', 'ts', '-reply', '-config', 'tsa.cnf', '-queryfile',
                                    'q.tsq', '-out', 'r.tsr'], capture_output=True, cwd=dir_)
                reply = open(os.path.join(dir_, 'r.tsr'), 'rb').read() if r.returncode == 0 else b''
            self.send_response(200 if reply else 400)
            self.send_header('Content-Type', 'application/timestamp-reply')
            self.send_header('Content-Length', str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f'http://127.0.0.1:{server.server_address[1]}/tsa'


def mamori(*args):
    return subprocess.run([MAMORI, *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def main():
    server = MamoriServer(MAMORI)
    with server:
        client = FhirClient(server)
        for i in range(3):
            client.call('PUT', f'/fhir/Patient/ts{i}', {'resourceType': 'Patient', 'id': f'ts{i}'})
        client.close()
    server.stop()  # signs a final head
    data = server.data_dir
    ca = make_tsa(os.path.join(server.tmp, 'tsa'), 'Clinic')
    tsa, url = serve_tsa(os.path.join(server.tmp, 'tsa'))
    try:
        r = mamori('audit', 'timestamp', '--data-dir', data, '--tsa', url, '--tsa-ca', ca)
        check('audit timestamp exits 0', r.returncode == 0, r.stderr)
        stamps = os.path.join(data, 'audit', 'timestamps')
        tsr = sorted(f for f in os.listdir(stamps) if f.endswith('.tsr')) if os.path.isdir(stamps) else []
        check('one reply stored beside its head', len(tsr) == 1, str(tsr))
        stem = os.path.join(stamps, tsr[0][:-4]) if tsr else ''
        peer = subprocess.run(['openssl', 'ts', '-verify', '-data', stem + '.sth', '-in',
                               stem + '.tsr', '-CAfile', ca], capture_output=True, text=True)
        check('openssl ts -verify accepts the stored reply for the stored head',
              peer.returncode == 0 and 'Verification: OK' in peer.stdout, peer.stdout + peer.stderr)
        again = mamori('audit', 'timestamp', '--data-dir', data, '--tsa', url, '--tsa-ca', ca)
        check('a head already time-stamped is left alone',
              again.returncode == 0 and 'already time-stamped' in again.stdout, again.stdout)

        ok = mamori('audit', 'verify', '--data-dir', data, '--tsa-ca', ca)
        check('audit verify checks the time-stamp and passes',
              ok.returncode == 0 and 'time-stamped head' in ok.stdout and ok.stdout.count('OK:') == 1,
              ok.stdout + ok.stderr)

        edited = os.path.join(server.tmp, 'edited-head')
        shutil.copytree(data, edited)
        head_file = os.path.join(edited, 'audit', 'timestamps', tsr[0][:-4] + '.sth')
        raw = bytearray(open(head_file, 'rb').read())
        raw[20] ^= 1
        open(head_file, 'wb').write(bytes(raw))
        bad = mamori('audit', 'verify', '--data-dir', edited, '--tsa-ca', ca)
        check('an edited head file fails its time-stamp',
              bad.returncode == 1 and f'BAD timestamp {tsr[0][:-4]}' in bad.stdout, bad.stdout)

        rewritten = os.path.join(server.tmp, 'rewritten')
        shutil.copytree(data, rewritten)
        db = sqlite3.connect(os.path.join(rewritten, 'mamori.db'))
        db.execute('UPDATE ledger_leaf SET leaf = substr(leaf, 1, 40) || X\'00\' || '
                   'substr(leaf, 42) WHERE idx = 1')
        db.execute('DELETE FROM ledger_sth')  # the attacker also drops the stored heads
        db.commit()
        db.close()
        caught = mamori('audit', 'verify', '--data-dir', rewritten, '--tsa-ca', ca)
        check('an edited leaf under a time-stamped head is caught through that head',
              caught.returncode == 1 and 'BAD leaf 1' in caught.stdout, caught.stdout)

        other_ca = make_tsa(os.path.join(server.tmp, 'stranger'), 'Stranger')
        server.start()  # a new head to time-stamp
        FhirClient(server).call('GET', '/fhir/Patient/ts0')
        server.stop()
        refused = mamori('audit', 'timestamp', '--data-dir', data, '--tsa', url, '--tsa-ca',
                         other_ca)
        check('a reply that does not chain to --tsa-ca is refused with one line',
              refused.returncode == 1 and 'does not verify' in refused.stderr and
              refused.stderr.count('\n') == 1, refused.stderr)
        check('and nothing is stored',
              sorted(f for f in os.listdir(stamps) if f.endswith('.tsr')) == tsr)
    finally:
        tsa.shutdown()
    finish()


if __name__ == '__main__':
    main()
