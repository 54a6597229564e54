#!/usr/bin/env bash
# Idempotent environment setup for densessl on a CPU (or CUDA) Linux machine.
#
#   bash tools/setup_env.sh            # creates/updates the venv, prints its python path last
#
# What it does, each step skipped when already done:
#   1. a virtual environment in $DENSESSL_VENV (default: ~/.cache/densessl/venv-py<ver>)
#   2. torch + torchvision (pinned below; on these machines pip takes them from a local store)
#   3. mmcv 2.1.0 *with ops*, compiled once into $DENSESSL_CACHE/wheels/torch-<ver>/ and reused afterwards.
#      torch >= 2.10 headers need C++20 while mmcv 2.1.0's setup.py forces -std=c++17, so the sdist's flag is
#      raised before building (about 13 minutes on 2 cores the first time).
#   4. mmengine, mmsegmentation, mmpretrain, kornia, albumentations, ... and densessl itself (editable)
#   5. the Debian package dataset-fashion-mnist (real images for the demo data), when apt-get is usable
# A stamp file records what was installed; a second run takes seconds.
set -euo pipefail

TORCH_VERSION=${DENSESSL_TORCH_VERSION:-2.14.1}
TORCHVISION_VERSION=${DENSESSL_TORCHVISION_VERSION:-0.29.1}
MMCV_VERSION=2.1.0
PY=${PYTHON:-python3}
CACHE=${DENSESSL_CACHE:-$HOME/.cache/densessl}
PYVER=$($PY -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
VENV=${DENSESSL_VENV:-$CACHE/venv-py$PYVER}
REPO=$(cd "$(dirname "$0")/.." && pwd)

log() { printf '[setup_env %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

mkdir -p "$CACHE"
# ---------------------------------------------------------------- 1. venv
if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtual environment $VENV"
  $PY -m venv "$VENV"
fi
VPY="$VENV/bin/python"
PIP=("$VPY" -m pip --disable-pip-version-check --no-input)

# Everything that decides the environment goes into the stamp: change any of it and the steps re-run.
# torch 2.14.1 declares setuptools>=77.0.3 while mmengine's `mmseg::` config bases need pkg_resources (gone in
# setuptools>=81): the runtime gets 77-80. The mmcv build alone runs under setuptools<70, as mmcv 2.1.0 expects.
# torch/torchvision are repeated in every install so that the resolver can never swap them for another release.
RUNTIME_SETUPTOOLS="setuptools>=77.0.3,<81"
REQS=(
  "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" "$RUNTIME_SETUPTOOLS" "wheel" "ninja"
  "mmengine==0.10.7" "mmsegmentation==1.2.2" "mmpretrain==1.2.0"
  "kornia>=0.7" "albumentations>=1.4" "ftfy" "regex" "scipy" "pytest" "pytest-timeout" "h5py" "monai>=1.3"
)
stamp_key=$(printf '%s\n' "$TORCH_VERSION" "$TORCHVISION_VERSION" "$MMCV_VERSION" "${REQS[@]}" \
  "$(cat "$REPO/setup.py" 2>/dev/null)" | sha1sum | cut -c1-16)
STAMP="$VENV/.densessl-$stamp_key"

if [ -f "$STAMP" ] && "$VPY" -c "import densessl, mmcv.ops, mmseg, mmpretrain, kornia" 2>/dev/null; then
  log "environment up to date ($VENV)"
else
  # ------------------------------------------------------------ 2. build tools + torch
  log "installing build tools (wheel, ninja)"
  "${PIP[@]}" install -q wheel ninja
  if ! "$VPY" -c "import torch, torchvision, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH_VERSION')" 2>/dev/null; then
    log "installing torch==$TORCH_VERSION torchvision==$TORCHVISION_VERSION (a few minutes, several GB)"
    "${PIP[@]}" install -q "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"
  fi
  # ------------------------------------------------------------ 3. mmcv with ops, cached per torch version
  WHEELDIR="$CACHE/wheels/torch-$TORCH_VERSION-py$PYVER"
  mkdir -p "$WHEELDIR"
  whl=$(ls "$WHEELDIR"/mmcv-$MMCV_VERSION-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$whl" ]; then
    log "building mmcv $MMCV_VERSION with ops against torch $TORCH_VERSION (first time only, ~13 min on 2 cores)"
    "${PIP[@]}" install -q "setuptools<70"
    build=$(mktemp -d "$CACHE/mmcv-build.XXXXXX")
    trap 'rm -rf "$build"' EXIT
    "${PIP[@]}" download -q --no-deps --no-build-isolation --no-binary :all: "mmcv==$MMCV_VERSION" -d "$build"
    tar -xzf "$build"/mmcv-$MMCV_VERSION.tar.gz -C "$build"
    src="$build/mmcv-$MMCV_VERSION"
    sed -i 's/-std=c++17/-std=c++20/g' "$src/setup.py"
    grep -q -- '-std=c++20' "$src/setup.py" || { log "could not raise the C++ standard in mmcv's setup.py"; exit 1; }
    (cd "$src" && MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} "${PIP[@]}" wheel --no-build-isolation --no-deps \
      --no-cache-dir -w "$build/dist" . >"$build/build.log" 2>&1) || { tail -n 60 "$build/build.log"; exit 1; }
    built=$(ls "$build"/dist/mmcv-*.whl)
    mv "$built" "$WHEELDIR/.tmp.whl" && mv "$WHEELDIR/.tmp.whl" "$WHEELDIR/$(basename "$built")"
    whl="$WHEELDIR/$(basename "$built")"
    log "cached $whl"
  else
    log "reusing cached mmcv wheel $whl"
  fi
  "${PIP[@]}" install -q --no-deps --force-reinstall "$whl"
  # mmcv's own runtime requirements (installed --no-deps above)
  "${PIP[@]}" install -q "torch==$TORCH_VERSION" addict packaging Pillow pyyaml yapf opencv-python
  # ------------------------------------------------------------ 4. OpenMMLab stack + densessl
  log "installing mmengine / mmsegmentation / mmpretrain / kornia / albumentations"
  "${PIP[@]}" install -q "${REQS[@]}"
  log "installing densessl (editable) from $REPO"
  "${PIP[@]}" install -q --no-build-isolation --no-deps -e "$REPO"
  "$VPY" -c "import mmcv.ops, mmseg, mmpretrain, kornia, albumentations, densessl; print('stack ok: mmcv', mmcv.__version__, 'mmseg', mmseg.__version__)" >&2
  rm -f "$VENV"/.densessl-*
  touch "$STAMP"
fi

# ---------------------------------------------------------------- 5. real images for the demo data
FMNIST=/usr/share/datasets/fashion-mnist
if [ ! -f "$FMNIST/train-images-idx3-ubyte.gz" ] && [ -z "${DENSESSL_FMNIST_ROOT:-}" ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    log "installing Debian package dataset-fashion-mnist"
    (apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q dataset-fashion-mnist >/dev/null; })
  else
    log "warning: $FMNIST missing; install the Debian package dataset-fashion-mnist or set DENSESSL_FMNIST_ROOT"
  fi
fi
echo "$VPY"
