#!/usr/bin/env python3
"""GUIDELINE SYS-31: scan a real `mamori serve` with testssl.sh and fail on
  - any finding of severity MEDIUM, HIGH or CRITICAL,
  - any protocol below TLS 1.2 offered,
  - any offered cipher that is not an AEAD (AES-GCM, AES-CCM or ChaCha20-Poly1305).

Usage:
  testssl_gate.py --mamori BINARY          start mamori, scan it, judge the findings
  testssl_gate.py --judge FINDINGS.json    judge a saved testssl JSON file only
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402

BLOCKING = {'MEDIUM', 'HIGH', 'CRITICAL'}
OLD_PROTOCOLS = {'SSLv2', 'SSLv3', 'TLS1', 'TLS1_1'}
AEAD_ENCRYPTION = {'AESGCM', 'AESCCM', 'AESCCM8', 'ChaCha20'}


def judge(findings):
    """Returns (problems, facts) for a list of testssl JSON findings."""
    problems = []
    ciphers = []
    protocols = {}
    for f in findings:
        fid, sev, text = f.get('id', ''), f.get('severity', ''), f.get('finding', '')
        if sev in BLOCKING:
            problems.append(f'{sev}: {fid}: {text}')
        if fid in OLD_PROTOCOLS or fid in ('TLS1_2', 'TLS1_3'):
            protocols[fid] = text
        if fid in OLD_PROTOCOLS and 'not offered' not in text:
            problems.append(f'protocol {fid} is offered: {text}')
        if fid.startswith('cipher_x') or fid.startswith('cipher-tls'):
            columns = text.split()
            # "xc02b  ECDHE-ECDSA-AES128-GCM-SHA256  ECDH 253  AESGCM  128  TLS_..."
            encryption = next((c for c in columns if c in AEAD_ENCRYPTION), None)
            ciphers.append(columns[1] if len(columns) > 1 else text)
            if encryption is None:
                problems.append(f'non-AEAD cipher offered: {text}')
    if not ciphers:
        problems.append('no per-cipher findings: the scan did not enumerate ciphers')
    if 'offered' not in protocols.get('TLS1_3', ''):
        problems.append('TLS 1.3 is not offered')
    return problems, {'ciphers': ciphers, 'protocols': protocols}


def scan(binary):
    with MamoriServer(binary) as server:
        out = os.path.join(server.tmp, 'testssl.json')
        cmd = ['testssl', '--quiet', '--color', '0', '--warnings', 'batch', '--add-ca',
               server.ca_file, '--jsonfile', out, f'127.0.0.1:{server.port}']
        subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=600)
        rc = server.stop()
        if rc != 0:
            print(f'mamori serve exited {rc} after SIGTERM (expected 0)')
            return None
        with open(out) as f:
            return json.load(f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mamori')
    parser.add_argument('--judge')
    args = parser.parse_args()
    if args.judge:
        with open(args.judge) as f:
            findings = json.load(f)
    else:
        findings = scan(args.mamori)
        if findings is None:
            return 1
    problems, facts = judge(findings)
    print('protocols:', facts['protocols'])
    print('ciphers offered:', ', '.join(facts['ciphers']))
    for p in problems:
        print('FINDING', p)
    print(f'testssl gate: {len(problems)} problem(s)')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
