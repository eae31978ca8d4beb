#!/usr/bin/env bash
# Search index cost in database size (issue 5): `mamori import` into fresh encrypted data
# directories of (1) N small Patients (the 406-byte body of bench/fhir_load/create_patient.lua,
# default N=20000) and (2) the 11 Synthea bundles as NDJSON; after a WAL checkpoint, prints the
# database size against the raw JSON and the bytes per table (SQLite dbstat).
#   bench/search/size.sh [MAMORI_BINARY]
set -euo pipefail
MAMORI=${1:-build/src/cli/mamori}
N=${N:-20000}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/mamori-bench-search-size.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
printf 'search size benchmark passphrase\n' >"$WORK/passphrase"
chmod 600 "$WORK/passphrase"
export MAMORI_PASSPHRASE_FILE="$WORK/passphrase"

python3 - "$N" "$WORK/patients.ndjson" <<'PY'
import sys
n, out = int(sys.argv[1]), open(sys.argv[2], 'w')
fam = ["Yamada", "Suzuki", "Tanaka", "Watanabe", "Ito", "Nakamura", "Kobayashi", "Kato"]
giv = ["Taro", "Hanako", "Ichiro", "Yuki", "Sakura", "Kenji", "Aoi", "Haruto"]
for i in range(1, n + 1):
    out.write('{"resourceType":"Patient","id":"p%07d",' % i +
              '"identifier":[{"system":"urn:oid:1.2.392.100495.20.3.51.11311234567","value":"run-1-%d"}],' % i +
              '"active":true,"name":[{"use":"official","family":"%s","given":["%s"]}],' % (fam[i % 8], giv[i % 8]) +
              '"telecom":[{"system":"phone","value":"090-%04d-%04d","use":"mobile"}],' % (i % 10000, i * 7 % 10000) +
              '"gender":"%s","birthDate":"%04d-%02d-%02d",' % ("female" if i % 2 == 0 else "male", 1930 + i % 90, 1 + i % 12, 1 + i % 28) +
              '"address":[{"use":"home","postalCode":"100-0001","city":"Chiyoda","state":"Tokyo","country":"JP"}]}\n')
PY
python3 "$HERE/../fhir_load/synthea_ndjson.py" 1 "$WORK/synthea.ndjson" >/dev/null

for data in patients synthea; do
  "$MAMORI" init --data-dir "$WORK/$data" >/dev/null
  "$MAMORI" import --data-dir "$WORK/$data" "$WORK/$data.ndjson"
  sqlite3 "$WORK/$data/mamori.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  raw=$(stat -c %s "$WORK/$data.ndjson")
  db=$(stat -c %s "$WORK/$data/mamori.db")
  rows=$(wc -l <"$WORK/$data.ndjson")
  echo "$data: $rows resources, raw JSON $raw B, database $db B, ratio $(python3 -c "print(f'{$db/$raw:.2f}')")x"
  sqlite3 "$WORK/$data/mamori.db" \
    "SELECT '  ' || name || ': ' || sum(pgsize) || ' B, ' || (sum(pgsize) / $rows) || ' B a resource'
       FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC;"
  sqlite3 "$WORK/$data/mamori.db" \
    "SELECT '  search_index rows (both levels): ' || n || ' (' || (n / $rows) || ' a resource)'
       FROM (SELECT (SELECT count(*) FROM search_index) + (SELECT count(*) FROM search_index_recent) AS n);"
done
