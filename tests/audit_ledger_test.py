#!/usr/bin/env python3
"""The audit ledger on a real data directory (issue 6; GUIDELINE PLAN-10, SYS-54):
  - every request leaves an event and `mamori audit verify` passes an untouched log;
  - the tamper catalogue, each on a copy of the data directory edited with sqlite3, is detected
    with its index: a flipped leaf byte, a deleted row, two swapped rows, and truncate-and-re-append
    (the server resumes on the truncated log and signs new heads, so only a consistency check
    against a head exported earlier catches it: `audit verify --against`);
  - the independent verifier (audit_verifier.py: hashlib + openssl) checks an inclusion and a
    consistency proof fetched over HTTPS, and rejects a proof with a flipped byte.
Usage: audit_ledger_test.py MAMORI_BINARY
"""
import base64
import os
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audit_verifier  # noqa: E402
from mamori_server import MamoriServer  # noqa: E402
from testlib import FhirClient, check, finish  # noqa: E402

MAMORI = sys.argv[1]


def requests(server, n):
    client = FhirClient(server)
    for i in range(n):
        status, _, _ = client.call('PUT', f'/fhir/Patient/p{i}',
                                   {'resourceType': 'Patient', 'id': f'p{i}'})
        check('seed write', status in (200, 201), str(status))
        client.call('GET', f'/fhir/Patient/p{i}')
    client.call('GET', '/fhir/Patient/nobody')
    client.close()


