#!/usr/bin/env python3
"""Issue 8, through the `mamori` binary and a live server (GUIDELINE SYS-58, SYS-62, EMG-04):

  1. Four clients create and update patients over HTTPS while `mamori backup create` snapshots the
     live data directory; a second snapshot follows, into a directory and an offline archive.
     That first snapshot restores to a consistent state: every version acknowledged before the
     backup started is there (or a later acknowledged one), nothing unacknowledged, and
     `mamori audit verify` passes on the restored directory.
  1b. Retention: `backup admin-key`; prune with another key refuses and changes nothing; prune
     with the admin key keeps exactly the newest snapshot, which verifies and restores.
  1c. The archive: one file, no canary, verifies, restores the same database as the directory;
     truncated, it is reported with the offset and restore refuses.
  2. The canary: a patient's unique name and identifier appear in no byte of the backup.
  3. `mamori backup list` shows both snapshots as signed; `backup verify` passes.
  4. `mamori restore` into a new directory, then `mamori serve` on it: every resource version that
     was acknowledged before the second snapshot began is there, equal to what the server returned.
  5. Damage: a flipped bit in one chunk and a deleted chunk are each reported by `backup verify`
     with the chunk's object name, exit status 1; a truncated manifest too; restore then refuses,
     and a restore drill fails, naming the chunk.
  7. `mamori restore --drill` (GUIDELINE EMG-08) passes on the intact backup, records signed
     evidence in the destination, and `backup list` shows it.
  6. A wrong passphrase restores nothing and says so in one line.
Usage: backup_integration_test.py MAMORI_BINARY
"""
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamori_server import MamoriServer  # noqa: E402
from testlib import FhirClient, check, finish  # noqa: E402

MAMORI = os.path.abspath(sys.argv[1])


def run(*args, env=None):
    r = subprocess.run([MAMORI] + list(args), capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL, timeout=300)
    return r.returncode, r.stdout, r.stderr


def writer(server, name, acknowledged, versions, lock, stop):
    """Creates and updates patients until `stop` (at least 25); every acknowledged version goes
    into `versions` (id -> [(monotonic time of the ack, resource)]), the last into `acknowledged`.
    """
    client = FhirClient(server)
    try:
        i = 0
        while i < 25 or (not stop.is_set() and i < 400):
            i += 1
            status, headers, body = client.call('POST', '/fhir/Patient', {
                'resourceType': 'Patient', 'name': [{'family': f'{name}-{i}'}]})
            if status != 201:
                continue
            patient = json.loads(body)
            with lock:
                versions.setdefault(patient['id'], []).append((time.monotonic(), patient))
            patient = dict(patient, gender='female')
            status, _, body = client.call('PUT', f"/fhir/Patient/{patient['id']}", patient)
            if status == 200:
                with lock:
                    acknowledged[patient['id']] = json.loads(body)
                    versions[patient['id']].append((time.monotonic(), json.loads(body)))
    finally:
        client.close()


def snapshot_ids(env, dest):
    code, out, _ = run('backup', 'list', dest, env=env)
    return [line.split()[0] for line in out.splitlines() if not line.startswith('mamori:')], out


