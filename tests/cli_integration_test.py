#!/usr/bin/env python3
"""The `mamori` binary as an operator uses it (issue 3):
  - --version, usage errors (exit 2, one line), failures (exit 1, one line);
  - init refuses an existing non-empty directory;
  - serve answers `curl --cacert DIR/tls/ca.pem https://127.0.0.1:PORT/healthz` with 200,
    HSTS and a request id; serves the CA's CRL; exits 0 on SIGTERM.
Usage: cli_integration_test.py MAMORI_BINARY
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402
from testlib import check, failures, finish  # noqa: E402

MAMORI = sys.argv[1]


PASS_DIR = tempfile.mkdtemp(prefix='mamori-pass-')
PASSPHRASE = os.path.join(PASS_DIR, 'passphrase')
with open(PASSPHRASE, 'w') as f:
    f.write('integration test passphrase\n')
os.chmod(PASSPHRASE, 0o600)


def run(*args, env=None):
    return subprocess.run([MAMORI, *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60,
                          env=env or dict(os.environ, MAMORI_PASSPHRASE_FILE=PASSPHRASE))


def one_line(text):
    return len(text.strip().splitlines()) == 1


r = run('--version')
check('version exits 0', r.returncode == 0, r.stderr)
check('version names mamori', r.stdout.startswith('mamori '), r.stdout)

r = run()
check('no subcommand is a usage error', r.returncode == 2, str(r.returncode))
check('usage error is one line', one_line(r.stderr), repr(r.stderr))

r = run('serve', '--bogus')
check('unknown flag is a usage error', r.returncode == 2 and one_line(r.stderr), r.stderr)

tmp = tempfile.mkdtemp(prefix='mamori-cli-')
r = run('serve', '--data-dir', os.path.join(tmp, 'absent'))
check('serve without data dir fails with exit 1', r.returncode == 1, str(r.returncode))
check('failure is one line naming the fix', one_line(r.stderr) and 'mamori init' in r.stderr,
      repr(r.stderr))

data = os.path.join(tmp, 'data')
r = run('init', '--data-dir', data)
check('init succeeds', r.returncode == 0, r.stderr)
check('data dir is 0700', oct(os.stat(data).st_mode & 0o777) == '0o700')
r = run('init', '--data-dir', data)
check('second init refuses', r.returncode == 1 and 'not empty' in r.stderr and one_line(r.stderr),
      repr(r.stderr))

no_pass = dict(os.environ)
no_pass.pop('MAMORI_PASSPHRASE_FILE', None)
r = run('init', '--data-dir', os.path.join(tmp, 'nopass'), env=no_pass)
check('init without a passphrase source fails with one line naming the options',
      r.returncode == 1 and one_line(r.stderr) and '--passphrase-file' in r.stderr, repr(r.stderr))
check('nothing is left when init fails', not os.path.exists(os.path.join(tmp, 'nopass')))

wrong = os.path.join(PASS_DIR, 'wrong')
with open(wrong, 'w') as f:
    f.write('not the right passphrase\n')
os.chmod(wrong, 0o600)
r = run('serve', '--data-dir', data, '--passphrase-file', wrong)
check('wrong passphrase: exit 1, one line, nothing served',
      r.returncode == 1 and one_line(r.stderr) and 'wrong passphrase' in r.stderr, repr(r.stderr))

with MamoriServer(MAMORI) as server:
    curl = subprocess.run(['curl', '-sS', '-D', '-', '-o', '/dev/null', '-w', '%{http_code}',
                           '--cacert', server.ca_file, server.url('/healthz')],
                          capture_output=True, text=True, timeout=30)
    headers = curl.stdout.lower()
    check('curl --cacert healthz answers 200', curl.stdout.strip().endswith('200'),
          curl.stdout + curl.stderr)
    check('hsts header', 'strict-transport-security: max-age=' in headers, headers)
    check('request id header', 'x-request-id:' in headers, headers)
    crl_path = os.path.join(server.tmp, 'ca.crl')
    curl = subprocess.run(['curl', '-sS', '-o', crl_path, '-w', '%{http_code}', '--cacert',
                           server.ca_file, server.url('/pki/ca.crl')],
                          capture_output=True, text=True, timeout=30)
    check('crl served', curl.stdout == '200', curl.stdout + curl.stderr)
    verify = subprocess.run(['openssl', 'crl', '-inform', 'DER', '-in', crl_path, '-noout',
                             '-CAfile', server.ca_file], capture_output=True, text=True)
    check('served crl verifies against the ca', verify.returncode == 0, verify.stderr)
    rc = server.stop()
    check('SIGTERM exits 0', rc == 0, str(rc))

# Issue 9: the reference pattern from flags (GUIDELINE section 6), recorded with --data-dir.
r = run('assess', 'pattern', '--location', 'vendor-cloud')
check('a cloud-only clinic is pattern IV', r.returncode == 0 and
      r.stdout.startswith('reference pattern: IV'), r.stdout + r.stderr)
r = run('assess', 'pattern', '--location', 'on-premises', '--system-staff')
check('on-premises with system staff is pattern I', r.stdout.startswith('reference pattern: I '),
      r.stdout)
r = run('assess', 'pattern', '--location', 'on-premises', '--only-online-eligibility')
check('paper charts with online eligibility only is II or IV',
      r.stdout.startswith('reference pattern: II ') or r.stdout.startswith('reference pattern: IV'),
      r.stdout)
r = run('assess', 'pattern', '--location', 'vendor-cloud', '--data-dir', data, '--json')
recorded = os.path.join(data, 'compliance', 'pattern.json')
check('the pattern is recorded in the data directory', r.returncode == 0 and
      os.path.exists(recorded) and '"pattern":"IV"' in open(recorded).read(), r.stderr)
r = run('assess', 'pattern', '--location', 'moon')
check('a bad answer: exit 1 and one line', r.returncode == 1 and one_line(r.stderr), r.stderr)

# Issue 9: the inspection report, signed; attestations and the matrix (GOV-02, SYS-27).
import json  # noqa: E402
out = os.path.join(tmp, 'report')
os.makedirs(out)
rj = os.path.join(out, 'r.json')
r = run('assess', '--data-dir', data, '--format', 'json', '--lang', 'en', '--out', rj,
        '--no-handshake')
check('assess writes a report', r.returncode == 0 and os.path.exists(rj), r.stderr)
report = json.load(open(rj))
check('the recorded pattern is used', report['pattern'] == 'IV' and report['pattern_recorded'],
      str(report.get('pattern')))
verify = subprocess.run(['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', rj + '.pub.pem',
                         '-rawin', '-in', rj, '-sigfile', rj + '.sig'],
                        capture_output=True, text=True)
check('the report signature verifies with openssl', verify.returncode == 0,
      verify.stdout + verify.stderr)
evidence = os.path.join(out, 'appointment.txt')
with open(evidence, 'w') as f:
    f.write('appointment letter\n')
r = run('assess', 'attest', 'GOV-02', '--data-dir', data, '--by', 'director', '--text',
        'security officer appointed', '--file', evidence, '--expires', '2099-01-01')
check('attest records an attestation', r.returncode == 0, r.stderr)
r = run('assess', 'matrix', 'SYS-27', '--data-dir', data, '--by', 'director', '--party', 'cloud',
        '--name', 'Cloud KK')
check('matrix sets an owner', r.returncode == 0, r.stderr)
r = run('assess', 'attest', 'NOPE-99', '--data-dir', data, '--by', 'x', '--text', 'y')
check('an unknown ID is refused in one line', r.returncode == 1 and one_line(r.stderr), r.stderr)
r = run('assess', '--data-dir', data, '--format', 'json', '--no-handshake')
report = json.loads(r.stdout)
items = {i['id']: i for i in report['items']}
check('the attestation shows', items['GOV-02']['state'] == 'attested' and
      any('appointment.txt' in e for e in items['GOV-02']['evidence']), str(items['GOV-02']))
check('the matrix shows', items['SYS-27']['owner'] == 'cloud' and
      items['SYS-27']['owner_name'] == 'Cloud KK', str(items['SYS-27']))
empty = os.path.join(tmp, 'no-backups')
os.makedirs(empty)
r = run('assess', '--data-dir', data, '--backup', empty, '--no-handshake', '--out',
        os.path.join(out, 'r.html'))
check('a failing required item exits 1 naming it in one line',
      r.returncode == 1 and 'SYS-27' in r.stderr.splitlines()[-1], r.stderr)
check('the html report is Japanese by default',
      '評価報告書' in open(os.path.join(out, 'r.html'), encoding='utf-8').read())
r = run('assess', '--data-dir', data, '--format', 'pdf', '--no-handshake', '--out',
        os.path.join(out, 'r.pdf'))
check('the pdf report is written', open(os.path.join(out, 'r.pdf'), 'rb').read(4) == b'%PDF',
      r.stderr)

finish()
