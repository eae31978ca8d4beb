#!/usr/bin/env python3
"""The testssl gate must fail on each thing it claims to catch (so a green scan
means something): a MEDIUM finding, an old protocol, a non-AEAD cipher, a scan
that enumerated no ciphers; and it must pass a clean scan."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testssl_gate import judge  # noqa: E402

CLEAN = [
    {'id': 'TLS1', 'severity': 'INFO', 'finding': 'not offered'},
    {'id': 'TLS1_1', 'severity': 'INFO', 'finding': 'not offered'},
    {'id': 'TLS1_2', 'severity': 'OK', 'finding': 'offered'},
    {'id': 'TLS1_3', 'severity': 'OK', 'finding': 'offered with final'},
    {'id': 'cipher_xc02b', 'severity': 'INFO',
     'finding': 'xc02b ECDHE-ECDSA-AES128-GCM-SHA256 ECDH 253 AESGCM 128 TLS_ECDHE_ECDSA'},
]
CASES = {
    'clean scan passes': (CLEAN, 0),
    'medium finding fails': (CLEAN + [{'id': 'security_headers', 'severity': 'MEDIUM',
                                       'finding': '--'}], 1),
    'tls 1.1 offered fails': ([dict(f, finding='offered') if f['id'] == 'TLS1_1' else f
                               for f in CLEAN], 1),
    'cbc cipher fails': (CLEAN + [{'id': 'cipher_xc013', 'severity': 'INFO',
                                   'finding': 'xc013 ECDHE-RSA-AES128-SHA ECDH 253 AES 128 TLS_'}],
                         1),
    'no cipher list fails': ([f for f in CLEAN if not f['id'].startswith('cipher')], 1),
    'no tls 1.3 fails': ([f for f in CLEAN if f['id'] != 'TLS1_3'], 1),
}
failed = 0
for name, (findings, expected_problems) in CASES.items():
    problems, _ = judge(findings)
    if (len(problems) > 0) != (expected_problems > 0):
        print(f'FAIL {name}: {problems}')
        failed += 1
print(f'{len(CASES) - failed} passed, {failed} failed')
sys.exit(1 if failed else 0)
