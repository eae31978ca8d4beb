#!/usr/bin/env bash
# bench/fhir_load against PostgreSQL (issue 10): the create workload (create_patient.lua, a
# ~400-byte Patient, unique identifier per request) in one run against
#   sqlite  one mamori node on SQLite (WAL, synchronous=FULL), as in run.sh
#   pg1     one mamori node on a throwaway PostgreSQL 15 (fsync on, synchronous_commit on)
#   pg2     two mamori nodes on that PostgreSQL database, wrk against both at once
# Loopback only, bounded (about 2 minutes); everything lives in a temp dir removed at exit.
#
#   bench/fhir_load/pg_compare.sh [MAMORI_BINARY]
# Environment: DURATION=10s, CONNECTIONS=64 (split between the nodes for pg2), THREADS=1,
# OUT=FILE (also write the table there).
# Target (issue 10): pg1 >= 0.5x sqlite creates/s. Exit 1 if missed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MAMORI=${1:-$REPO/build/src/cli/mamori}
MAMORI=$(cd "$(dirname "$MAMORI")" && pwd)/$(basename "$MAMORI")
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}

WORK=$(mktemp -d /tmp/mamori-bench-pg.XXXXXX)
PIDS=()
PG_DIR=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n "$PG_DIR" ]] && python3 "$REPO/tests/pg_fixture.py" stop "$PG_DIR"
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "pg_compare: $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {
  for _ in $(seq 1 600); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$2" "$1" || true) != 000 ]] && return 0
    sleep 0.1
  done
  log "no answer from $1"; return 1
}

printf 'fhir load benchmark passphrase\n' >"$WORK/passphrase"
chmod 600 "$WORK/passphrase"
export MAMORI_PASSPHRASE_FILE="$WORK/passphrase"

log "starting a durable throwaway PostgreSQL"
python3 "$REPO/tests/pg_fixture.py" start --durable >"$WORK/pg.txt"
PG_BASE=$(sed -n 1p "$WORK/pg.txt")
PG_DIR=$(sed -n 2p "$WORK/pg.txt")
PG_URL=$(python3 -c "import sys; sys.path.insert(0, '$REPO/tests'); import pg_fixture; print(pg_fixture.create_database('$PG_BASE', 'bench'))")

# serve NAME DATA_DIR: starts a node, sets PID_NAME, BASE_NAME, TOKEN_NAME
serve() {
  local name=$1 dir=$2 port
  port=$(free_port)
  "$MAMORI" serve --data-dir "$dir" --listen "127.0.0.1:$port" 2>"$WORK/$name.log" &
  PIDS+=("$!")
  printf -v "PID_$name" '%s' "$!"
  printf -v "BASE_$name" '%s' "https://127.0.0.1:$port/fhir"
  wait_http "https://127.0.0.1:$port/fhir/metadata" "$dir/tls/ca.pem"
  printf -v "TOKEN_$name" '%s' \
    "$(python3 "$HERE/login.py" token "https://127.0.0.1:$port" "$dir/tls/ca.pem" "$WORK/login-$3.json")"
}
# init NAME [--store URL]: a data dir with the benchmark user, access log off
init() {
  local name=$1 dir="$WORK/data-$1"
  shift
  "$MAMORI" init --data-dir "$dir" "$@" >/dev/null
  sed -i 's/^access_log = .*/access_log = false/' "$dir/config.toml"
  python3 "$HERE/login.py" provision "$MAMORI" "$dir" "$WORK/login-$name.json"
}
var() { local v="$1_$2"; echo "${!v}"; }
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
# measure LABEL NODE CONNS: one wrk create run against NODE, one line in RESULTS
measure() {
  local label=$1 node=$2 conns=$3
  FHIR_LOAD_RUN="$label-$node" FHIR_LOAD_TOKEN="$(var TOKEN "$node")" \
    python3 "$HERE/wrk_measure.py" --server-pid "$(var PID "$node")" --raw "$WORK/wrk-$label-$node.txt" -- \
    wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency -s "$HERE/create_patient.lua" \
    "$(var BASE "$node")/Patient" | sed "s/^/$label\t$node\t$conns\t/" >>"$RESULTS"
}
warm() {
  FHIR_LOAD_RUN="warm-$1" FHIR_LOAD_TOKEN="$(var TOKEN "$1")" wrk -t1 -c4 -d2s \
    -s "$HERE/create_patient.lua" "$(var BASE "$1")/Patient" >/dev/null
}

