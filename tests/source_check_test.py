#!/usr/bin/env python3
"""The source checker must catch each rule it claims to enforce: run it on a
fixture tree with one violation of each kind and require every one reported."""
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent
checker = root.parent / 'scripts' / 'check_sources.py'
result = subprocess.run([sys.executable, str(checker), str(root / 'testdata' / 'source_check_bad')],
                        capture_output=True, text=True)
expected = [
    'crypto/bad.cc: includes core/internal/secret.h, private to core',
    'crypto/bad.cc:4: reads a clock directly; use core::Clock',
    'crypto/bad.cc:5: draws randomness directly; use core::Random',
    'http/bad.cc: includes crypto/aead.h but http does not list crypto in its DEPS',
]
failed = 0
if result.returncode != 1:
    print(f'expected exit 1, got {result.returncode}')
    failed += 1
for line in expected:
    if line not in result.stdout.splitlines():
        print(f'missing: {line}')
        failed += 1
if 'now() is fine' in result.stdout or ':3:' in result.stdout:
    print('a comment was reported as code')
    failed += 1
print(f'{len(expected) + 2 - failed} passed, {failed} failed')
sys.exit(1 if failed else 0)
