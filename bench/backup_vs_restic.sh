#!/usr/bin/env bash
# Issue 8 benchmark: mamori's backup against restic (Debian 0.14.0) in the same run, on the same
# data directory (>= 1 GB of encrypted records), both into a local repository on the same disk.
#   first backup, incremental backup after ~1% more records, restore (MB/s).
# Target: mamori's first and incremental backups at least as fast as restic's; restore >= 200 MB/s.
#   bench/backup_vs_restic.sh [MAMORI_BINARY]        (COPIES=200 gives about 1.1 GiB: bodies are compressed)
# The data directory is built with `mamori import` of the Synthea sample data, COPIES times.
# Bounded: one pass of each step; everything stays under one temporary directory.
set -euo pipefail
MAMORI=${1:-build-bench/src/cli/mamori}
COPIES=${COPIES:-200}
WORK=${WORK:-$(mktemp -d /tmp/mamori-bench-backup.XXXXXX)}
trap 'rm -rf "$WORK"' EXIT
command -v restic >/dev/null || { echo "restic not installed (scripts/deps.sh installs it)"; exit 1; }

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }
mib() { python3 -c "print(f'{$1 / 1048576:.0f}')"; }
size_of() { du -sb "$1" | cut -f1; }

printf 'backup benchmark passphrase\n' >"$WORK/passphrase"
chmod 600 "$WORK/passphrase"
export MAMORI_PASSPHRASE_FILE="$WORK/passphrase"
export RESTIC_PASSWORD_FILE="$WORK/passphrase"
export RESTIC_CACHE_DIR="$WORK/restic-cache"

python3 "$(dirname "$0")/fhir_load/synthea_ndjson.py" "$COPIES" "$WORK/data.ndjson" >/dev/null
"$MAMORI" init --data-dir "$WORK/d" >/dev/null
"$MAMORI" import --data-dir "$WORK/d" "$WORK/data.ndjson" >/dev/null
rm -f "$WORK/data.ndjson"
DB_BYTES=$(stat -c %s "$WORK/d/mamori.db")
echo "data directory: $(mib "$(size_of "$WORK/d")") MiB (mamori.db $(mib "$DB_BYTES") MiB)"

# restic backs up a consistent copy too (the same bytes mamori chunks), so both read the same data.
t0=$(now); "$MAMORI" backup create --data-dir "$WORK/d" --to "$WORK/mamori-repo" >/dev/null; t1=$(now)
M_FIRST=$(elapsed "$t0" "$t1"); M_FIRST_BYTES=$(size_of "$WORK/mamori-repo")
restic init --repo "$WORK/restic-repo" >/dev/null
t0=$(now); restic backup --quiet --repo "$WORK/restic-repo" "$WORK/d" >/dev/null; t1=$(now)
R_FIRST=$(elapsed "$t0" "$t1"); R_FIRST_BYTES=$(size_of "$WORK/restic-repo")

# About 1% more records.
EXTRA=$(( COPIES / 100 > 0 ? COPIES / 100 : 1 ))
python3 "$(dirname "$0")/fhir_load/synthea_ndjson.py" "$EXTRA" "$WORK/more.ndjson" >/dev/null
"$MAMORI" import --data-dir "$WORK/d" "$WORK/more.ndjson" >/dev/null
t0=$(now); "$MAMORI" backup create --data-dir "$WORK/d" --to "$WORK/mamori-repo" >/dev/null; t1=$(now)
M_INCR=$(elapsed "$t0" "$t1"); M_INCR_BYTES=$(( $(size_of "$WORK/mamori-repo") - M_FIRST_BYTES ))
t0=$(now); restic backup --quiet --repo "$WORK/restic-repo" "$WORK/d" >/dev/null; t1=$(now)
R_INCR=$(elapsed "$t0" "$t1"); R_INCR_BYTES=$(( $(size_of "$WORK/restic-repo") - R_FIRST_BYTES ))

SNAP=$("$MAMORI" backup list "$WORK/mamori-repo" | grep -v '^mamori:' | tail -1 | cut -d' ' -f1)
t0=$(now); "$MAMORI" restore --from "$WORK/mamori-repo" --snapshot "$SNAP" --data-dir "$WORK/m-restore" >/dev/null; t1=$(now)
M_RESTORE=$(elapsed "$t0" "$t1"); RESTORED=$(size_of "$WORK/m-restore")
t0=$(now); restic restore --quiet latest --repo "$WORK/restic-repo" --target "$WORK/r-restore" >/dev/null; t1=$(now)
R_RESTORE=$(elapsed "$t0" "$t1")

python3 - "$M_FIRST" "$R_FIRST" "$M_INCR" "$R_INCR" "$M_RESTORE" "$R_RESTORE" "$RESTORED" \
  "$M_FIRST_BYTES" "$R_FIRST_BYTES" "$M_INCR_BYTES" "$R_INCR_BYTES" <<'PY'
import sys
mf, rf, mi, ri, mr, rr = map(float, sys.argv[1:7])
restored, mfb, rfb, mib_, rib = map(int, sys.argv[7:12])
M = 1048576
print(f"| step | mamori | restic | mamori / restic time |")
print(f"| --- | --- | --- | --- |")
print(f"| first backup | {mf:.2f} s ({mfb/M:.0f} MiB stored) | {rf:.2f} s ({rfb/M:.0f} MiB stored) | {mf/rf:.2f} |")
print(f"| incremental (+~1% records) | {mi:.2f} s (+{mib_/M:.1f} MiB) | {ri:.2f} s (+{rib/M:.1f} MiB) | {mi/ri:.2f} |")
print(f"| restore | {mr:.2f} s, {restored/M/mr:.0f} MB/s | {rr:.2f} s, {restored/M/rr:.0f} MB/s | {mr/rr:.2f} |")
ok = mf <= rf and mi <= ri and restored / M / mr >= 200
print("targets:", "PASS" if ok else "MISS",
      f"(first {'<=' if mf <= rf else '>'} restic, incremental {'<=' if mi <= ri else '>'} restic, restore {restored/M/mr:.0f} MB/s vs 200)")
PY
