#!/usr/bin/env python3
"""An independent verifier of mamori's audit log (issue 6), as an outside auditor would write it:
python3 with hashlib and `openssl pkeyutl` for Ed25519, no mamori code and no pip packages.

    python3 audit_verifier.py https://host:port CA_PEM LEDGER_PUB_PEM [OLD_STH_FILE]

fetches /audit/sth, checks its signature with the public key the auditor holds, checks one
inclusion proof against it and, given an older head (171 bytes), a consistency proof from it.
Formats: src/ledger/FORMAT.md ("Signed tree head", "HTTP").
"""
import base64
import hashlib
import json
import os
import ssl
import struct
import subprocess
import sys
import tempfile
import urllib.request

STH_SIZE = 171


class VerifyError(Exception):
    pass


def node(left, right):
    return hashlib.sha256(b'\x01' + left + right).digest()


def leaf_hash(leaf):
    return hashlib.sha256(b'\x00' + leaf).digest()


def parse_sth(raw):
    """The fields of a 171-byte signed tree head (FORMAT.md), without checking the signature."""
    if len(raw) != STH_SIZE or raw[:8] != b'mamoriTH' or raw[8:11] != b'\x01\x01\x01':
        raise VerifyError('not a version 1 mamori tree head')
    size, timestamp = struct.unpack('>QQ', raw[59:75])
    return {'log_id': raw[11:27], 'key_id': raw[27:59], 'tree_size': size,
            'timestamp_ms': timestamp, 'root': raw[75:107], 'signed': raw[:107],
            'signature': raw[107:]}


def verify_sth_signature(raw, public_key_pem):
    """Ed25519 over bytes [0, 107) with `openssl pkeyutl`; the key id must name this key."""
    sth = parse_sth(raw)
    der = subprocess.run(['openssl', 'pkey', '-pubin', '-in', public_key_pem, '-outform', 'DER'],
                         capture_output=True, check=True).stdout
    if hashlib.sha256(der[-32:]).digest() != sth['key_id']:
        raise VerifyError('the head names another key')
    with tempfile.TemporaryDirectory() as tmp:
        signed, sig = os.path.join(tmp, 'signed.bin'), os.path.join(tmp, 'sig.bin')
        with open(signed, 'wb') as f:
            f.write(sth['signed'])
        with open(sig, 'wb') as f:
            f.write(sth['signature'])
        r = subprocess.run(['openssl', 'pkeyutl', '-verify', '-rawin', '-pubin', '-inkey',
                            public_key_pem, '-in', signed, '-sigfile', sig], capture_output=True)
    if r.returncode != 0:
        raise VerifyError('tree head signature does not verify')
    return sth


def verify_inclusion(index, size, leaf_digest, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        raise VerifyError('leaf index out of range')
    fn, sn, r = index, size - 1, leaf_digest
    for p in proof:
        if sn == 0:
            raise VerifyError('inclusion proof too long')
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or r != root:
        raise VerifyError('inclusion proof does not lead to the root')


def verify_consistency(size1, size2, proof, root1, root2):
    """RFC 9162 section 2.1.4.2."""
    if size1 == size2:
        if proof or root1 != root2:
            raise VerifyError('equal sizes need an empty proof and equal roots')
        return
    if size1 == 0 or size1 > size2 or not proof:
        raise VerifyError('bad consistency sizes or empty proof')
    if size1 & (size1 - 1) == 0:
        proof = [root1] + proof
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise VerifyError('consistency proof too long')
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != root1 or sr != root2:
        raise VerifyError('consistency proof does not lead to both roots')


# Credentials for the /audit routes (an auditor's bearer token); standalone use
# reads MAMORI_TOKEN from the environment.
HEADERS = {'Authorization': 'Bearer ' + os.environ['MAMORI_TOKEN']} \
    if os.environ.get('MAMORI_TOKEN') else {}


def fetch_json(base, path, ca_file):
    ctx = ssl.create_default_context(cafile=ca_file)
    request = urllib.request.Request(base + path, headers=HEADERS)
    with urllib.request.urlopen(request, context=ctx, timeout=30) as r:
        return json.loads(r.read())


def verify_server(base, ca_file, public_key_pem, old_sth=None, leaf_index=None):
    """Checks the server's latest head, one inclusion proof and (with old_sth) a consistency
    proof. Returns the verified head."""
    raw = base64.b64decode(fetch_json(base, '/audit/sth', ca_file)['sth'])
    sth = verify_sth_signature(raw, public_key_pem)
    size = sth['tree_size']
    index = size // 2 if leaf_index is None else leaf_index
    inc = fetch_json(base, f'/audit/proof/inclusion?leaf_index={index}&tree_size={size}', ca_file)
    verify_inclusion(index, size, leaf_hash(base64.b64decode(inc['leaf'])),
                     [base64.b64decode(p) for p in inc['proof']], sth['root'])
    if old_sth is not None:
        old = verify_sth_signature(old_sth, public_key_pem)
        con = fetch_json(base, f'/audit/proof/consistency?first={old["tree_size"]}&second={size}',
                         ca_file)
        verify_consistency(old['tree_size'], size, [base64.b64decode(p) for p in con['proof']],
                           old['root'], sth['root'])
    return sth


if __name__ == '__main__':
    old = open(sys.argv[4], 'rb').read()[-STH_SIZE:] if len(sys.argv) > 4 else None
    try:
        head = verify_server(sys.argv[1], sys.argv[2], sys.argv[3], old)
    except VerifyError as e:
        print('FAILED:', e)
        sys.exit(1)
    print(f"OK: tree size {head['tree_size']}, root {head['root'].hex()}")
