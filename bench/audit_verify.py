#!/usr/bin/env python3
"""Benchmark (issue 6): `mamori audit verify` throughput, target >= 500,000 leaves/s.

Builds a synthetic ledger of N well-formed leaves (300-byte envelopes; content is random, the
verifier never decrypts) with its ledger_node rows and one head signed by a throwaway Ed25519 key
(openssl), then times `mamori audit verify` once.
Usage: bench/audit_verify.py MAMORI_BINARY [N=500000]
Seen 2026-11-25 (RelWithDebInfo build, 2 shared vCPUs): 500,000 leaves in 0.68 s, 734,865 leaves/s.
"""
import hashlib
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

mamori, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 500_000
work = tempfile.mkdtemp(prefix='mamori-bench-verify-')
db = sqlite3.connect(os.path.join(work, 'mamori.db'))
db.executescript('''
CREATE TABLE ledger_leaf (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL);
CREATE TABLE ledger_node (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
                          PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE ledger_sth (seq INTEGER PRIMARY KEY, tree_size INTEGER NOT NULL, sth BLOB NOT NULL);
''')
key_id = bytes(range(16))
body = os.urandom(254)
peaks = []  # (level, hash)
leaves, nodes = [], []
for i in range(n):
    envelope = b'\x01\x01' + key_id + body[:12] + struct.pack('>Q', i) + body[20:]
    leaf = b'\x01' + key_id + struct.pack('>QQ', i, 1764000000000 + i) + envelope
    h = hashlib.sha256(b'\x00' + leaf).digest()
    leaves.append((i, leaf))
    nodes.append((0, i, h))
    level, index = 0, i
    while peaks and peaks[-1][0] == level:
        h = hashlib.sha256(b'\x01' + peaks.pop()[1] + h).digest()
        level, index = level + 1, index >> 1
        nodes.append((level, index, h))
    peaks.append((level, h))
root = peaks[-1][1]
for _, h in reversed(peaks[:-1]):
    root = hashlib.sha256(b'\x01' + h + root).digest()
db.executemany('INSERT INTO ledger_leaf VALUES (?, ?)', leaves)
db.executemany('INSERT INTO ledger_node VALUES (?, ?, ?)', nodes)
subprocess.run(['openssl', 'genpkey', '-algorithm', 'ed25519', '-out', f'{work}/k.pem'], check=True)
subprocess.run(['openssl', 'pkey', '-in', f'{work}/k.pem', '-pubout', '-out', f'{work}/pub.pem'],
               check=True)
raw = subprocess.run(['openssl', 'pkey', '-pubin', '-in', f'{work}/pub.pem', '-outform', 'DER'],
                     capture_output=True, check=True).stdout[-32:]
signed = (b'mamoriTH\x01\x01\x01' + bytes(16) + hashlib.sha256(raw).digest() +
          struct.pack('>QQ', n, 1764000000000) + root)
with open(f'{work}/signed.bin', 'wb') as f:
    f.write(signed)
sig = subprocess.run(['openssl', 'pkeyutl', '-sign', '-rawin', '-inkey', f'{work}/k.pem', '-in',
                      f'{work}/signed.bin'], capture_output=True, check=True).stdout
db.execute('INSERT INTO ledger_sth (tree_size, sth) VALUES (?, ?)', (n, signed + sig))
db.commit()
db.close()
start = time.monotonic()
r = subprocess.run([mamori, 'audit', 'verify', '--data-dir', work, '--public-key',
                    f'{work}/pub.pem'], capture_output=True, text=True)
elapsed = time.monotonic() - start
shutil.rmtree(work)
print(r.stdout.strip())
print(f'audit verify: {n} leaves in {elapsed:.2f} s = {n / elapsed:,.0f} leaves/s '
      f'(target >= 500,000)')
sys.exit(0 if r.returncode == 0 and n / elapsed >= 500_000 else 1)
