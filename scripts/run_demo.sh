#!/usr/bin/env bash
# `make run`: create a demo data directory if there is none, then serve it.
# Usage: run_demo.sh MAMORI_BINARY DATA_DIR LISTEN
set -euo pipefail
MAMORI=$1
DATA_DIR=$2
LISTEN=$3

if [[ ! -e "$DATA_DIR/config.toml" ]]; then
  "$MAMORI" init --data-dir "$DATA_DIR" --demo
fi
echo "mamori: serving https://$LISTEN  (check: curl --cacert $DATA_DIR/tls/ca.pem https://$LISTEN/healthz)"
exec "$MAMORI" serve --data-dir "$DATA_DIR" --listen "$LISTEN"
