#!/usr/bin/env python3
"""Issue 4 "What must be true": `kill -9` loses no acknowledged write.

Part 1, the server (3 rounds on one data directory): 4 client threads create Patients and
Observations, update their own Patients with If-Match and post small transaction Bundles over
HTTPS keep-alive, recording every acknowledged id and version (201/200 with ETag and Location, or
a transaction-response entry). After a random number of acknowledgements the server gets SIGKILL
(its pid from Popen; never pkill). After a restart, every acknowledged id reads 200 with a version
>= the acknowledged one, every acknowledged version vreads with the body its writer sent, and the
history totals are >= the acknowledged counts.

Part 2, the importer: `mamori import` of the 11 Synthea bundles gets SIGKILL as soon as its stdout
reports one file. After `mamori serve` restarts on the directory, the Patient of every reported
file is found by identifier (conditional create answers 200, not 201), the history holds every
entry of the reported files, and no transaction is half there (the total is the reported entries
plus whole bundles).
Usage: vault_crash_test.py MAMORI_BINARY
"""
import glob
import http.client
import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402
from testlib import check, failures, finish, FhirClient as Client, version_of  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1])
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared')
SYNTHEA = sorted(glob.glob(os.path.join(SHARED, 'data', 'fhir', 'synthea', '*.json')))
SYNTHEA_SYSTEM = 'https://github.com/synthetichealth/synthea'
ROUNDS = 3
THREADS = 4
MAX_OPS_PER_THREAD = 400      # bound on each writer per round
ROUND_DEADLINE_S = 60         # bound on each round
SEED = int(os.environ.get('MAMORI_TEST_SEED', random.SystemRandom().randrange(1 << 30)))
rng = random.Random(SEED)




def parse_location(location):
    """'.../Type/id/_history/3' -> ('Type', 'id', 3), or None."""
    m = re.search(r'([A-Za-z]+)/([A-Za-z0-9\-.]{1,64})/_history/(\d+)$', location or '')
    return (m.group(1), m.group(2), int(m.group(3))) if m else None


