#!/usr/bin/env python3
"""Bulk Data export (issue 5), as a Bulk Data client sees it (FHIR Bulk Data Access IG v2):
  - a system client (SMART Backend Services: private_key_jwt, RS256, signed here with the openssl
    tool) kicks off `$export` with `Prefer: respond-async` (202 + Content-Location), polls the
    status URL (202 + X-Progress, then 200 + the manifest), downloads every NDJSON file, and the
    union of the files equals the stored resources of the requested types (read back by search);
  - a Patient-level export with `_typeFilter`, and `_since` in the future gives no files;
  - DELETE cancels (the status URL is then 404); a person (the test physician) gets 403;
  - `mamori export` offline: without --plaintext nothing is written and it says so; with it the
    NDJSON files (mode 0600) hold the same resources as the HTTP export; `audit verify` passes;
  - `mamori reindex` is refused while the server runs, rebuilds with progress when it is stopped,
    and search answers the same afterwards.
Usage: bulk_export_test.py MAMORI_BINARY
"""
import base64
import glob
import json
import os
import secrets
import stat
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402
from testlib import FhirClient, check, finish  # noqa: E402

MAMORI = sys.argv[1]
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared')
SYNTHEA = sorted(glob.glob(os.path.join(SHARED, 'data', 'fhir', 'synthea', '*.json')))[:2]
TYPES = ['Condition', 'Observation', 'Patient']


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def rsa_key(tmp):
    """An RSA key made with openssl, and its public JWK."""
    key = os.path.join(tmp, 'client.pem')
    subprocess.run(['openssl', 'genrsa', '-out', key, '2048'], check=True, capture_output=True)
    modulus = subprocess.run(['openssl', 'rsa', '-in', key, '-noout', '-modulus'], check=True,
                             capture_output=True, text=True).stdout.strip().split('=', 1)[1]
    n = bytes.fromhex(modulus)
    jwk = {'kty': 'RSA', 'n': b64url(n), 'e': b64url((65537).to_bytes(3, 'big')), 'kid': 'k1',
           'alg': 'RS256'}
    return key, jwk


def assertion(key, client_id, aud):
    header = b64url(json.dumps({'alg': 'RS256', 'typ': 'JWT', 'kid': 'k1'}).encode())
    now = int(time.time())
    claims = b64url(json.dumps({'iss': client_id, 'sub': client_id, 'aud': aud, 'exp': now + 240,
                                'iat': now, 'jti': secrets.token_hex(16)}).encode())
    signing_input = f'{header}.{claims}'
    sig = subprocess.run(['openssl', 'dgst', '-sha256', '-sign', key], input=signing_input.encode(),
                         check=True, capture_output=True).stdout
    return signing_input + '.' + b64url(sig)


def system_token(server, key, client_id):
    client = FhirClient(server)
    client.auth = {}
    form = urllib.parse.urlencode({
        'grant_type': 'client_credentials',
        'client_assertion_type': 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        'client_assertion': assertion(key, client_id,
                                      f'https://127.0.0.1:{server.port}/oauth2/token')})
    client.conn.request('POST', '/oauth2/token', body=form,
                        headers={'Content-Type': 'application/x-www-form-urlencoded'})
    r = client.conn.getresponse()
    body = r.read().decode()
    client.close()
    check('the system client gets a token', r.status == 200, body[:200])
    return json.loads(body)['access_token']


def stored(client, resource_type):
    """type/id of every stored resource of the type, by search (following next links)."""
    out = set()
    path = f'/fhir/{resource_type}?_count=1000'
    while path:
        status, _, body = client.call('GET', path)
        check(f'search {resource_type}', status == 200, body[:200])
        bundle = json.loads(body)
        for e in bundle.get('entry', []):
            out.add(resource_type + '/' + e['resource']['id'])
        path = ''
        for link in bundle['link']:
            if link['relation'] == 'next':
                path = link['url'][link['url'].index('/fhir/'):]
    return out


def run_export(client, kick_off_path):
    """Kick-off, poll, download every file: (set of type/id, manifest, whether 202s had X-Progress)."""
    status, headers, body = client.call('GET', kick_off_path, headers={'Prefer': 'respond-async'})
    check('kick-off is 202 with Content-Location', status == 202 and
          '/fhir/$export-status/' in headers.get('content-location', ''), f'{status} {body[:200]}')
    status_path = headers['content-location'][headers['content-location'].index('/fhir/'):]
    progress_ok = True
    for _ in range(600):
        status, headers, body = client.call('GET', status_path)
        if status != 202:
            break
        progress_ok = progress_ok and bool(headers.get('x-progress'))
        time.sleep(0.05)
    check('the status turns 200 with a manifest', status == 200, f'{status} {body[:200]}')
    manifest = json.loads(body)
    seen = []
    for out in manifest['output']:
        path = out['url'][out['url'].index('/fhir/'):]
        status, headers, body = client.call('GET', path, headers={'Accept': 'application/fhir+ndjson'})
        check('a file downloads as NDJSON', status == 200 and
              headers.get('content-type', '').startswith('application/fhir+ndjson'), str(status))
        lines = [json.loads(line) for line in body.splitlines() if line]
        check('the manifest count is the file\'s', len(lines) == out['count'],
              f"{len(lines)} vs {out['count']}")
        for r in lines:
            check('each line is of the file\'s type', r['resourceType'] == out['type'])
            seen.append(r['resourceType'] + '/' + r['id'])
    check('no resource is in two files', len(seen) == len(set(seen)))
    return set(seen), manifest, progress_ok, status_path


