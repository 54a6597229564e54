#!/usr/bin/env bash
# Set up the environment (idempotent; the first run builds mmcv, ~20 min) and run the test suite and the doctests.
#   bash tools/run_tests.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
VPY=$(bash tools/setup_env.sh | tail -n 1)
echo "[run_tests] python: $VPY"
# 2 cores: keep BLAS/torch from oversubscribing when tests start sub-processes.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
# tests/ and the docstring examples of densessl/ (--doctest-modules and the warning filters: pytest.ini)
exec "$VPY" -m pytest tests densessl -q -p no:cacheprovider --durations=15 "$@"