def verify(data_dir, *extra):
    r = subprocess.run([MAMORI, 'audit', 'verify', '--data-dir', data_dir, *extra],
                       capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def leaf_count(data_dir):
    with sqlite3.connect(os.path.join(data_dir, 'mamori.db')) as db:
        return db.execute('SELECT count(*) FROM ledger_leaf').fetchone()[0]


def tampered_copy(server, name, sql_edit):
    """A copy of the data directory with `sql_edit(db)` applied."""
    copy = os.path.join(server.tmp, name)
    shutil.copytree(server.data_dir, copy)
    db = sqlite3.connect(os.path.join(copy, 'mamori.db'))
    sql_edit(db)
    db.commit()
    db.close()
    return copy


def flip_byte(db, index):
    leaf = bytearray(db.execute('SELECT leaf FROM ledger_leaf WHERE idx=?', (index,)).fetchone()[0])
    leaf[-5] ^= 0x01
    db.execute('UPDATE ledger_leaf SET leaf=? WHERE idx=?', (bytes(leaf), index))


def swap(db, a, b):
    la = db.execute('SELECT leaf FROM ledger_leaf WHERE idx=?', (a,)).fetchone()[0]
    lb = db.execute('SELECT leaf FROM ledger_leaf WHERE idx=?', (b,)).fetchone()[0]
    db.execute('UPDATE ledger_leaf SET leaf=? WHERE idx=?', (lb, a))
    db.execute('UPDATE ledger_leaf SET leaf=? WHERE idx=?', (la, b))


def truncate(db, keep):
    """Drops every leaf from `keep` on, the nodes over them and the heads that cover them."""
    db.execute('DELETE FROM ledger_leaf WHERE idx >= ?', (keep,))
    db.execute('DELETE FROM ledger_node WHERE ((idx + 1) << level) > ?', (keep,))
    db.execute('DELETE FROM ledger_sth WHERE tree_size > ?', (keep,))


def affected(server, principal, t0, t1):
    r = subprocess.run([MAMORI, 'audit', 'affected', '--data-dir', server.data_dir, '--principal',
                        principal, '--from', str(t0), '--to', str(t1)],
                       capture_output=True, text=True, timeout=120, env=server.env)
    return r.returncode, r.stdout.split(), r.stderr


server = MamoriServer(MAMORI)
t_start = int(time.time() * 1000)
with server:
    # The harness's logins are events too (3 per test user: login, password change, login).
    before = leaf_count(server.data_dir)
    requests(server, 6)
    audit_verifier.HEADERS = server.auth_header('auditor')
    # The newest head may still be one `mamori user add` signed before the server started; wait
    # for the server's own (every 5 s) so that it vouches for the requests above.
    deadline = time.time() + 20
    sth_requests = 0
    while True:
        body = audit_verifier.fetch_json(server.url(''), '/audit/sth', server.ca_file)
        sth_requests += 1
        if body['tree_size'] >= before + 13 or time.time() > deadline:
            break
        time.sleep(0.5)
    early_head = base64.b64decode(body['sth'])
    t_mid = int(time.time() * 1000)
    requests(server, 3)
    t_end = int(time.time() * 1000)
server.stop()  # signs a final head

# GUIDELINE PLAN-05 leak scoping: exactly the patients read in the window; the failed read of
# "nobody" and the writes disclose nothing; another principal read nothing.
code, patients, err = affected(server, 'it.doctor', t_start, t_end)
check('affected lists every patient read', code == 0 and patients == [f'p{i}' for i in range(6)],
      f'{code} {patients} {err}')
code, patients, err = affected(server, 'it.doctor', t_mid, t_end)
check('affected honours the window', code == 0 and patients == ['p0', 'p1', 'p2'],
      f'{code} {patients} {err}')
code, patients, err = affected(server, 'dr-nobody', t_start, t_end)
check('affected is empty for another principal', code == 0 and patients == [], f'{patients} {err}')
export_file = os.path.join(server.data_dir, 'audit', 'sth.bin')
check('heads are exported as issued', os.path.getsize(export_file) % 171 == 0 and
      os.path.getsize(export_file) >= 2 * 171, str(os.path.getsize(export_file)))
exported_copy = os.path.join(server.tmp, 'sth-copy.bin')
shutil.copy(export_file, exported_copy)  # the auditor's copy outside the data directory
total = leaf_count(server.data_dir)
check('every request left an event (6*2+1 + each sth + 3*2+1)',
      total == before + 20 + sth_requests, f'{before} + 20 + {sth_requests} != {total}')

code, out = verify(server.data_dir, '--against', exported_copy)
check('untouched log verifies', code == 0 and out.startswith(f'OK: {total} leaves'), out)

# The independent verifier over HTTPS: a head issued after a restart, proofs to it.
server.start()
try:
    pub = os.path.join(server.data_dir, 'keys', 'ledger_pub.pem')
    audit_verifier.HEADERS = server.auth_header('auditor')
    head = audit_verifier.verify_server(server.url(''), server.ca_file, pub, old_sth=early_head,
                                        leaf_index=3)
    check('outside verifier accepts inclusion and consistency', head['tree_size'] >= 21,
          str(head['tree_size']))
    size = head['tree_size']
    inc = audit_verifier.fetch_json(server.url(''),
                                    f'/audit/proof/inclusion?leaf_index=3&tree_size={size}',
                                    server.ca_file)
    proof = [base64.b64decode(p) for p in inc['proof']]
    proof[0] = bytes([proof[0][0] ^ 1]) + proof[0][1:]
    try:
        audit_verifier.verify_inclusion(3, size,
                                        audit_verifier.leaf_hash(base64.b64decode(inc['leaf'])),
                                        proof, head['root'])
        check('outside verifier rejects a flipped proof byte', False)
    except audit_verifier.VerifyError:
        check('outside verifier rejects a flipped proof byte', True)
finally:
    server.stop()

code, out = verify(tampered_copy(server, 'flip', lambda db: flip_byte(db, 3)))
check('byte flip detected at its index', code == 1 and 'BAD leaf 3: differs' in out, out)
code, out = verify(tampered_copy(server, 'delete',
                                 lambda db: db.execute('DELETE FROM ledger_leaf WHERE idx=4')))
check('deleted row detected at its index', code == 1 and 'BAD leaf 4: missing' in out, out)
code, out = verify(tampered_copy(server, 'swap', lambda db: swap(db, 2, 5)))
check('swapped rows detected at both indexes', code == 1 and
      'BAD leaf 2: carries sequence 5' in out and 'BAD leaf 5: carries sequence 2' in out, out)

# Truncate to 10 leaves and let the server carry on: its new heads are honest about the new
# history, so only a head exported before the rewrite exposes it.
early_size = audit_verifier.parse_sth(early_head)['tree_size']
cut = tampered_copy(server, 'truncate', lambda db: truncate(db, 10))
os.remove(os.path.join(cut, 'audit', 'sth.bin'))  # the attacker also rewrites the local export
rewritten = MamoriServer(MAMORI, data_dir=cut)
rewritten.start()
try:
    requests(rewritten, 4)
finally:
    rewritten.stop()
code, out = verify(cut)
check('a self-consistent rewrite passes without an outside head', code == 0, out)
code, out = verify(cut, '--against', exported_copy)
# The first exported head over the rewritten range is reported with the leaf range it vouches
# for (from the newest exported head that still matches, or 0, up to its size), and the newest
# one as covering more leaves than the rewritten log holds.
# The newest exported head is either longer than the rewritten log (reported as covering more
# leaves than it holds) or, when the rewrite appended more than it cut (host commands and logins
# are events too), over a different history.
newest = (f'BAD head {total}: exported head covers {total}' if leaf_count(cut) < total else
          f'BAD head {total}: exported head\'s root differs')
check('truncate-and-re-append caught by an exported head', code == 1 and
      f'BAD head {early_size}: exported head\'s root differs' in out and
      f', {early_size}) were changed' in out and newest in out, out)

finish()
