#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the master key file's worked example and fuzz seeds from an
implementation independent of mamori's C++ (Python `cryptography`: its own
Argon2id and AES-GCM, and hashlib), following src/crypto/FORMAT.md.

    python3 src/crypto/testdata/key_file_vectors.py            # print the worked example
    python3 src/crypto/testdata/key_file_vectors.py --corpus   # rewrite key_file_corpus/

Needs python3-cryptography 44 or later (Argon2id with `ad`).
"""
import hashlib
import os
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

MAGIC = b"MAMORIKF"


def header(m, t, p, salt, kek_id, version=1, kdf=1):
    return MAGIC + bytes([version, kdf]) + struct.pack(">III", m, t, p) + salt + kek_id


def seal(kek, kek_id, passphrase, m, t, p, salt, nonce):
    head = header(m, t, p, salt, kek_id)
    wrapping_key = Argon2id(salt=salt, length=32, iterations=t, lanes=p, memory_cost=m,
                            ad=head).derive(passphrase)
    envelope_header = bytes([1, 1]) + salt + nonce  # Aead envelope v1, AES-256-GCM, id = salt
    sealed = AESGCM(wrapping_key).encrypt(nonce, kek, envelope_header + head)
    body = head + envelope_header + sealed
    return body + hashlib.sha256(body).digest()


def rechecksum(body):
    return body[:132] + hashlib.sha256(body[:132]).digest()


def worked_example():
    kek = bytes(range(0x00, 0x20))
    kek_id = bytes(range(0xa0, 0xb0))
    salt = bytes(range(0xc0, 0xd0))
    nonce = bytes(range(0xb0, 0xbc))
    f = seal(kek, kek_id, b"correct horse battery staple", 64, 1, 1, salt, nonce)
    assert len(f) == 164
    fields = [(0, 8, "magic \"MAMORIKF\""), (8, 1, "version 1"), (9, 1, "KDF 1 = Argon2id v1.3"),
              (10, 4, "memory_kib = 64"), (14, 4, "iterations = 1"), (18, 4, "parallelism = 1"),
              (22, 16, "salt"), (38, 16, "KEK key id"),
              (54, 1, "wrapped KEK: envelope version 1"), (55, 1, "algorithm 1 = AES-256-GCM"),
              (56, 16, "envelope key id = the salt"), (72, 12, "GCM nonce"),
              (84, 32, "KEK ciphertext"), (116, 16, "GCM tag"), (132, 32, "SHA-256 checksum")]
    for offset, size, name in fields:
        print(f"{f[offset:offset + size].hex():<66} {name}")
    print()
    print(f.hex())


def corpus(directory):
    kek, kek_id = b"\x22" * 32, b"\x11" * 16
    salt, nonce = bytes(range(0x30, 0x40)), bytes(range(0x40, 0x4c))
    good = seal(kek, kek_id, b"mamori fuzz passphrase", 64, 1, 1, salt, nonce)
    other = seal(kek, kek_id, b"another passphrase!", 64, 1, 1, salt, nonce)
    flipped_tag = bytearray(good)
    flipped_tag[130] ^= 0x01
    unknown_kdf = bytearray(good)
    unknown_kdf[9] = 2
    huge_memory = bytearray(good)
    huge_memory[10:14] = b"\xff\xff\xff\xff"
    other_envelope_id = bytearray(good)
    other_envelope_id[56] ^= 0x01
    seeds = {
        "valid_fuzz_passphrase": good,
        "other_passphrase": other,
        "empty": b"",
        "magic_only": MAGIC,
        "truncated": good[:100],
        "trailing_bytes": good + b"\n",
        "bad_magic": b"MAMORIKX" + good[8:],
        "version_2": good[:8] + b"\x02" + good[9:],
        "bad_checksum": good[:-1] + bytes([good[-1] ^ 0x01]),
        "tag_flipped_checksum_fixed": rechecksum(bytes(flipped_tag)),
        "unknown_kdf_checksum_fixed": rechecksum(bytes(unknown_kdf)),
        "huge_memory_checksum_fixed": rechecksum(bytes(huge_memory)),
        "other_envelope_id_checksum_fixed": rechecksum(bytes(other_envelope_id)),
    }
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as out:
            out.write(data)


if __name__ == "__main__":
    if sys.argv[1:] == ["--corpus"]:
        corpus(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "key_file_corpus"))
    else:
        worked_example()
