#!/usr/bin/env bash
# `make bench`: every Google Benchmark binary in the benchmark build, then the
# load scripts. Bounded: each binary has a time budget; load runs hit 127.0.0.1 only.
set -uo pipefail
BUILD_DIR=${1:-build-bench}
rc=0
while IFS= read -r bin; do
  echo "== $bin"
  "$bin" --benchmark_min_time=0.2 || rc=1
done < <(find "$BUILD_DIR/src" -type f -name '*_benchmark' -perm -u+x | sort)
echo "== bench/http_healthz.sh"
bash "$(dirname "$0")/http_healthz.sh" "$BUILD_DIR/src/cli/mamori" || rc=1
exit $rc
