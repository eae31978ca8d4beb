#!/usr/bin/env python3
"""Issue 10 "What must be true" (GUIDELINE SYS-24, EMG-06): with a standby in synchronous mode, stopping the primary mid-load
and promoting the standby loses no acknowledged write, and clients see only 503s (with
Retry-After) during the switch.

A throwaway primary and a streaming standby (pg_basebackup -R) are started on free ports; the
primary waits for the standby on every commit (synchronous_standby_names = '*',
synchronous_commit = on). mamori's store URL names both hosts with
target_session_attrs=read-write, so libpq connects to whichever accepts writes.
  1. 4 writer threads POST Patients (each with a unique identifier) and GET them back, without
     pause, for the whole test; every answer is recorded.
  2. After ~3 s of load the primary is stopped with `pg_ctl -m immediate` (no shutdown
     checkpoint: as if the process died); 2 s later the standby is promoted.
  3. The load continues until writes have succeeded again for 2 s.
  4. Checks: every answer is 201/200 or 503, and every 503 carries Retry-After; there were 503s
     (control: the outage was seen) and 201s after the promotion (mamori reconnected); every
     Patient acknowledged with 201, before or after the switch, reads back with the identifier
     sent; the new primary holds each of them once; `mamori audit verify` passes.
Usage: pg_failover_test.py MAMORI_BINARY
"""
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402
from testlib import check, failures, finish, FhirClient as Client  # noqa: E402
import pg_fixture  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1])
WRITERS = 4
SYSTEM = 'urn:mamori-test:failover'

primary = pg_fixture.start_or_skip('pg_failover', extra_options='-c synchronous_commit=on')
standby_base = standby_root = None
lock = threading.Lock()
answers = []      # (phase, method, status, has Retry-After)
acked = {}        # patient id -> identifier
phase = ['before']
stop_load = threading.Event()


def writer(server, w):
    client = Client(server, timeout=60)
    n = 0
    try:
        while not stop_load.is_set():
            n += 1
            ident = f'fo-{w}-{n}-{secrets.token_hex(4)}'
            p = phase[0]
            try:
                st, h, text = client.call('POST', '/fhir/Patient', {
                    'resourceType': 'Patient', 'identifier': [{'system': SYSTEM, 'value': ident}],
                    'name': [{'family': 'Failover'}]})
            except OSError as e:  # a dropped connection is not an answer; reconnect
                with lock:
                    answers.append((p, 'POST', f'connection error {e}', False))
                client.close()
                client = Client(server, timeout=60)
                continue
            with lock:
                answers.append((p, 'POST', st, 'retry-after' in h))
            if st == 201:
                pid = json.loads(text)['id']
                with lock:
                    acked[pid] = ident
                st, h, _ = client.call('GET', f'/fhir/Patient/{pid}')
                with lock:
                    answers.append((phase[0], 'GET', st, 'retry-after' in h))
            elif st == 503:
                time.sleep(0.05)
    finally:
        client.close()


server = None
try:
    db_url = primary.url('mamori')
    standby_base, standby_root = pg_fixture.start_standby(primary.base, synchronous=True)
    sync = pg_fixture.psql_at(primary.base, 'postgres',
                              'SELECT sync_state FROM pg_stat_replication')
    check('the standby streams in synchronous mode', sync == 'sync', sync)
    p_hostport = primary.base.split('@')[1]
    s_hostport = standby_base.split('@')[1]
    store_url = (f'postgresql://mamori@{p_hostport},{s_hostport}/mamori'
                 '?target_session_attrs=read-write&connect_timeout=2')
    server = MamoriServer(MAMORI, init_args=['--store', store_url])
    server.__enter__()
    threads = [threading.Thread(target=writer, args=(server, w)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    time.sleep(3)
    before = len(acked)
    phase[0] = 'outage'
    r = pg_fixture.pg_ctl(primary.root, '-m', 'immediate', 'stop')
    check('the primary stopped (immediate)', r.returncode == 0, r.stderr)
    time.sleep(2)
    r = pg_fixture.pg_ctl(standby_root, 'promote')
    check('the standby was promoted', r.returncode == 0, r.stdout + r.stderr)
    phase[0] = 'promoted'
    deadline = time.monotonic() + 60
    recovered_at = None
    while time.monotonic() < deadline:
        with lock:
            ok_after = any(a[0] == 'promoted' and a[2] == 201 for a in answers)
        if ok_after and recovered_at is None:
            recovered_at = time.monotonic()
        if recovered_at and time.monotonic() - recovered_at > 2:
            break
        time.sleep(0.1)
    phase[0] = 'after'
    time.sleep(1)
    stop_load.set()
    for t in threads:
        t.join()

    statuses = {}
    for p, method, st, _ in answers:
        statuses.setdefault((p, method, st), 0)
        statuses[(p, method, st)] += 1
    summary = ', '.join(f'{p} {m} {s}: {n}' for (p, m, s), n in sorted(statuses.items(),
                                                                        key=str))
    print('answers:', summary)
    bad = [a for a in answers if a[2] not in (200, 201, 503)]
    check('every answer is 200/201 or 503 (no wrong answer, no other error)', not bad,
          str(bad[:5]))
    no_retry = [a for a in answers if a[2] == 503 and not a[3]]
    check('every 503 carries Retry-After', not no_retry, str(no_retry[:3]))
    check('clients saw 503s during the switch (control)', any(a[2] == 503 for a in answers))
    check('writes were acknowledged before the primary stopped (control)', before > 10,
          str(before))
    check('mamori reconnected to the promoted standby: 201s after the switch',
          recovered_at is not None, summary)

    # Every acknowledged write, read back through mamori from the new primary.
    client = Client(server)
    lost = []
    for pid, ident in acked.items():
        st, _, text = client.call('GET', f'/fhir/Patient/{pid}')
        if st != 200 or ident not in text:
            lost.append((pid, st))
    client.close()
    check(f'every acknowledged Patient ({len(acked)}) reads back after the failover', not lost,
          str(lost[:5]))
    versions = pg_fixture.psql_at(standby_base, 'mamori',
                                  "SELECT count(*), count(DISTINCT id) FROM resource_version "
                                  "WHERE type = 'Patient'")
    total, distinct = (int(x) for x in versions.split('|'))
    check('the new primary holds every acknowledged Patient, each version once',
          distinct >= len(acked) and total == distinct, f'{total} {distinct} {len(acked)}')
    rc = server.stop()
    check('serve exits 0', rc == 0, str(rc))
    verify = subprocess.run([MAMORI, 'audit', 'verify', '--data-dir', server.data_dir],
                            capture_output=True, text=True, timeout=120)
    check('mamori audit verify passes on the promoted standby',
          verify.returncode == 0 and verify.stdout.startswith('OK:'),
          verify.stdout + verify.stderr)
    print(f'failover: {len(acked)} acknowledged creates, {before} before the switch; '
          f'{sum(1 for a in answers if a[2] == 503)} answers were 503')
finally:
    stop_load.set()
    if server:
        server.stop()
    primary.__exit__(None, None, None)
    if standby_root:
        pg_fixture.stop(standby_root)

if not failures() and server:
    shutil.rmtree(server.tmp, ignore_errors=True)
finish()
