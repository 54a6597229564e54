#!/usr/bin/env bash
# Set up the environment (idempotent; the first run builds mmcv, ~20 min) and run the test suite.
#   bash tools/run_tests.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
VPY=$(bash tools/setup_env.sh | tail -n 1)
echo "[run_tests] python: $VPY"
# 2 cores: keep BLAS/torch from oversubscribing when tests start sub-processes.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
exec "$VPY" -m pytest tests -q -p no:cacheprovider --durations=15 "$@"
