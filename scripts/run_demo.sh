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
  # DEMO ONLY: physicians need no care relation here, so the synthetic records can be browsed.
  # A real installation keeps the default policy.toml that `mamori init` wrote.
  sed -i '/^name = "physician"$/,/^\[\[role\]\]$/ s/^care_relation = true$/care_relation = false  # DEMO ONLY/' \
    "$DATA_DIR/policy.toml"
  # Two demo accounts, each with a random initial password (changed at first login) and TOTP.
  # The TOTP enrolment is confirmed here with oathtool so the printed secret works at once;
  # a real administrator confirms with the first code from the person's app.
  umask 077
  for who in admin:administrator demo.doctor:physician; do
    login=${who%%:*} role=${who#*:}
    password="Demo#$(openssl rand -hex 6)-$(openssl rand -hex 2)"
    printf '%s\n' "$password" >"$DATA_DIR.$login.tmp"
    "$MAMORI" user add --data-dir "$DATA_DIR" --login "$login" --name "Demo $role" --role "$role" \
      --requested-by demo-setup --approved-by make-run --password-file "$DATA_DIR.$login.tmp" \
      --proofing-waiver "synthetic demo account" >/dev/null
    rm -f "$DATA_DIR.$login.tmp"
    secret=$("$MAMORI" user enroll-totp --data-dir "$DATA_DIR" --login "$login" --json \
      | sed -n 's/.*"totp_secret":"\([A-Z2-7]*\)".*/\1/p')
    "$MAMORI" user enroll-totp --data-dir "$DATA_DIR" --login "$login" \
      --confirm "$(oathtool --totp -b "$secret")" >/dev/null
    echo "mamori: demo $role '$login': initial password $password  TOTP secret $secret"
  done
  echo "mamori: these are shown once; the password must be changed at first login"
  echo "        (POST /auth/login, then POST /auth/password; see README.md \"Logging in\")"
fi
echo "mamori: serving https://$LISTEN  (check: curl --cacert $DATA_DIR/tls/ca.pem https://$LISTEN/healthz)"
exec "$MAMORI" serve --data-dir "$DATA_DIR" --listen "$LISTEN"