def main():
    work = tempfile.mkdtemp(prefix='mamori-backup-it-')
    dest = os.path.join(work, 'backups')
    canary_family = 'Canary' + secrets.token_hex(6)
    canary_id = 'CANARY-' + secrets.token_hex(6)
    with MamoriServer(MAMORI) as server:
        env = server.env
        client = FhirClient(server)
        status, _, body = client.call('POST', '/fhir/Patient', {
            'resourceType': 'Patient', 'name': [{'family': canary_family}],
            'identifier': [{'system': 'urn:test', 'value': canary_id}]})
        check('canary patient created', status == 201, body)
        canary = json.loads(body)
        acknowledged, lock = {canary['id']: canary}, threading.Lock()
        versions, stop = {}, threading.Event()
        threads = [threading.Thread(target=writer,
                                    args=(server, f'W{n}', acknowledged, versions, lock, stop))
                   for n in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.5)  # the writers are under way before the backup starts
        backup_started = time.monotonic()
        code, out, err = run('backup', 'create', '--data-dir', server.data_dir, '--to', dest,
                             env=env)
        backup_ended = time.monotonic()
        check('backup create during 4 writers succeeds', code == 0, out + err)
        stop.set()
        for t in threads:
            t.join()
        with lock:
            during = sum(1 for vs in versions.values() for t, _ in vs
                         if backup_started < t < backup_ended)
        check('the 4 writers were acknowledged while the backup ran', during > 10, during)
        with lock:
            before_second = dict(acknowledged)
        archive = os.path.join(work, 'usb', 'offline.mamori')
        os.makedirs(os.path.dirname(archive))
        code, out, err = run('backup', 'create', '--data-dir', server.data_dir, '--to', dest,
                             '--to', 'archive:' + archive, env=env)
        check('second backup succeeds into a directory and an archive', code == 0
              and out.count('mamori: snapshot ') == 2 and 'archive:' in out, out + err)
        check('summary line names bytes read, new and written',
              'read' in out and 'new' in out and 'written' in out, out)
        # Retention (SYS-58, EMG-03): a destination made with an admin key, pruned only with it.
        admin = os.path.join(work, 'admin.key')
        code, out, err = run('backup', 'admin-key', '--out', admin, env=env)
        check('admin-key writes a private and a public file',
              code == 0 and os.path.exists(admin + '.pub'), out + err)
        pruned = os.path.join(work, 'pruned')
        for _ in range(3):
            code, out, err = run('backup', 'create', '--data-dir', server.data_dir, '--to', pruned,
                                 '--admin-public-key', admin + '.pub', env=env)
            check('backup into the prunable destination', code == 0, out + err)
            time.sleep(1)  # snapshot ids are named by the second
        client.close()

    # 2. The canary appears in no byte of the backup.
    leaked = []
    for root, _, files in os.walk(dest):
        for f in files:
            data = open(os.path.join(root, f), 'rb').read()
            for needle in (canary_family, canary_id):
                if needle.encode() in data or needle.lower().encode() in data:
                    leaked.append(os.path.join(root, f))
    check('no backup byte holds the canary', not leaked, leaked[:3])

    # Prune: a wrong key refuses and removes nothing; the admin key keeps exactly the newest one.
    def tree(d):
        return sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs)
    before = tree(pruned)
    other = os.path.join(work, 'other.key')
    run('backup', 'admin-key', '--out', other, env=env)
    code, out, err = run('backup', 'prune', pruned, '--admin-key', other, '--keep-last', '1',
                         '--keep-daily', '1', env=env)
    check('prune with another key exits 1 and says so in one line',
          code == 1 and 'admin key' in err and len(err.strip().splitlines()) == 1, err)
    check('prune with another key changes nothing', tree(pruned) == before)
    pruned_ids, _ = snapshot_ids(env, pruned)
    code, out, err = run('backup', 'prune', pruned, '--admin-key', admin, '--keep-last', '1',
                         '--keep-daily', '1', '--keep-weekly', '0', '--keep-monthly', '0', env=env)
    check('prune with the admin key removes the two older snapshots',
          code == 0 and out.count('removed ') == 2, out + err)
    left, _ = snapshot_ids(env, pruned)
    check('exactly the newest snapshot is left', left == pruned_ids[-1:], (left, pruned_ids))
    code, out, err = run('backup', 'verify', pruned, env=env)
    check('the pruned destination verifies', code == 0 and '0 problems' in out, out + err)
    code, out, err = run('restore', '--from', pruned, '--snapshot', left[0], '--data-dir',
                         os.path.join(work, 'from-pruned'), env=env)
    check('the kept snapshot restores', code == 0, out + err)

    # The offline archive: one file; it restores; truncation is reported with the offset.
    check('the archive is one file', os.listdir(os.path.dirname(archive)) == ['offline.mamori'])
    leaked = [n for n in (canary_family, canary_id) if n.encode() in open(archive, 'rb').read()]
    check('no archive byte holds the canary', not leaked)
    arch_ids, listing = snapshot_ids(env, 'archive:' + archive)
    check('the archive lists one signed snapshot', len(arch_ids) == 1 and 'signed' in listing,
          listing)
    code, out, err = run('backup', 'verify', 'archive:' + archive, env=env)
    check('the archive verifies', code == 0 and '0 problems' in out, out + err)
    code, out, err = run('restore', '--from', 'archive:' + archive, '--snapshot', arch_ids[0],
                         '--data-dir', os.path.join(work, 'from-archive'), env=env)
    check('restore from the archive succeeds', code == 0, out + err)
    size = os.path.getsize(archive)
    os.truncate(archive, size - 1000)
    code, out, err = run('backup', 'verify', 'archive:' + archive, env=env)
    check('a truncated archive is reported with its offset',
          code == 1 and 'offset' in out and 'truncated' in out, out + err)
    code, out, err = run('restore', '--from', 'archive:' + archive, '--snapshot', arch_ids[0],
                         '--data-dir', os.path.join(work, 'from-cut'), env=env)
    check('restore from a truncated archive refuses',
          code == 1 and not os.path.exists(os.path.join(work, 'from-cut', 'mamori.db')), out + err)

    # 3. list and verify.
    ids, listing = snapshot_ids(env, dest)
    check('two snapshots listed as signed', len(ids) == 2 and listing.count('signed') == 2,
          listing)
    code, out, err = run('backup', 'verify', dest, env=env)
    check('verify passes on an intact backup', code == 0 and '0 problems' in out, out + err)

    # 4. Restore the second snapshot and serve it.
    restored = os.path.join(work, 'restored')
    code, out, err = run('restore', '--from', dest, '--snapshot', ids[-1], '--data-dir', restored,
                         env=env)
    check('restore succeeds', code == 0, out + err)
    check('the archive holds the same database as the directory (one copy, two destinations)',
          open(os.path.join(work, 'from-archive', 'mamori.db'), 'rb').read()
          == open(os.path.join(restored, 'mamori.db'), 'rb').read())
    # Serve the restored directory as it is (no init): start() only.
    port_server = MamoriServer(MAMORI, data_dir=restored)
    port_server.env = env
    port_server.start()
    try:
        client = FhirClient(port_server)
        missing = []
        for pid, resource in before_second.items():
            status, _, body = client.call('GET', f'/fhir/Patient/{pid}')
            if status != 200 or json.loads(body) != resource:
                missing.append((pid, status))
        check('every version acknowledged before the snapshot is restored equal',
              not missing, missing[:5])
        check('the restore holds many acknowledged writes', len(before_second) > 50,
              len(before_second))
        client.close()
    finally:
        port_server.stop()

    # Issue 8: the snapshot taken under 4 concurrent writers restores to a consistent state: every
    # version acknowledged before the backup started is there (or a later acknowledged one), any
    # other patient present is at a version the server acknowledged, and the ledger verifies.
    first = os.path.join(work, 'restored-first')
    code, out, err = run('restore', '--from', dest, '--snapshot', ids[0], '--data-dir', first,
                         env=env)
    check('restore of the snapshot taken under 4 writers succeeds', code == 0, out + err)
    code, out, err = run('audit', 'verify', '--data-dir', first, env=env)
    check('audit verify passes on the restored directory', code == 0, out + err)
    first_server = MamoriServer(MAMORI, data_dir=first)
    first_server.env = env
    first_server.start()
    try:
        client = FhirClient(first_server)
        wrong, missing, present = [], [], 0
        for pid, vs in versions.items():
            before = [r for t, r in vs if t < backup_started]
            status, _, body = client.call('GET', f'/fhir/Patient/{pid}')
            if status == 404 and not before:
                continue
            if status != 200:
                missing.append((pid, status))
                continue
            present += 1
            got = json.loads(body)
            # Versions of one patient are in ack order; the restored one is the last acknowledged
            # before the start or a later one.
            allowed = [r for _, r in vs[max(len(before) - 1, 0):]]
            if got not in allowed:
                wrong.append(pid)
        client.close()
        check('every patient acknowledged before the backup started is restored', not missing,
              missing[:5])
        check('every restored patient is at an acknowledged version, not older than at the start',
              not wrong, wrong[:5])
        check('the snapshot holds the writes from before it', present > 10, present)
    finally:
        first_server.stop()

    # EMG-08: a restore drill passes, is recorded in the destination, and `list` shows it.
    code, out, err = run('restore', '--drill', '--from', dest, env=env)
    check('restore drill passes', code == 0 and 'PASSED' in out, out + err)
    drills = os.path.join(dest, 'drills')
    check('the drill is recorded as signed evidence',
          os.path.isdir(drills) and len(os.listdir(drills)) == 1, out + err)
    _, listing = snapshot_ids(env, dest)
    check('list shows the last drill', 'last restore drill' in listing and 'passed' in listing,
          listing)

    # 6. A wrong passphrase.
    wrong = os.path.join(work, 'wrong-pass')
    with open(wrong, 'w') as f:
        f.write('not the passphrase at all\n')
    os.chmod(wrong, 0o600)
    code, out, err = run('restore', '--from', dest, '--snapshot', ids[-1], '--data-dir',
                         os.path.join(work, 'r2'), '--passphrase-file', wrong, env=env)
    check('wrong passphrase: exit 1 and one line', code == 1 and len(err.strip().splitlines()) == 1,
          err)
    check('wrong passphrase restores nothing', not os.path.exists(os.path.join(work, 'r2',
                                                                              'mamori.db')))

    # 5. Damage.
    # The chunks of the newest snapshot's database (the first may hold chunks it does not): each
    # manifest entry is [id, size, sha256 of the blob, pack, offset, length].
    chunks = []
    for line in open(os.path.join(dest, 'snapshots', ids[-1] + '.manifest')):
        record = json.loads(line)
        if record.get('file') == 'mamori.db':
            chunks = record['chunks']
    pack_path = lambda c: os.path.join(dest, 'packs', c[3][:2], c[3])  # noqa: E731
    name_of = lambda p: os.path.relpath(p, dest)  # noqa: E731
    victim = chunks[len(chunks) // 2]
    os.chmod(pack_path(victim), 0o600)
    data = bytearray(open(pack_path(victim), 'rb').read())
    data[victim[4] + victim[5] // 2] ^= 0x10
    open(pack_path(victim), 'wb').write(data)
    code, out, err = run('backup', 'verify', dest, env=env)
    check('verify exits 1 on damage', code == 1, out + err)
    where = '%s offset %d length %d chunk %s' % (name_of(pack_path(victim)), victim[4], victim[5],
                                                 victim[0])
    check('the flipped chunk is reported by pack, offset and id',
          where in out and 'content changed' in out, out)
    code, out, err = run('restore', '--from', dest, '--snapshot', ids[-1], '--data-dir',
                         os.path.join(work, 'r3'), env=env)
    check('restore refuses a damaged snapshot', code == 1 and 'chunk' in err, err)
    code, out, err = run('restore', '--drill', '--from', dest, '--snapshot', ids[-1], env=env)
    check('a drill of the damaged snapshot fails and says where', code == 1 and 'FAILED' in out
          and 'chunk' in out, out + err)
    gone = pack_path(chunks[0])
    os.remove(gone)
    code, out, err = run('backup', 'verify', dest, env=env)
    check('the chunks of a deleted pack are reported as missing',
          code == 1 and name_of(gone) + ' offset ' in out and 'missing' in out, out)
    manifest = os.path.join(dest, 'snapshots', ids[0] + '.manifest')
    os.chmod(manifest, 0o600)
    text = open(manifest, 'rb').read()
    open(manifest, 'wb').write(text[: len(text) // 2])
    code, out, err = run('backup', 'verify', dest, '--snapshot', ids[0], env=env)
    check('a truncated manifest is reported', code == 1 and 'manifest' in out, out)
    shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == '__main__':
    main()
