#!/usr/bin/env bash
# Installs the Debian 12 packages mamori builds and tests with, and nothing else.
#
# Idempotent and non-interactive: it asks dpkg which packages are missing and runs
# `apt-get update` + `apt-get install` only when at least one is. Nothing is
# downloaded from anywhere but the Debian archive configured on the machine.
# Versions known to work are listed in shared/PEERS.md.
set -euo pipefail

# Build toolchain and libraries (DESIGN.md "Dependencies").
BUILD_PACKAGES=(
  g++-12 cmake ninja-build ccache pkg-config make
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev openssl
  libsqlite3-dev libargon2-dev libzstd-dev
  libqrencode-dev libpng-dev libcrack2-dev cracklib-runtime john-data
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev
  libcurl4-openssl-dev   # RFC 3161 time-stamp requests (mamori audit timestamp)
  libgtest-dev libgmock-dev libbenchmark-dev
  libcairo2-dev libpango1.0-dev fonts-ipaexfont   # the PDF compliance report (issue 9)
  libpq-dev   # the PostgreSQL backend (issue 10)
)

# Peers and tools the tests and benchmarks run against (shared/PEERS.md).
TEST_PACKAGES=(
  curl testssl.sh nginx wrk python3 clang-format oathtool zbar-tools restic
  rsyslog rsyslog-openssl   # syslog collector for `mamori audit export --syslog` (issue 6)
  poppler-utils   # pdftoppm, pdffonts, pdftotext check the PDF report (issue 9)
  postgresql-15 postgresql-client-15   # throwaway servers of the PostgreSQL tests (issue 10)
)

# npm test clients (not Debian packages; Node 20 and npm 11 come with the machine —
# never Debian's npm). `npm ci` only when node_modules is missing or older than
# package-lock.json (npm ci writes node_modules/.package-lock.json).
NPM_PROJECTS=(
  tests/fhir_client   # fhir-kit-client 2.0.3 for ctest fhir_kit_client (issue 4)
)
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for project in "${NPM_PROJECTS[@]}"; do
  dir="$REPO_ROOT/$project"
  stamp="$dir/node_modules/.package-lock.json"
  if [[ ! -f "$stamp" || "$dir/package-lock.json" -nt "$stamp" ]]; then
    if ! command -v npm >/dev/null; then
      echo "deps.sh: npm not found; $project is not installed (its tests will fail)" >&2
      continue
    fi
    echo "deps.sh: npm ci in $project" >&2
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error </dev/null >/dev/null); then
      echo "deps.sh: npm ci failed in $project (its tests will fail); continuing" >&2
    fi
  fi
done

missing=()
for pkg in "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "deps.sh: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps.sh: done" >&2
