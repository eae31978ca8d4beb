#!/usr/bin/env python3
"""The auditor's view of the ledger on a real server (issue 6; GUIDELINE SYS-52, SYS-54):
  - GET /fhir/AuditEvent over HTTPS: the auditor finds the physician's accesses to one patient
    (with the search that listed her among its results); the physician gets 403;
  - `mamori audit search` prints the same events as JSON lines, filtered by patient and principal;
    account administration on the host (`mamori user add`) is in the log too;
  - `mamori audit export --out FILE` writes exactly what `audit search` prints;
  - `mamori audit export --syslog` ships RFC 5424 messages over TLS to a real rsyslogd, which
    parses them (app name, message id, timestamp); `--state` ships only what is new the next time,
    with no gap and no repeat; a collector whose certificate does not verify gets nothing and the
    state file is left as it was, so nothing is skipped.
Usage: audit_export_test.py MAMORI_BINARY
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer, free_port  # noqa: E402
from testlib import FhirClient, check, finish  # noqa: E402

MAMORI = sys.argv[1]
BOM = '\ufeff'


def mamori(server, *args):
    return subprocess.run([MAMORI, *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env=server.env)


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def make_tls(dir_, name):
    """A CA and a certificate for 127.0.0.1 signed by it, with the openssl CLI."""
    ca_key, ca = os.path.join(dir_, name + '-ca.key'), os.path.join(dir_, name + '-ca.pem')
    key, csr, cert = (os.path.join(dir_, name + s) for s in ('.key', '.csr', '.pem'))
    ext = os.path.join(dir_, name + '.ext')
    with open(ext, 'w') as f:
        f.write('subjectAltName=IP:127.0.0.1\n')
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
    run('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
        '-nodes', '-keyout', ca_key, '-out', ca, '-days', '2', '-subj', '/CN=' + name + ' CA')
    run('openssl', 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1')
    run('openssl', 'x509', '-req', '-in', csr, '-CA', ca, '-CAkey', ca_key, '-CAcreateserial',
        '-out', cert, '-days', '2', '-extfile', ext)
    return ca, cert, key


class Rsyslog:
    """rsyslogd in the foreground: TLS (ossl driver) on a free port, one line per message."""

    FIELDS = '%app-name%|%msgid%|%timereported:::date-rfc3339%|%pri%|%msg%\\n'

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, 'rsyslog')
        os.makedirs(os.path.join(self.dir, 'work'))
        self.ca, cert, key = make_tls(self.dir, 'collector')
        self.out = os.path.join(self.dir, 'received.log')
        self.port = free_port()
        conf = os.path.join(self.dir, 'rsyslog.conf')
        with open(conf, 'w') as f:
            f.write(f'''
global(workDirectory="{self.dir}/work" defaultNetstreamDriver="ossl"
       defaultNetstreamDriverCAFile="{self.ca}" defaultNetstreamDriverCertFile="{cert}"
       defaultNetstreamDriverKeyFile="{key}")
module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imtcp" port="{self.port}" address="127.0.0.1")
template(name="fields" type="string" string="{self.FIELDS}")
action(type="omfile" file="{self.out}" template="fields")
''')
        self.proc = subprocess.Popen(['rsyslogd', '-n', '-f', conf, '-i',
                                      os.path.join(self.dir, 'pid')],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 20
        while time.time() < deadline:
            if subprocess.run(['bash', '-c', f'exec 3<>/dev/tcp/127.0.0.1/{self.port}'],
                              capture_output=True).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError('rsyslogd did not listen: ' + self.proc.stderr.read().decode())

    def received(self, at_least, timeout=20):
        """The parsed lines once at least `at_least` have arrived (or at the timeout)."""
        deadline = time.time() + timeout
        lines = []
        while time.time() < deadline:
            if os.path.exists(self.out):
                with open(self.out, encoding='utf-8') as f:
                    lines = [line.rstrip('\n').split('|', 4) for line in f if line.strip()]
                if len(lines) >= at_least:
                    break
            time.sleep(0.2)
        return lines

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


def main():
    with MamoriServer(MAMORI) as server:
        doctor = FhirClient(server)
        status, _, text = doctor.call('POST', '/fhir/Patient',
                                      {'resourceType': 'Patient', 'gender': 'female',
                                       'name': [{'family': 'Canary'}]})
        check('doctor creates a patient', status == 201, str(status))
        pid = json.loads(text)['id']
        doctor.call('GET', f'/fhir/Patient/{pid}')
        doctor.call('GET', '/fhir/Patient?gender=female')
        doctor.call('GET', '/fhir/AuditEvent')  # refused: not an auditor
        doctor.close()

        auditor = FhirClient(server, role='auditor')
        status, _, text = auditor.call('GET', f'/fhir/AuditEvent?patient={pid}&agent=it.doctor')
        page = json.loads(text)
        check('auditor searches AuditEvent', status == 200, str(status))
        subtypes = [e['resource']['subtype'][0]['code'] for e in page.get('entry', [])]
        check('the patient\'s create, read and the search that listed her are found',
              sorted(subtypes) == ['create', 'read', 'search-type'], str(subtypes))
        check('each names the patient as an entity',
              all(any(x.get('what', {}).get('reference') == f'Patient/{pid}'
                      for x in e['resource']['entity']) for e in page.get('entry', [])))
        status, _, text = auditor.call('GET', '/fhir/AuditEvent?subtype=audit-search&outcome=4')
        refused = json.loads(text)
        check('the physician\'s refused AuditEvent search is itself in the trail',
              status == 200 and any(e['resource']['agent'][0]['name'] == 'it.doctor'
                                    for e in refused.get('entry', [])), json.dumps(refused)[:300])
        auditor.close()

        # The CLI reads the database read-only while the server runs.
        r = mamori(server, 'audit', 'search', '--data-dir', server.data_dir, '--patient', pid,
                   '--principal', 'it.doctor')
        check('audit search exits 0', r.returncode == 0, r.stderr)
        events = json_lines(r.stdout)
        check('audit search finds the same three events',
              sorted(e['action'] for e in events) == ['create', 'read', 'search-type'],
              r.stdout)
        check('every line carries its index', all(isinstance(e.get('index'), int) for e in events))
        check('no patient name in the audit output', 'Canary' not in r.stdout)

        # Account administration on the host (the harness ran `mamori user add`) is recorded.
        adds = json_lines(mamori(server, 'audit', 'search', '--data-dir', server.data_dir,
                                 '--action', 'user-add').stdout)
        check('each `mamori user add` left an event naming the account and the OS user',
              {'login=it.doctor', 'login=it.auditor'} <= {e.get('detail') for e in adds} and
              all(e['user'].startswith('os:') and e['method'] == 'CLI' for e in adds),
              json.dumps(adds)[:400])

        out = os.path.join(server.tmp, 'export.jsonl')
        e = mamori(server, 'audit', 'export', '--data-dir', server.data_dir, '--patient', pid,
                   '--principal', 'it.doctor', '--out', out)
        check('audit export --out exits 0', e.returncode == 0, e.stderr)
        with open(out) as f:
            check('the export file equals the search output', f.read() == r.stdout)
        bad = mamori(server, 'audit', 'search', '--data-dir', server.data_dir, '--from', 'soon')
        check('a bad time is one clear line, exit 1',
              bad.returncode == 1 and bad.stderr.count('\n') == 1 and '--from' in bad.stderr,
              bad.stderr)

        collector = Rsyslog(server.tmp)
        try:
            state = os.path.join(server.tmp, 'syslog.state')
            ship = lambda *extra: mamori(server, 'audit', 'export', '--data-dir',  # noqa: E731
                                         server.data_dir, '--syslog',
                                         f'127.0.0.1:{collector.port}', '--state', state, *extra)
            first = ship('--ca', collector.ca)
            check('first export to syslog exits 0', first.returncode == 0, first.stderr)
            with open(state) as f:
                first_next = int(f.read())
            lines = collector.received(first_next)
            check('rsyslog received every event once', len(lines) == first_next,
                  f'{len(lines)} vs {first_next}')
            indexes = [json.loads(m[4].lstrip(BOM))['index'] for m in lines]
            check('in order, no gap', indexes == list(range(first_next)), str(indexes[:10]))
            check('rsyslog parsed RFC 5424: app name, message id, priority',
                  all(m[0] == 'mamori' for m in lines) and
                  {'login', 'create', 'read'} <= {m[1] for m in lines} and
                  {m[3] for m in lines} <= {'84', '85'}, str(lines[:3]))
            check('the event time is the syslog timestamp',
                  lines[0][2].startswith(time.strftime('%Y-', time.gmtime())), lines[0][2])

            client = FhirClient(server)
            client.call('GET', f'/fhir/Patient/{pid}')
            client.close()
            wrong_ca, _, _ = make_tls(server.tmp, 'stranger')
            refused = ship('--ca', wrong_ca)
            check('a collector that does not verify: exit 1, one line naming the cause',
                  refused.returncode == 1 and 'TLS to the syslog collector' in refused.stderr and
                  refused.stderr.count('\n') == 1, refused.stderr)
            with open(state) as f:
                check('the state file is left as it was', int(f.read()) == first_next)
            second = ship('--ca', collector.ca)
            check('second export exits 0', second.returncode == 0, second.stderr)
            with open(state) as f:
                second_next = int(f.read())
            lines = collector.received(second_next)
            indexes = [json.loads(m[4].lstrip(BOM))['index'] for m in lines]
            check('the second export continues where the first stopped, nothing repeated',
                  indexes == list(range(second_next)) and second_next > first_next,
                  f'{indexes[-5:]} next {second_next}')
        finally:
            collector.stop()
            shutil.rmtree(collector.dir, ignore_errors=True)
    finish()


if __name__ == '__main__':
    main()
