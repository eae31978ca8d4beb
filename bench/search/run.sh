#!/usr/bin/env bash
# Search latency in process (issue 5): writes the Synthea bundles COPIES times (default 20:
# 61,720 resources) and PATIENTS small Patients (default 20,000) as NDJSON, then runs
# fhir_search_benchmark, which imports them into an encrypted store and times a page of 50 of
# each query. BUILD_DIR must be a benchmark build (`make bench` configures build-bench).
#   bench/search/run.sh [BUILD_DIR]
set -euo pipefail
BUILD=${1:-build-bench}
COPIES=${COPIES:-20}
PATIENTS=${PATIENTS:-20000}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/mamori-bench-search.XXXXXX)
trap 'rm -rf "$WORK" /tmp/mamori-search-bench.*' EXIT
python3 "$HERE/../fhir_load/synthea_ndjson.py" "$COPIES" "$WORK/synthea.ndjson" >/dev/null
python3 - "$PATIENTS" "$WORK/patients.ndjson" <<'PY'
import json, sys
n, out = int(sys.argv[1]), open(sys.argv[2], 'w')
fam = ["Yamada", "Suzuki", "Tanaka", "Watanabe", "Ito", "Nakamura", "Kobayashi", "Kato"]
for i in range(1, n + 1):
    out.write(json.dumps({'resourceType': 'Patient', 'id': 'p%07d' % i,
                          'name': [{'family': fam[i % 8], 'given': ['Taro']}],
                          'gender': 'female' if i % 2 else 'male',
                          'birthDate': '%04d-%02d-%02d' % (1930 + i % 90, 1 + i % 12, 1 + i % 28)}) + '\n')
PY
MAMORI_SEARCH_BENCH_FILES="$WORK/synthea.ndjson:$WORK/patients.ndjson" \
  "$BUILD/src/fhir/fhir_search_benchmark" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