class Ledger:
    """Every acknowledged write: (type, id, version) -> the marker its body carried."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}
        self.round_acks = 0
        self.unexpected = []
        self.changed = threading.Condition(self.lock)

    def ack(self, type_, id_, version, marker):
        with self.lock:
            self.acked[(type_, id_, version)] = marker
            self.round_acks += 1
            self.changed.notify_all()

    def note_unexpected(self, what):
        with self.lock:
            self.unexpected.append(what)


def patient(marker, id_=None):
    p = {'resourceType': 'Patient', 'name': [{'family': 'Crash', 'given': [marker]}],
         'gender': 'other'}
    if id_:
        p['id'] = id_
    return p


def observation(marker, subject):
    return {'resourceType': 'Observation', 'status': 'final', 'code': {'text': marker},
            'subject': {'reference': subject}}


def writer(server, ledger, thread_no, round_no, stop):
    """Writes until the server dies, the op bound is reached or stop is set."""
    client = Client(server, timeout=15)
    own = []  # [(id, version)] of this writer's patients, for updates
    try:
        for i in range(MAX_OPS_PER_THREAD):
            if stop.is_set():
                return
            marker = f'r{round_no}t{thread_no}i{i}'
            if i % 10 == 9:
                pu = f'urn:uuid:{uuid.uuid4()}'
                bundle = {'resourceType': 'Bundle', 'type': 'transaction', 'entry': [
                    {'fullUrl': pu, 'resource': patient(marker),
                     'request': {'method': 'POST', 'url': 'Patient'}},
                    {'resource': observation(marker, pu),
                     'request': {'method': 'POST', 'url': 'Observation'}}]}
                st, h, body = client.call('POST', '/fhir', bundle)
                if st != 200:
                    ledger.note_unexpected(f'transaction {st} {body[:200]}')
                    continue
                for entry in json.loads(body).get('entry', []):
                    loc = parse_location(entry.get('response', {}).get('location'))
                    if loc and entry['response'].get('status', '').startswith('201'):
                        ledger.ack(*loc, marker)
                    else:
                        ledger.note_unexpected(f'transaction entry {entry}')
            elif i % 5 == 4 and own:
                k = rng.randrange(len(own)) if thread_no % 2 else len(own) - 1
                pid, version = own[k]
                st, h, body = client.call('PUT', f'/fhir/Patient/{pid}', patient(marker, pid),
                                          {'If-Match': f'W/"{version}"'})
                if st != 200 or version_of(h.get('etag')) != version + 1:
                    ledger.note_unexpected(f'update {st} {h.get("etag")} {body[:200]}')
                    continue
                own[k] = (pid, version + 1)
                ledger.ack('Patient', pid, version + 1, marker)
            else:
                type_ = 'Observation' if i % 3 == 2 and own else 'Patient'
                body_ = (observation(marker, f'Patient/{own[-1][0]}') if type_ == 'Observation'
                         else patient(marker))
                st, h, body = client.call('POST', f'/fhir/{type_}', body_)
                loc = parse_location(h.get('location'))
                if st != 201 or not loc or version_of(h.get('etag')) != 1 or loc[2] != 1:
                    ledger.note_unexpected(f'create {st} {h.get("location")} {body[:200]}')
                    continue
                ledger.ack(loc[0], loc[1], 1, marker)
                if type_ == 'Patient':
                    own.append((loc[1], 1))
    except (OSError, http.client.HTTPException):
        return  # the server was killed: whatever was in flight is unacknowledged
    finally:
        client.close()


def verify(server, ledger, label):
    """Every acknowledged write is there after a restart."""
    client = Client(server)
    latest = {}
    for (type_, id_, version) in ledger.acked:
        latest[(type_, id_)] = max(version, latest.get((type_, id_), 0))
    missing, stale = [], []
    for (type_, id_), version in latest.items():
        st, h, body = client.call('GET', f'/fhir/{type_}/{id_}')
        if st != 200:
            missing.append(f'{type_}/{id_} -> {st}')
        elif version_of(h.get('etag')) < version:
            stale.append(f'{type_}/{id_} acknowledged v{version}, read {h.get("etag")}')
    check(f'{label}: every acknowledged id reads 200', not missing,
          f'{len(missing)} of {len(latest)}: {missing[:5]}')
    check(f'{label}: every read version >= the acknowledged one', not stale, str(stale[:5]))
    wrong = []
    for (type_, id_, version), marker in ledger.acked.items():
        st, h, body = client.call('GET', f'/fhir/{type_}/{id_}/_history/{version}')
        if st != 200 or marker not in body:
            wrong.append(f'{type_}/{id_}/_history/{version} -> {st} {body[:120]}')
    check(f'{label}: every acknowledged version vreads with the body its writer sent', not wrong,
          f'{len(wrong)} of {len(ledger.acked)}: {wrong[:5]}')
    for type_ in ('Patient', 'Observation'):
        acked = sum(1 for k in ledger.acked if k[0] == type_)
        st, h, body = client.call('GET', f'/fhir/{type_}/_history?_count=1')
        total = json.loads(body).get('total', -1) if st == 200 else -1
        check(f'{label}: {type_} history total >= acknowledged versions', total >= acked,
              f'total {total}, acknowledged {acked}')
    st, h, body = client.call('GET', '/fhir/_history?_count=1')
    total = json.loads(body).get('total', -1) if st == 200 else -1
    check(f'{label}: system history total >= acknowledged versions', total >= len(ledger.acked),
          f'total {total}, acknowledged {len(ledger.acked)}')
    client.close()


def crash_rounds():
    ledger = Ledger()
    server = MamoriServer(MAMORI)
    with server:
        for round_no in range(1, ROUNDS + 1):
            label = f'round {round_no}'
            ledger.round_acks = 0
            ledger.unexpected = []
            target = rng.randrange(40, 250)  # the random moment: after this many acknowledgements
            stop = threading.Event()
            threads = [threading.Thread(target=writer, args=(server, ledger, t, round_no, stop))
                       for t in range(THREADS)]
            for t in threads:
                t.start()
            deadline = time.monotonic() + ROUND_DEADLINE_S
            with ledger.changed:
                while (ledger.round_acks < target and time.monotonic() < deadline
                       and any(t.is_alive() for t in threads)):
                    ledger.changed.wait(timeout=1.0)
            alive = server.proc.poll() is None
            server.proc.send_signal(signal.SIGKILL)  # kill -9 of exactly this server process
            rc = server.proc.wait(30)
            stop.set()
            for t in threads:
                t.join(30)
            check(f'{label}: the server was running when killed', alive and rc == -signal.SIGKILL,
                  f'alive={alive} rc={rc}')
            check(f'{label}: writers stopped', not any(t.is_alive() for t in threads))
            check(f'{label}: writes were acknowledged before the kill (control)',
                  ledger.round_acks >= min(target, 20), f'{ledger.round_acks} < {target}')
            check(f'{label}: no write was refused while the server lived', not ledger.unexpected,
                  str(ledger.unexpected[:3]))
            server.start()
            verify(server, ledger, label)
        rc = server.stop()
        check('the server stops cleanly after the crash rounds', rc == 0, str(rc))
    print(f'crash rounds: {len(ledger.acked)} acknowledged versions checked')
    return server


def start_import(data_dir, env, stdout_path):
    proc = subprocess.Popen([MAMORI, 'import', '--data-dir', data_dir, *SYNTHEA],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=open(stdout_path + '.stderr', 'wb'), env=env)
    lines = queue.Queue()

    def pump():
        for raw in proc.stdout:
            lines.put(raw.decode('utf-8', errors='replace'))
        lines.put(None)
    threading.Thread(target=pump, daemon=True).start()
    return proc, lines


SUMMARY = re.compile(r'^\r?(.+\.json): (\d+) imported, (\d+) rejected')


def import_killed_midway(attempt):
    """Runs and kills one import; returns (server, reported files, killed midway?)."""
    server = MamoriServer(MAMORI)
    subprocess.run([MAMORI, 'init', '--data-dir', server.data_dir], check=True, timeout=60,
                   stdin=subprocess.DEVNULL, capture_output=True, env=server.env)
    proc, lines = start_import(server.data_dir, server.env, os.path.join(server.tmp, 'import'))
    reported, killed = [], False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        m = SUMMARY.match(line)
        if m:
            reported.append((m.group(1), int(m.group(2))))
            if not killed and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)  # kill -9 this import, mid-run
                killed = True
    rc = proc.wait(30)
    # Lines the import wrote before it died are reported too; they were drained above.
    midway = killed and rc == -signal.SIGKILL and len(reported) < len(SYNTHEA)
    print(f'import attempt {attempt}: rc={rc}, {len(reported)} of {len(SYNTHEA)} files reported')
    return server, reported, midway


def import_crash():
    check('11 synthea bundles (control)', len(SYNTHEA) == 11, str(len(SYNTHEA)))
    for attempt in range(1, 4):  # the kill must land while files remain; rarely needs a retry
        server, reported, midway = import_killed_midway(attempt)
        if midway:
            break
        shutil.rmtree(server.tmp, ignore_errors=True)
    check('the import was killed midway, after reporting at least one file',
          midway and len(reported) >= 1, str(reported))
    bundles = {}
    for path in SYNTHEA:
        with open(path, encoding='utf-8') as f:
            bundles[os.path.abspath(path)] = json.load(f)
    return server, reported, bundles


def check_import_after_crash(server, reported, bundles):
    server.start()
    try:
        client = Client(server)
        done = {os.path.abspath(p) for p, _ in reported}
        for path, count in reported:
            check(f'{os.path.basename(path)}: reported count is the bundle size',
                  count == len(bundles[os.path.abspath(path)]['entry']), str(count))
        # Atomic transactions: the store holds the reported bundles and whole others only.
        st, h, body = client.call('GET', '/fhir/_history?_count=1')
        total = json.loads(body).get('total', -1) if st == 200 else -1
        reported_entries = sum(len(bundles[p]['entry']) for p in done)
        others = [len(b['entry']) for p, b in bundles.items() if p not in done]
        sums = {0}
        for n in others:
            sums |= {s + n for s in sums}
        check('history holds every entry of the reported files', total >= reported_entries,
              f'total {total} < {reported_entries}')
        check('no transaction is half stored (total = reported + whole bundles)',
              total - reported_entries in sums, f'total {total}, reported {reported_entries}')
        for path in done:
            resource = next(e['resource'] for e in bundles[path]['entry']
                            if e['resource']['resourceType'] == 'Patient')
            ident = next(i['value'] for i in resource['identifier']
                         if i.get('system') == SYNTHEA_SYSTEM)
            body = {k: v for k, v in resource.items() if k != 'id'}
            st, h, text = client.call('POST', '/fhir/Patient', body,
                                      {'If-None-Exist': f'identifier={SYNTHEA_SYSTEM}|{ident}'})
            check(f'{os.path.basename(path)}: its Patient is found by identifier (200, not 201)',
                  st == 200, f'{st} {text[:200]}')
        # Control: an identifier that was never imported is created, so 200 above means found.
        st, h, text = client.call('POST', '/fhir/Patient', patient('control'),
                                  {'If-None-Exist': f'identifier={SYNTHEA_SYSTEM}|{uuid.uuid4()}'})
        check('control: conditional create of an unknown identifier answers 201', st == 201,
              f'{st} {text[:200]}')
        client.close()
    finally:
        rc = server.stop()
    check('serve after the killed import stops cleanly', rc == 0, str(rc))


started = time.monotonic()
print(f'seed {SEED} (set MAMORI_TEST_SEED to repeat)')
crash_server = crash_rounds()
import_server, import_reported, import_bundles = import_crash()
check_import_after_crash(import_server, import_reported, import_bundles)
if not failures():
    for s in (crash_server, import_server):
        shutil.rmtree(s.tmp, ignore_errors=True)
print(f'elapsed {time.monotonic() - started:.1f} s')
finish()
