#!/usr/bin/env bash
# Import benchmark (issue 4, target >= 5,000 resources/s): `mamori import` of the Synthea
# sample data as one NDJSON file, COPIES times over (default 20: 61,720 resources, 84 MB),
# into a fresh encrypted data directory. Prints mamori's own summary and the database size.
#   bench/fhir_load/import.sh [MAMORI_BINARY]
set -euo pipefail
MAMORI=${1:-build-bench/src/cli/mamori}
COPIES=${COPIES:-20}
WORK=$(mktemp -d /tmp/mamori-bench-import.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 "$(dirname "$0")/synthea_ndjson.py" "$COPIES" "$WORK/data.ndjson"
printf 'import benchmark passphrase\n' >"$WORK/passphrase"
chmod 600 "$WORK/passphrase"
export MAMORI_PASSPHRASE_FILE="$WORK/passphrase"
"$MAMORI" init --data-dir "$WORK/d" >/dev/null
"$MAMORI" import --data-dir "$WORK/d" "$WORK/data.ndjson"
ls -l "$WORK/data.ndjson" "$WORK"/d/mamori.db*
