#!/usr/bin/env python3
"""Issue 4 "What must be true": 8 concurrent writers updating the same resources with If-Match
lose no update.

8 writer threads (one keep-alive HTTPS connection each) update the same 3 Patients: GET the current
version, PUT a body naming the writer, its counter and the version it read (Patient.name.given and
an extension) with If-Match, and retry on 412, until each writer has a fixed number of successful
updates. Afterwards, for each Patient:
  - final version == 1 + the number of 200s the writers got for it;
  - its _history holds versions 1..final exactly once, and total == final;
  - every acknowledged version is in the history with the body its writer sent;
  - every version v >= 2 was built on version v-1 (an update on a stale read would be a lost
    update), and every version >= 2 is one some writer was told succeeded (no phantom writes).
Controls: a stale If-Match gets 412 and changes nothing; the writers did meet conflicts.
Usage: vault_concurrency_test.py MAMORI_BINARY
"""
import http.client
import json
import os
import re
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402
from testlib import check, failures, finish, FhirClient as Client, version_of  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1])
WRITERS = 8
RESOURCES = ['conc-a', 'conc-b', 'conc-c']
UPDATES_PER_WRITER = 12        # successful updates each writer must get
MAX_ATTEMPTS_PER_WRITER = 2000  # bound on GET+PUT rounds per writer
DEADLINE_S = 90                 # bound on the whole write phase
EXT_URL = 'urn:mamori-test:concurrency-writer'




def body_for(rid, marker, base):
    return {'resourceType': 'Patient', 'id': rid,
            'extension': [{'url': EXT_URL, 'valueString': f'{marker}|base={base}'}],
            'name': [{'family': 'Concurrency', 'given': [marker]}]}


def marker_of(resource):
    """(given marker, base version) of a stored body."""
    given = resource.get('name', [{}])[0].get('given', [''])[0]
    ext = next((e.get('valueString', '') for e in resource.get('extension', [])
                if e.get('url') == EXT_URL), '')
    m = re.fullmatch(r'(.*)\|base=(\d+)', ext)
    return given, (int(m.group(2)) if m and m.group(1) == given else -1)


lock = threading.Lock()
acked = []        # (resource id, version, marker, base)
conflicts = [0]
unexpected = []


def writer(server, w, deadline):
    client = Client(server)
    done = 0
    try:
        for attempt in range(MAX_ATTEMPTS_PER_WRITER):
            if done >= UPDATES_PER_WRITER or time.monotonic() > deadline:
                break
            rid = RESOURCES[(w + done) % len(RESOURCES)]
            st, h, text = client.call('GET', f'/fhir/Patient/{rid}')
            base = version_of(h.get('etag'))
            if st != 200 or base == 0:
                with lock:
                    unexpected.append(f'w{w} GET {st} {text[:200]}')
                break
            marker = f'w{w}-c{done}-a{attempt}'
            st, h, text = client.call('PUT', f'/fhir/Patient/{rid}', body_for(rid, marker, base),
                                      {'If-Match': f'W/"{base}"'})
            if st == 412:
                with lock:
                    conflicts[0] += 1
                continue
            if st != 200 or version_of(h.get('etag')) != base + 1:
                with lock:
                    unexpected.append(f'w{w} PUT {st} {h.get("etag")} after base {base}: '
                                      f'{text[:200]}')
                break
            with lock:
                acked.append((rid, base + 1, marker, base))
            done += 1
    finally:
        client.close()


def history(client, rid):
    st, h, text = client.call('GET', f'/fhir/Patient/{rid}/_history?_count=1000')
    if st != 200:
        return -1, {}, []
    bundle = json.loads(text)
    versions = []
    by_version = {}
    for entry in bundle.get('entry', []):
        resource = entry.get('resource', {})
        v = int(resource.get('meta', {}).get('versionId', '0'))
        versions.append(v)
        by_version[v] = resource
    return bundle.get('total', -1), by_version, versions


started = time.monotonic()
server = MamoriServer(MAMORI)
with server:
    setup = Client(server)
    for rid in RESOURCES:
        st, h, text = setup.call('PUT', f'/fhir/Patient/{rid}', body_for(rid, 'initial', 0))
        check(f'{rid}: update-as-create answers 201 with version 1',
              st == 201 and version_of(h.get('etag')) == 1, f'{st} {text[:200]}')

    # Control: a stale If-Match is refused and changes nothing.
    st, h, text = setup.call('PUT', f'/fhir/Patient/{RESOURCES[0]}',
                             body_for(RESOURCES[0], 'stale', 0), {'If-Match': 'W/"7"'})
    check('control: a stale If-Match answers 412', st == 412, f'{st} {text[:200]}')
    st, h, text = setup.call('GET', f'/fhir/Patient/{RESOURCES[0]}')
    check('control: the refused update changed nothing',
          st == 200 and version_of(h.get('etag')) == 1 and 'stale' not in text,
          f'{st} {text[:200]}')

    deadline = time.monotonic() + DEADLINE_S
    threads = [threading.Thread(target=writer, args=(server, w, deadline)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE_S + 60)
    check('writers finished', not any(t.is_alive() for t in threads))
    check('no writer saw an answer other than 200 or 412', not unexpected, str(unexpected[:3]))
    check('every writer got its updates', len(acked) == WRITERS * UPDATES_PER_WRITER,
          f'{len(acked)} of {WRITERS * UPDATES_PER_WRITER}')
    check('control: the writers met conflicts (412 then retry)', conflicts[0] > 0,
          str(conflicts[0]))
    print(f'{len(acked)} updates acknowledged, {conflicts[0]} conflicts retried')

    for rid in RESOURCES:
        mine = [a for a in acked if a[0] == rid]
        st, h, text = setup.call('GET', f'/fhir/Patient/{rid}')
        final = version_of(h.get('etag'))
        check(f'{rid}: final version == 1 + acknowledged updates', final == 1 + len(mine),
              f'final {final}, acknowledged {len(mine)}')
        check(f'{rid}: acknowledged versions are distinct',
              len({a[1] for a in mine}) == len(mine), str(sorted(a[1] for a in mine)))
        total, by_version, versions = history(setup, rid)
        check(f'{rid}: history total == final version', total == final, f'{total} vs {final}')
        check(f'{rid}: history holds versions 1..final exactly once',
              sorted(versions) == list(range(1, final + 1)), str(sorted(versions)))
        missing = [a for a in mine if marker_of(by_version.get(a[1], {})) != (a[2], a[3])]
        check(f'{rid}: every acknowledged version is in history with its writer\'s body',
              not missing, str(missing[:3]))
        stale = [v for v, r in by_version.items() if v >= 2 and marker_of(r)[1] != v - 1]
        check(f'{rid}: every version was built on the one before (no lost update)', not stale,
              str([(v, marker_of(by_version[v])) for v in stale[:3]]))
        phantom = {v for v in by_version if v >= 2} - {a[1] for a in mine}
        check(f'{rid}: every stored update was acknowledged to a writer', not phantom,
              str(sorted(phantom)[:5]))
    setup.close()
    rc = server.stop()
    check('serve stops cleanly', rc == 0, str(rc))

if not failures():
    shutil.rmtree(server.tmp, ignore_errors=True)
print(f'elapsed {time.monotonic() - started:.1f} s')
finish()
