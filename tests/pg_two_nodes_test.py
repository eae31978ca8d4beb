#!/usr/bin/env python3
"""Issue 10 "What must be true": two mamori nodes on one PostgreSQL database, each taking writes
concurrently: every resource version and every ledger leaf is present once, `mamori audit verify`
passes, and no update is lost under If-Match. Tree heads pass to the other node when the issuing
node stops.

A throwaway PostgreSQL is started (tests/pg_fixture.py). Node A is made with
`mamori init --store URL`; node B's data directory is a copy of A's (same master key, config and
TLS; its own lock, its own tree head export file) and serves the same database. Both run with
sth_interval_ms = 500.
  1. 4 writer threads per node update the same 3 Patients with GET + PUT If-Match (retrying on
     412) until each has a fixed number of successes, and each creates Observations.
  2. Per Patient: final version == 1 + the 200s the writers got; _history (read through the other
     node) holds versions 1..final once; every version >= 2 was built on the one before it.
  3. Every created Observation reads back from both nodes.
  4. The database: ledger_leaf indexes are 0..n-1, each once; no (type, id, version) twice.
  5. Node A stops; node B keeps writing; within a few seconds a tree head covering every leaf
     appears (B took over the issuer lock). Both stopped, `mamori audit verify` exits 0 and
     reports every leaf.
Usage: pg_two_nodes_test.py MAMORI_BINARY
"""
import os
import re
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402
from testlib import check, failures, finish, FhirClient as Client, version_of  # noqa: E402
import pg_fixture  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1])
WRITERS_PER_NODE = 4
RESOURCES = ['two-a', 'two-b', 'two-c']
UPDATES_PER_WRITER = 8
CREATES_PER_WRITER = 5
EXT_URL = 'urn:mamori-test:two-nodes'

pg = pg_fixture.start_or_skip('pg_two_nodes')
url = pg.url('mamori')
lock = threading.Lock()
acked = []        # (resource id, version, marker, base)
created = []      # Observation ids
conflicts = [0]
unexpected = []


def body_for(rid, marker, base):
    return {'resourceType': 'Patient', 'id': rid,
            'extension': [{'url': EXT_URL, 'valueString': f'{marker}|base={base}'}],
            'name': [{'family': 'TwoNodes', 'given': [marker]}]}


def writer(server, name, deadline):
    client = Client(server)
    done = creates = attempts = 0
    try:
        while (done < UPDATES_PER_WRITER or creates < CREATES_PER_WRITER) and \
                time.monotonic() < deadline and attempts < 2000:
            attempts += 1
            if creates < CREATES_PER_WRITER and attempts % 2 == 0:
                st, h, text = client.call('POST', '/fhir/Observation', {
                    'resourceType': 'Observation', 'status': 'final', 'code': {'text': name},
                    'subject': {'reference': f'Patient/{RESOURCES[0]}'}})
                if st != 201:
                    with lock:
                        unexpected.append(f'{name} POST {st} {text[:200]}')
                    return
                with lock:
                    created.append(re.search(r'Observation/([^/]+)/', h.get('location', '')).group(1))
                creates += 1
                continue
            if done >= UPDATES_PER_WRITER:
                continue
            rid = RESOURCES[(attempts + done) % len(RESOURCES)]
            st, h, text = client.call('GET', f'/fhir/Patient/{rid}')
            base = version_of(h.get('etag'))
            if st != 200 or base == 0:
                with lock:
                    unexpected.append(f'{name} GET {st} {text[:200]}')
                return
            marker = f'{name}-c{done}-a{attempts}'
            st, h, text = client.call('PUT', f'/fhir/Patient/{rid}', body_for(rid, marker, base),
                                      {'If-Match': f'W/"{base}"'})
            if st == 412:
                with lock:
                    conflicts[0] += 1
                continue
            if st != 200:
                with lock:
                    unexpected.append(f'{name} PUT {st} {text[:200]}')
                return
            with lock:
                acked.append((rid, version_of(h.get('etag')), marker, base))
            done += 1
    finally:
        client.close()


def psql(sql):
    return pg.psql('mamori', sql).strip()


def newest_head_size():
    return int(psql('SELECT coalesce((SELECT tree_size FROM ledger_sth ORDER BY seq DESC '
                    'LIMIT 1), -1)'))