def main():
    with MamoriServer(MAMORI) as server:
        # Data: two Synthea patients, imported offline; a system client registered.
        server.stop()
        r = server._mamori('import', '--data-dir', server.data_dir, *SYNTHEA)
        check('import the Synthea bundles', r.returncode == 0, r.stderr)
        key, jwk = rsa_key(server.tmp)
        jwk_file = os.path.join(server.tmp, 'client.jwk')
        with open(jwk_file, 'w') as f:
            json.dump(jwk, f)
        r = server._mamori('client', 'add', '--data-dir', server.data_dir, '--id',
                           'warehouse', '--name', 'Data warehouse', '--jwk-file', jwk_file,
                           '--scope', 'system/*.rs')
        check('register the system client', r.returncode == 0, r.stderr)
        server.start()

        person = FhirClient(server)
        expected = set()
        for t in TYPES:
            expected |= stored(person, t)
        check('the data has every type', all(any(e.startswith(t + '/') for e in expected)
                                             for t in TYPES), str(len(expected)))
        status, _, body = person.call('GET', '/fhir/$export', headers={'Prefer': 'respond-async'})
        check('a person gets 403 from $export', status == 403, body[:200])

        system = FhirClient(server)
        system.auth = {'Authorization': 'Bearer ' + system_token(server, key, 'warehouse')}
        union, manifest, progress_ok, status_path = run_export(
            system, '/fhir/$export?_type=' + ','.join(TYPES))
        check('union of the files == stored resources of the requested types',
              union == expected, f'{len(union)} vs {len(expected)}; '
              f'missing {sorted(expected - union)[:3]} extra {sorted(union - expected)[:3]}')
        check('202s carried X-Progress', progress_ok)
        check('manifest: requiresAccessToken and transactionTime',
              manifest['requiresAccessToken'] is True and manifest['transactionTime'])
        # Patient level with a _typeFilter: only the filtered Observations.
        code = '8302-2'
        heights = {'Observation/' + e['resource']['id'] for e in json.loads(
            person.call('GET', f'/fhir/Observation?code={code}&_count=1000')[2]).get('entry', [])}
        check('the data has heights', len(heights) > 0)
        filtered, _, _, _ = run_export(
            system, '/fhir/Patient/$export?_type=Observation&_typeFilter=' +
            urllib.parse.quote(f'Observation?code={code}', safe=''))
        check('_typeFilter narrows a Patient-level export', filtered == heights,
              f'{len(filtered)} vs {len(heights)}')
        future, _, _, _ = run_export(system, '/fhir/$export?_since=2999-01-01T00:00:00Z')
        check('_since in the future exports nothing', future == set(), str(len(future)))
        # Delete: cancelled and forgotten.
        status, _, _ = system.call('DELETE', status_path)
        check('DELETE of the status URL is 202', status == 202, str(status))
        status, _, _ = system.call('GET', status_path)
        check('a deleted job is 404', status == 404, str(status))
        status, _, body = system.call('GET', '/fhir/$export?_type=Nope',
                                      headers={'Prefer': 'respond-async'})
        check('an unknown _type is 400', status == 400, f'{status} {body[:200]}')
        system.close()
        person.close()
        r = server._mamori('reindex', '--data-dir', server.data_dir)
        check('mamori reindex while the server runs is refused and says why',
              r.returncode == 1 and 'stop it' in r.stderr, r.stderr)

        # Offline, with the server stopped.
        server.stop()
        r = server._mamori('reindex', '--data-dir', server.data_dir)
        check('mamori reindex rebuilds the index with progress',
              r.returncode == 0 and 'rebuilt the search index of' in r.stdout and
              'reindexing:' in r.stderr, r.stdout + r.stderr)
        out = os.path.join(server.tmp, 'export-out')
        args = ['export', '--data-dir', server.data_dir, '--to', out]
        for t in TYPES:
            args += ['--type', t]
        r = server._mamori(*args)
        check('mamori export without --plaintext writes nothing and says why',
              r.returncode == 1 and '--plaintext' in r.stderr and not os.path.exists(out),
              r.stderr)
        r = server._mamori(*args, '--plaintext')
        check('mamori export --plaintext succeeds and says the files are plaintext',
              r.returncode == 0 and 'plaintext patient data' in r.stdout, r.stderr + r.stdout)
        offline = set()
        for name in sorted(os.listdir(out)):
            path = os.path.join(out, name)
            check(f'{name} is mode 0600', stat.S_IMODE(os.stat(path).st_mode) == 0o600)
            if not name.endswith('.ndjson'):
                continue
            with open(path) as f:
                for line in f:
                    r = json.loads(line)
                    offline.add(r['resourceType'] + '/' + r['id'])
        check('the offline export holds the same resources', offline == expected,
              f'{len(offline)} vs {len(expected)}')
        r = server._mamori('audit', 'verify', '--data-dir', server.data_dir)
        check('the audit log still verifies', r.returncode == 0, r.stdout + r.stderr)
        # Issue 6 / PLAN-05: what the system client downloaded is in `audit affected`.
        patients = sorted(e.split('/', 1)[1] for e in expected if e.startswith('Patient/'))
        r = server._mamori('audit', 'affected', '--data-dir', server.data_dir, '--principal',
                           'warehouse', '--from', '2000-01-01T00:00:00Z', '--to',
                           '2999-01-01T00:00:00Z')
        check('audit affected lists every patient the export files disclosed',
              r.returncode == 0 and r.stdout.split() == patients, r.stdout + r.stderr)
        # After the reindex, search answers as before.
        server.start()
        person = FhirClient(server)
        after = set()
        for t in TYPES:
            after |= stored(person, t)
        check('search after reindex finds the same resources', after == expected,
              f'{len(after)} vs {len(expected)}')
        person.close()
    finish()


if __name__ == '__main__':
    main()
