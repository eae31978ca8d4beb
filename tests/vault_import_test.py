#!/usr/bin/env python3
"""`mamori import` as an operator uses it (issue 4):
  1. all 11 Synthea transaction bundles and all 36 JP Core examples import in one run, with one
     summary line per file and a total; afterwards a server reads the JP Core examples back equal
     to the files, finds every Synthea Patient by identifier, and the history total is exactly the
     number of resources imported;
  2. an NDJSON file whose line 3 has an unknown element and whose line 5 is not JSON makes import
     exit 1 with one line naming the file and line 3, and nothing of that chunk is stored;
  3. with --continue-on-error the good lines are stored, the rejects file (0600) lists lines 3
     and 5 with a reason each, and neither it nor stdout/stderr carries any resource content (a
     canary in the bad lines is not there; DESIGN invariant 5);
  4. import while a server holds the directory fails with a clear one-line message and stores
     nothing.
Usage: vault_import_test.py MAMORI_BINARY
"""
import decimal
import glob
import http.client
import json
import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402
from testlib import check, failures, finish, FhirClient as Client  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1])
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared')
SYNTHEA = sorted(glob.glob(os.path.join(SHARED, 'data', 'fhir', 'synthea', '*.json')))
JP_CORE = sorted(glob.glob(os.path.join(SHARED, 'data', 'fhir', 'jp-core', '*.json')))
SYNTHEA_SYSTEM = 'https://github.com/synthetichealth/synthea'
CANARY = 'CanaryImportReject' + secrets.token_hex(8)



def run_import(server, *args, cwd):
    return subprocess.run([MAMORI, 'import', '--data-dir', server.data_dir, *args],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env=server.env, cwd=cwd, timeout=300)


def one_line(text):
    return len(text.strip().splitlines()) == 1


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f, parse_float=decimal.Decimal)


def without_server_meta(resource):
    r = dict(resource)
    meta = {k: v for k, v in r.get('meta', {}).items() if k not in ('versionId', 'lastUpdated')}
    if meta:
        r['meta'] = meta
    else:
        r.pop('meta', None)
    return r


def summary_lines(stdout):
    """{file: (imported, rejected)} from the per-file summary lines."""
    out = {}
    for line in stdout.splitlines():
        m = re.match(r'^\r?(.+): (\d+) imported, (\d+) rejected, [\d.]+ MB in [\d.]+ s$', line)
        if m:
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return out


started = time.monotonic()
work = tempfile.mkdtemp(prefix='mamori-import-it-')
server = MamoriServer(MAMORI)
subprocess.run([MAMORI, 'init', '--data-dir', server.data_dir], check=True, timeout=60,
               stdin=subprocess.DEVNULL, capture_output=True, env=server.env)
check('11 Synthea bundles and 36 JP Core examples (control)',
      len(SYNTHEA) == 11 and len(JP_CORE) == 36, f'{len(SYNTHEA)} {len(JP_CORE)}')