a = MamoriServer(MAMORI, init_args=['--store', url])
b = None
try:
    subprocess.run([MAMORI, 'init', '--data-dir', a.data_dir, '--store', url], check=True,
                   stdin=subprocess.DEVNULL, capture_output=True, env=a.env, timeout=120)
    config = os.path.join(a.data_dir, 'config.toml')
    text = open(config).read()
    check('init recorded the store URL in config.toml', f'url = "{url}"' in text, text[-300:])
    check('init made no SQLite file', not os.path.exists(os.path.join(a.data_dir, 'mamori.db')))
    with open(config, 'w') as f:
        f.write(text.replace('sth_interval_ms = 5000', 'sth_interval_ms = 500'))
    mig = subprocess.run([MAMORI, 'migrate', '--data-dir', a.data_dir], capture_output=True,
                         text=True, timeout=60)
    check('mamori migrate on a current schema says so', mig.returncode == 0 and
          'schema is current (version 1)' in mig.stdout, mig.stdout + mig.stderr)
    a.start()
    b_dir = os.path.join(a.tmp, 'node-b')
    shutil.copytree(a.data_dir, b_dir, ignore=shutil.ignore_patterns('mamori.lock', 'sth.bin'))
    b = MamoriServer(MAMORI, data_dir=b_dir, test_users=False)
    b.start()
    b.codes, b.password = a.codes, a.password   # the accounts live in the shared database
    for role in ('physician', 'auditor'):
        b.login(role)
    ca, cb = Client(a), Client(b)
    for rid in RESOURCES:
        st, _, text = ca.call('PUT', f'/fhir/Patient/{rid}', body_for(rid, 'init', 0))
        check(f'{rid} created through node A', st == 201, f'{st} {text[:200]}')
        st, h, _ = cb.call('GET', f'/fhir/Patient/{rid}')
        check(f'{rid} reads through node B', st == 200 and version_of(h.get('etag')) == 1, str(st))

    # --- 1. Concurrent writers on both nodes.
    deadline = time.monotonic() + 120
    threads = [threading.Thread(target=writer, args=(node, f'{label}{w}', deadline))
               for label, node in (('a', a), ('b', b)) for w in range(WRITERS_PER_NODE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check('no unexpected answer', not unexpected, '; '.join(unexpected[:5]))
    total = 2 * WRITERS_PER_NODE * UPDATES_PER_WRITER
    check('every writer got its updates', len(acked) == total, f'{len(acked)} of {total}')
    check('writers on the two nodes met If-Match conflicts (control)', conflicts[0] > 0,
          str(conflicts[0]))

    # --- 2. No lost update.
    for rid in RESOURCES:
        mine = sorted(v for r, v, _, _ in acked if r == rid)
        st, h, text = ca.call('GET', f'/fhir/Patient/{rid}')
        final = version_of(h.get('etag'))
        check(f'{rid}: final version is 1 + its acknowledged updates', final == 1 + len(mine),
              f'{final} vs {len(mine)}')
        check(f'{rid}: acknowledged versions are 2..final once each',
              mine == list(range(2, final + 1)), str(mine))
        st, _, text = cb.call('GET', f'/fhir/Patient/{rid}/_history?_count=1000')
        import json
        bundle = json.loads(text) if st == 200 else {}
        versions = sorted(int(e['resource']['meta']['versionId'])
                          for e in bundle.get('entry', []))
        check(f'{rid}: history through node B holds 1..final once', bundle.get('total') == final
              and versions == list(range(1, final + 1)), f'{st} {bundle.get("total")} {versions}')
        by_version = {int(e['resource']['meta']['versionId']): e['resource']
                      for e in bundle.get('entry', [])}
        broken = []
        for v in range(2, final + 1):
            ext = next((x['valueString'] for x in by_version.get(v, {}).get('extension', [])
                        if x.get('url') == EXT_URL), '')
            if not ext.endswith(f'|base={v - 1}'):
                broken.append(f'v{v}:{ext}')
        check(f'{rid}: every version was built on the one before it', not broken, str(broken))

    # --- 3. Creates on either node read back on both.
    check('every create was acknowledged', len(created) == 2 * WRITERS_PER_NODE *
          CREATES_PER_WRITER, str(len(created)))
    missing = [oid for oid in created for c in (ca, cb)
               if c.call('GET', f'/fhir/Observation/{oid}')[0] != 200]
    check('every created Observation reads through both nodes', not missing, str(missing[:5]))

    # --- 4. The rows in the database.
    leaves, distinct, top = psql('SELECT count(*), count(DISTINCT idx), coalesce(max(idx)+1, 0) '
                                 'FROM ledger_leaf').split('|')
    check('ledger leaves are 0..n-1, each once', leaves == distinct == top and int(leaves) > total,
          f'{leaves} {distinct} {top}')
    dup = psql('SELECT count(*) FROM (SELECT 1 FROM resource_version GROUP BY type, id, version '
               'HAVING count(*) > 1) d')
    check('no resource version is stored twice', dup == '0', dup)

    # --- 5. Issuer hand-over, then the audit verifier over everything.
    a.stop()
    for i in range(3):
        st, _, _ = cb.call('PUT', f'/fhir/Patient/{RESOURCES[0]}',
                           body_for(RESOURCES[0], f'after-{i}', 0))
        check(f'node B keeps writing after node A stopped ({i})', st == 200, str(st))
    leaves_now = int(psql('SELECT count(*) FROM ledger_leaf'))
    for _ in range(60):
        if newest_head_size() == int(psql('SELECT count(*) FROM ledger_leaf')):
            break
        time.sleep(0.25)
    check('node B took over the tree heads: the newest covers every leaf',
          newest_head_size() == int(psql('SELECT count(*) FROM ledger_leaf')),
          f'{newest_head_size()} vs {leaves_now}')
    ca.close()
    cb.close()
    b.stop()
    verify = subprocess.run([MAMORI, 'audit', 'verify', '--data-dir', a.data_dir],
                            capture_output=True, text=True, timeout=120)
    final_leaves = int(psql('SELECT count(*) FROM ledger_leaf'))
    check('mamori audit verify passes over both nodes\' leaves', verify.returncode == 0 and
          verify.stdout.startswith(f'OK: {final_leaves} leaves'), verify.stdout + verify.stderr)
    print(f'two nodes: {total} updates, {conflicts[0]} If-Match conflicts, {len(created)} creates, '
          f'{final_leaves} leaves, {psql("SELECT count(*) FROM ledger_sth")} tree heads')
finally:
    a.stop()
    if b:
        b.stop()
    pg.__exit__(None, None, None)

if not failures():
    shutil.rmtree(a.tmp, ignore_errors=True)
finish()
