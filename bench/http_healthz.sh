#!/usr/bin/env bash
# Benchmark (issue 3): wrk against mamori's /healthz over TLS with keep-alive,
# side by side with nginx serving a static file with the same certificate,
# protocols and ciphers, in the same run, on loopback only.
#
# Target: mamori >= 0.8x nginx's requests/s and p99 latency <= 2x nginx's.
# Usage: bench/http_healthz.sh [MAMORI_BINARY]   (env: DURATION=10s CONNECTIONS=32 THREADS=1)
# Prints one line per server and a verdict; exit 1 if a target is missed.
set -euo pipefail

MAMORI=${1:-build-bench/src/cli/mamori}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
WORKERS=${WORKERS:-$(nproc)}
WORK=$(mktemp -d /tmp/mamori-bench-healthz.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- mamori -----------------------------------------------------------------
printf 'benchmark passphrase\n' >"$WORK/passphrase"
chmod 600 "$WORK/passphrase"
export MAMORI_PASSPHRASE_FILE="$WORK/passphrase"
"$MAMORI" init --data-dir "$WORK/data" >/dev/null
sed -i "s/^threads = .*/threads = $WORKERS/; s/^access_log = .*/access_log = false/" "$WORK/data/config.toml"
MPORT=$(free_port)
"$MAMORI" serve --data-dir "$WORK/data" --listen "127.0.0.1:$MPORT" 2>"$WORK/mamori.log" &
PIDS+=($!)

# --- nginx with the same certificate, protocols and ciphers ----------------
NPORT=$(free_port)
mkdir -p "$WORK/nginx/html" "$WORK/nginx/logs"
printf '{"status":"ok"}' >"$WORK/nginx/html/healthz"
# nginx workers run as an unprivileged user: let them read the file (the
# certificate and key are read by the master, as root).
chmod 755 "$WORK" "$WORK/nginx" "$WORK/nginx/html"
chmod 644 "$WORK/nginx/html/healthz"
CIPHERS="ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes $WORKERS;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NPORT ssl;
    ssl_certificate $WORK/data/tls/server.pem;
    ssl_certificate_key $WORK/data/tls/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers $CIPHERS;
    ssl_prefer_server_ciphers on;
    add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
    default_type application/json;
    root $WORK/nginx/html;
  }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
PIDS+=($!)

wait_port() {
  for _ in $(seq 1 100); do
    curl -sk -o /dev/null "https://127.0.0.1:$1/healthz" && return 0
    sleep 0.1
  done
  echo "server on port $1 did not come up" >&2
  return 1
}
wait_port "$MPORT"
wait_port "$NPORT"

# run_wrk NAME PORT -> prints "NAME rps p99_ms"
run_wrk() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "https://127.0.0.1:$2/healthz")
  echo "$out" >"$WORK/wrk-$1.txt"
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")
  local errors
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
  if [[ -n "$errors" ]]; then
    echo "$1: errors during the run, the figures would be meaningless: $errors" >&2
    exit 1
  fi
  echo "$1 $rps $p99"
}

echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION, TLS keep-alive, $WORKERS server threads/workers, $(nproc) cores"
# Warm-up, then measure each server in turn (never both at once: 2 cores).
wrk -t1 -c4 -d2s "https://127.0.0.1:$MPORT/healthz" >/dev/null
wrk -t1 -c4 -d2s "https://127.0.0.1:$NPORT/healthz" >/dev/null
M=$(run_wrk mamori "$MPORT")
N=$(run_wrk nginx "$NPORT")
echo "$M"
echo "$N"
python3 - "$M" "$N" <<'PY'
import sys
m, n = sys.argv[1].split(), sys.argv[2].split()
m_rps, m_p99, n_rps, n_p99 = float(m[1]), float(m[2]), float(n[1]), float(n[2])
rps_ratio, p99_ratio = m_rps / n_rps, m_p99 / n_p99
ok = rps_ratio >= 0.8 and p99_ratio <= 2.0
print(f"mamori/nginx requests/s: {rps_ratio:.2f} (target >= 0.80); "
      f"p99 latency ratio: {p99_ratio:.2f} (target <= 2.00) -> {'PASS' if ok else 'MISS'}")
sys.exit(0 if ok else 1)
PY
