#!/usr/bin/env bash
# `make run`: create a demo data directory if there is none, then serve it.
# Usage: run_demo.sh MAMORI_BINARY DATA_DIR LISTEN
set -euo pipefail
MAMORI=$1
DATA_DIR=$2
LISTEN=$3

# The demo keeps its master key passphrase in a 0600 file beside the data
# directory (never inside it: a copy of the directory alone reveals nothing).
# A real installation keeps the passphrase elsewhere or types it at start-up.
PASSPHRASE_FILE="${MAMORI_PASSPHRASE_FILE:-$DATA_DIR.passphrase}"
if [[ ! -e "$PASSPHRASE_FILE" ]]; then
  (umask 077 && openssl rand -base64 24 >"$PASSPHRASE_FILE")
  echo "mamori: demo master key passphrase written to $PASSPHRASE_FILE (mode 0600)"
fi
export MAMORI_PASSPHRASE_FILE="$PASSPHRASE_FILE"

if [[ ! -e "$DATA_DIR/config.toml" ]]; then
  "$MAMORI" init --data-dir "$DATA_DIR" --demo
  # Synthetic patients for the demo: the Synthea bundles and JP Core examples of
  # shared/data, when that folder is beside the repository. All synthetic.
  SAMPLES="$(dirname "$0")/../../shared/data/fhir"
  if [[ -d "$SAMPLES/synthea" ]]; then
    "$MAMORI" import --data-dir "$DATA_DIR" "$SAMPLES"/synthea/*.json "$SAMPLES"/jp-core/*.json \
      | tail -n 1
  fi
fi
echo "mamori: serving https://$LISTEN  (check: curl --cacert $DATA_DIR/tls/ca.pem https://$LISTEN/healthz)"
exec "$MAMORI" serve --data-dir "$DATA_DIR" --listen "$LISTEN"
