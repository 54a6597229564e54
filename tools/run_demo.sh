#!/usr/bin/env bash
# Set up the environment (idempotent), make the embedded demo data and run the method on it: the starting weights
# (supervised on the source scenes, the demo's stand-in for ImageNet), PixPro target pretraining, then CutMix
# finetuning at 5 % labels, then evaluation (prints mIoU/mDice). Any config works too.
#   bash tools/run_demo.sh [CONFIG] [train.py args...]
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${1:-configs/pixpro_demo_5pct.py}
shift || true
VPY=$(bash tools/setup_env.sh | tail -n 1)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
"$VPY" tools/misc/make_demo_data.py
NAME=$(basename "$CONFIG" .py)
WORK=${WORK_DIR:-work_dirs/$NAME}
"$VPY" tools/train.py "$CONFIG" --work-dir "$WORK" "$@"
if "$VPY" -c "import sys; from mmengine.config import Config; sys.exit('stages' in Config.fromfile('$CONFIG'))"; then
  BEST=$(ls -t "$WORK"/best_mIoU_*.pth 2>/dev/null | head -n1 || true)
  CKPT=${BEST:-$(cat "$WORK/last_checkpoint")}
  echo "[run_demo] evaluating $CKPT"
  "$VPY" tools/test.py "$CONFIG" "$CKPT" --work-dir "$WORK/test" --out "$WORK/test_metrics.json"
fi