try:
    # --- 1. Everything in shared/data/fhir.
    r = run_import(server, *SYNTHEA, *JP_CORE, cwd=work)
    check('import of all sample data exits 0', r.returncode == 0, r.stderr)
    lines = summary_lines(r.stdout)
    expected = {p: len(load(p)['entry']) for p in SYNTHEA}
    expected.update({p: 1 for p in JP_CORE})
    wrong = {p: (lines.get(p), n) for p, n in expected.items() if lines.get(p) != (n, 0)}
    check('one summary line per file with its count and 0 rejected', not wrong,
          f'{list(wrong.items())[:3]} stdout: {r.stdout[-800:]}')
    total = sum(expected.values())
    check('a total line', re.search(rf'imported {total} resources from {len(expected)} files',
                                    r.stdout) is not None, r.stdout[-300:])
    check('nothing on stderr when all goes well (no terminal: no progress line)',
          r.stderr.strip() == '', r.stderr[-300:])

    # Issue 6: the import is in the audit log, before (fail closed) and after, with who, which
    # types and how many.
    audit = subprocess.run([MAMORI, 'audit', 'search', '--data-dir', server.data_dir,
                            '--action', 'import'], capture_output=True, text=True, timeout=120,
                           stdin=subprocess.DEVNULL, env=server.env)
    events = [json.loads(line) for line in audit.stdout.splitlines()]
    by_type = {}
    for p in SYNTHEA:
        for e in load(p)['entry']:
            by_type[e['resource']['resourceType']] = by_type.get(e['resource']['resourceType'], 0) + 1
    for p in JP_CORE:
        by_type[load(p)['resourceType']] = by_type.get(load(p)['resourceType'], 0) + 1
    want = ' '.join(f'{t}={n}' for t, n in sorted(by_type.items()))
    want += f' rejected=0 files={len(expected)}'
    check('the import is recorded twice: started, then what it stored, by whom',
          [e['detail'] for e in events] == [f'files={len(expected)}', want] and
          all(e['user'].startswith('os:') and e['outcome'] == 'success' for e in events),
          audit.stdout[-600:] + audit.stderr)

    server.start()
    client = Client(server)
    for path in JP_CORE:
        resource = load(path)
        st, h, text = client.call('GET', f'/fhir/{resource["resourceType"]}/{resource["id"]}')
        stored = json.loads(text, parse_float=decimal.Decimal) if st == 200 else {}
        check(f'{os.path.basename(path)} reads back equal',
              st == 200 and without_server_meta(stored) == without_server_meta(resource),
              f'{st} {text[:200]}')
    for path in SYNTHEA:
        patient = next(e['resource'] for e in load(path)['entry']
                       if e['resource']['resourceType'] == 'Patient')
        ident = next(i['value'] for i in patient['identifier'] if i.get('system') == SYNTHEA_SYSTEM)
        st, h, text = client.call(
            'POST', '/fhir/Patient', {'resourceType': 'Patient'},
            {'If-None-Exist': f'identifier={SYNTHEA_SYSTEM}|{ident}'})
        check(f'{os.path.basename(path)}: its Patient is found by identifier (200)', st == 200,
              f'{st} {text[:200]}')
    st, h, text = client.call('GET', '/fhir/_history?_count=1')
    check('history total is exactly what was imported',
          st == 200 and json.loads(text).get('total') == total, f'{st} {text[:200]} vs {total}')
    client.close()
    check('serve stops', server.stop() == 0)

    # --- 2. A bad NDJSON file stops the import and stores nothing of its chunk.
    bad = os.path.join(work, 'bad.ndjson')
    good_ids = ['imp-good-1', 'imp-good-2', 'imp-good-4', 'imp-good-6']
    rows = [
        json.dumps({'resourceType': 'Patient', 'id': 'imp-good-1', 'name': [{'family': 'Ok'}]}),
        json.dumps({'resourceType': 'Patient', 'id': 'imp-good-2', 'gender': 'male'}),
        json.dumps({'resourceType': 'Patient', 'id': 'imp-bad-3', 'name': [{'family': CANARY}],
                    'favouriteColour': CANARY}),
        json.dumps({'resourceType': 'Observation', 'id': 'imp-good-4', 'status': 'final',
                    'code': {'text': 'x'}, 'subject': {'reference': 'Patient/imp-good-1'}}),
        '{"resourceType":"Patient","id":"imp-bad-5","name":[{"family":"' + CANARY + '"}',
        json.dumps({'resourceType': 'Patient', 'id': 'imp-good-6', 'active': True}),
    ]
    with open(bad, 'w') as f:
        f.write('\n'.join(rows) + '\n')
    check('control: the bad file holds the canary', CANARY in open(bad).read())
    r = run_import(server, bad, cwd=work)
    check('bad NDJSON: exit 1', r.returncode == 1, f'{r.returncode} {r.stderr}')
    check('bad NDJSON: one line naming the file and line 3',
          one_line(r.stderr) and 'bad.ndjson:3' in r.stderr and 'bad.ndjson:5' not in r.stderr,
          repr(r.stderr))
    check('bad NDJSON: the error names the unknown element',
          'favouriteColour' in r.stderr, repr(r.stderr))
    check('bad NDJSON: no resource content in the output', CANARY not in r.stderr + r.stdout,
          repr(r.stderr + r.stdout))

    server.start()
    client = Client(server)
    for rid in good_ids:
        type_ = 'Observation' if rid == 'imp-good-4' else 'Patient'
        st, h, text = client.call('GET', f'/fhir/{type_}/{rid}')
        check(f'stopped import stored nothing of the chunk: {rid} is 404', st == 404,
              f'{st} {text[:200]}')
    client.close()
    check('serve stops', server.stop() == 0)

    # --- 3. --continue-on-error imports the good lines and lists the bad ones.
    rejects = os.path.join(work, 'rejects.tsv')
    r = run_import(server, '--continue-on-error', '--rejects', rejects, bad, cwd=work)
    check('continue-on-error: exit 0', r.returncode == 0, f'{r.returncode} {r.stderr}')
    check('continue-on-error: the summary counts 4 imported, 2 rejected',
          summary_lines(r.stdout).get(bad) == (4, 2), r.stdout)
    check('continue-on-error: stdout names the rejects file', rejects in r.stdout, r.stdout)
    text = open(rejects, encoding='utf-8').read() if os.path.exists(rejects) else ''
    rows_out = [line.split('\t') for line in text.splitlines()]
    check('rejects file: two lines, location and reason',
          len(rows_out) == 2 and all(len(row) == 2 and row[1].strip() for row in rows_out),
          repr(text))
    check('rejects file: lines 3 and 5 in order',
          [row[0] for row in rows_out] == [f'{bad}:3', f'{bad}:5'], repr(text))
    check('rejects file: line 3 is rejected for its unknown element',
          len(rows_out) == 2 and 'favouriteColour' in rows_out[0][1], repr(text))
    check('rejects file: line 5 is rejected as invalid JSON',
          len(rows_out) == 2 and 'json' in rows_out[1][1].lower(), repr(text))
    check('rejects file: no resource content', CANARY not in text and 'imp-bad' not in text,
          repr(text))
    check('rejects file is 0600',
          os.path.exists(rejects) and stat.S_IMODE(os.stat(rejects).st_mode) == 0o600)
    check('continue-on-error: no resource content in stdout or stderr',
          CANARY not in r.stdout + r.stderr, repr(r.stdout + r.stderr))

    server.start()
    client = Client(server)
    for rid in good_ids:
        type_ = 'Observation' if rid == 'imp-good-4' else 'Patient'
        st, h, text = client.call('GET', f'/fhir/{type_}/{rid}')
        check(f'continue-on-error stored {rid}', st == 200, f'{st} {text[:200]}')
    for rid in ('imp-bad-3', 'imp-bad-5'):
        st, h, text = client.call('GET', f'/fhir/Patient/{rid}')
        check(f'continue-on-error did not store {rid}', st == 404, f'{st} {text[:200]}')

    # --- 4. Import while the server holds the directory.
    locked = os.path.join(work, 'locked.ndjson')
    with open(locked, 'w') as f:
        f.write(json.dumps({'resourceType': 'Patient', 'id': 'imp-locked-1'}) + '\n')
    r = run_import(server, locked, cwd=work)
    check('import while serving: exit 1', r.returncode == 1, f'{r.returncode} {r.stdout}')
    check('import while serving: one clear line (a server is using it; stop it)',
          one_line(r.stderr) and 'serve' in r.stderr and 'stop' in r.stderr, repr(r.stderr))
    st, h, text = client.call('GET', '/fhir/Patient/imp-locked-1')
    check('import while serving stored nothing', st == 404, f'{st} {text[:200]}')
    client.close()
    check('serve stops', server.stop() == 0)
finally:
    server.stop()

if not failures():
    shutil.rmtree(server.tmp, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
print(f'elapsed {time.monotonic() - started:.1f} s')
finish()
