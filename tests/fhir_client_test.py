#!/usr/bin/env python3
"""Issue 4, "a real client": ctest `fhir_kit_client`.

Starts a real mamori (`mamori init` + `mamori serve` in a temp directory, through
mamori_server.py) and runs tests/fhir_client/fhir_client_test.mjs, which drives it with
the npm package fhir-kit-client 2.0.3 over HTTPS, trusting the installation CA through
NODE_EXTRA_CA_CERTS. The Node script asserts every step and prints "N passed, M failed"
as its last line; this driver passes its output and verdict through.

Usage: fhir_client_test.py MAMORI_BINARY
Needs node (20+) and tests/fhir_client/node_modules (`scripts/deps.sh` runs `npm ci`).
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no tests/__pycache__ in the source tree
sys.path.insert(0, HERE)
from mamori_server import MamoriServer  # noqa: E402

CLIENT_DIR = os.path.join(HERE, 'fhir_client')
SCRIPT = os.path.join(CLIENT_DIR, 'fhir_client_test.mjs')
NODE_TIMEOUT_S = 50


def main():
    if len(sys.argv) != 2:
        print('usage: fhir_client_test.py MAMORI_BINARY', file=sys.stderr)
        return 2
    node = shutil.which('node')
    if node is None:
        print('FAIL node is not on PATH (Node 20 is expected on this machine)')
        return 1
    if not os.path.isdir(os.path.join(CLIENT_DIR, 'node_modules', 'fhir-kit-client')):
        print(f'FAIL {CLIENT_DIR}/node_modules is missing: run scripts/deps.sh '
              f'(or `npm ci` in {CLIENT_DIR})')
        return 1

    with MamoriServer(sys.argv[1]) as server:
        env = dict(os.environ, NODE_EXTRA_CA_CERTS=server.ca_file,
                   MAMORI_TOKEN=server.tokens['physician'])
        env.pop('NODE_TLS_REJECT_UNAUTHORIZED', None)  # certificate checks stay on
        try:
            r = subprocess.run([node, SCRIPT, server.url('/fhir')], cwd=CLIENT_DIR, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=NODE_TIMEOUT_S)
        except subprocess.TimeoutExpired as e:
            sys.stdout.write(e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or ''))
            print(f'FAIL fhir_client_test.mjs did not finish within {NODE_TIMEOUT_S} s')
            return 1
        sys.stdout.write(r.stdout)
        if r.stderr:
            sys.stdout.write('--- node stderr\n' + r.stderr)
        exit_code = server.stop()
        if exit_code != 0:
            print(f'FAIL mamori serve exited {exit_code} on SIGTERM; see {server.stderr_path}')
            return 1

    lines = r.stdout.strip().splitlines()
    m = re.fullmatch(r'(\d+) passed, (\d+) failed', lines[-1] if lines else '')
    if r.returncode != 0 or m is None or int(m.group(2)) != 0 or int(m.group(1)) == 0:
        print(f'FAIL fhir_client_test.mjs exited {r.returncode}; server log {server.stderr_path}')
        return 1
    shutil.rmtree(server.tmp, ignore_errors=True)  # kept above, on failure, for the log
    return 0


if __name__ == '__main__':
    sys.exit(main())