# --- sqlite, one node
init sqlite
serve sqlite "$WORK/data-sqlite" sqlite
warm sqlite
log "sqlite: create, $CONNECTIONS connections"
measure sqlite sqlite "$CONNECTIONS"
kill -TERM "$PID_sqlite"; wait "$PID_sqlite" 2>/dev/null || true

# --- PostgreSQL, one node, then two nodes (node b: a copy of a's data directory)
init pga --store "$PG_URL"
cp -r "$WORK/data-pga" "$WORK/data-pgb"
rm -f "$WORK/data-pgb/mamori.lock"
serve pga "$WORK/data-pga" pga
warm pga
log "pg1: create, $CONNECTIONS connections"
measure pg1 pga "$CONNECTIONS"
serve pgb "$WORK/data-pgb" pga
log "pg2: create, $((CONNECTIONS / 2)) connections on each of two nodes"
measure pg2 pga "$((CONNECTIONS / 2))" &
M1=$!
measure pg2 pgb "$((CONNECTIONS / 2))" &
M2=$!
wait "$M1" "$M2"
DB_BYTES=$(python3 -c "import sys; sys.path.insert(0, '$REPO/tests'); import pg_fixture; print(pg_fixture.psql_at('$PG_BASE', 'bench', 'SELECT pg_database_size(current_database()) || chr(124) || (SELECT count(*) FROM resource_version) || chr(124) || (SELECT count(*) FROM ledger_leaf)'))")

python3 - "$RESULTS" "$MAMORI" "$DURATION" "$DB_BYTES" <<'PY' | tee "$WORK/table.txt"
import collections, datetime, os, sys
results, binary, duration, db_bytes = sys.argv[1:]
rows = collections.OrderedDict()
for line in open(results):
    label, node, conns, rps, p50, p99, n, non2xx, sockerr, scpu, wcpu, ocpu = line.rstrip('\n').split('\t')
    rows.setdefault(label, []).append(dict(node=node, conns=int(conns), rps=float(rps),
                                           p50=float(p50), p99=float(p99), n=int(n),
                                           err=int(non2xx) + int(sockerr), scpu=float(scpu),
                                           ocpu=float(ocpu)))
now = datetime.datetime.now(datetime.timezone.utc)
print(f'# bench/fhir_load/pg_compare.sh  create_patient.lua, wrk -d{duration}; {binary}')
print(f'# {now:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores shared by wrk, mamori and PostgreSQL;'
      f' load average at end {" ".join(open("/proc/loadavg").read().split()[:3])}')
print(f'{"setup":<7} {"conns":>6} {"creates/s":>10} {"p50 ms":>8} {"p99 ms":>8} {"errors":>7} '
      f'{"mamori cpu":>10} {"other cpu":>9}')
total = {}
for label, rs in rows.items():
    rps = sum(r['rps'] for r in rs)
    total[label] = rps
    print(f'{label:<7} {"+".join(str(r["conns"]) for r in rs):>6} {rps:>10.0f} '
          f'{max(r["p50"] for r in rs):>8.2f} {max(r["p99"] for r in rs):>8.2f} '
          f'{sum(r["err"] for r in rs):>7} {sum(r["scpu"] for r in rs):>10.2f} '
          f'{min(r["ocpu"] for r in rs):>9.2f}')
ratio = total.get('pg1', 0) / total['sqlite'] if total.get('sqlite') else 0
ratio2 = total.get('pg2', 0) / total['sqlite'] if total.get('sqlite') else 0
size, versions, leaves = (int(x) for x in db_bytes.split('|'))
print(f'pg1/sqlite = {ratio:.2f}x, pg2/sqlite = {ratio2:.2f}x; PostgreSQL database after the run:'
      f' {size / 1e6:.1f} MB for {versions} resource versions and {leaves} audit leaves'
      f' ({size / max(versions, 1) / 1024:.1f} KiB per version, everything included)')
print('target pg1 >= 0.5x sqlite: ' + ('met' if ratio >= 0.5 else 'MISSED'))
sys.exit(0 if ratio >= 0.5 else 1)
PY
status=${PIPESTATUS[0]}
[[ -n "${OUT:-}" ]] && cp "$WORK/table.txt" "$OUT"
exit "$status"
