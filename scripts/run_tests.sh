#!/usr/bin/env bash
# Runs every test through ctest. With CI=true a skipped test fails the run:
# a PostgreSQL or browser test that quietly skips would otherwise look green.
set -uo pipefail
BUILD_DIR=${1:-build}
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

cd "$BUILD_DIR" || exit 1
# Two cores: run two tests at a time. Tests that start servers use port 0 and
# their own temp directories, so they do not collide.
ctest --output-on-failure -j 2 --timeout 900 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}

if [[ "${CI:-}" == "true" ]]; then
  if grep -q "The following tests did not run" "$LOG" || grep -Eq "\*\*\*Skipped|Not Run" "$LOG"; then
    echo "run_tests.sh: CI=true and at least one test was skipped or not run; failing." >&2
    exit 1
  fi
fi
exit "$rc"
