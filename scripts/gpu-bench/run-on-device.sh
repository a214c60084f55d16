#!/usr/bin/env bash
# Runs the bundle bundle.sh made (.gpu-bundle/) on a machine without Node or network: unpacks
# node, the bench modules, the native packages and the dataset into a scratch folder, points
# the Vulkan loader at the NVIDIA driver when its ICD file is there, then runs
#
#   1. the GPU bench (gpu-main.mjs), one process per network, which runs the PyTorch twins on
#      CUDA beside ours when torch sees a GPU;
#   2. the studio's GPU timings (gpu-studio.mjs) when the bundle holds a dataset: predictions
#      of every image with flips, and Retrain's default fine-tune, on the backend the ladder
#      picks by itself;
#   3. the twins on CUDA on their own, only if the bench failed, so the PyTorch figures exist
#      even when WebGPU does not start.
#
#   scripts/gpu-bench/run-on-device.sh [--debs DIR] [--bundle DIR] [--] [bench options...]
#
#   --debs DIR     unpack DIR/*.deb into / first (the Vulkan loader and glvnd, for a machine
#                  without them; bundle.sh --fetch-debs puts them in .gpu-bundle/debs)
#   --bundle DIR   the bundle (default: .gpu-bundle at the repository root)
#   bench options  passed to both: --force-software-gpu, --quick; the GPU bench's own options
#                  (--gpu-steps N, ...) go in GPU_BENCH_ARGS
#
# Results go to $OUT as two files, so a device run's few returned files hold everything:
# results.tgz (environment.txt, MANIFEST, gpu-bench-<network>.json/.log, studio.json/.log,
# torch-*.json/.log, written again after every step, so a run stopped at its limit still returns
# what it did) and run.log. Environment: OUT (default a new folder under /tmp), PYTHON (default
# the first python3 whose torch imports), GPU_BENCH_TIMEOUT (seconds per network; default 150),
# STUDIO_TIMEOUT (default 200), GPU_BENCH_NETWORKS (default "bench-unet laddernet"),
# GPU_BENCH_ARGS, TWIN_ARGS (the stand-alone twins' counts).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUNDLE="$ROOT/.gpu-bundle"
DEBS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --debs) DEBS="${2:?--debs needs a folder}"; shift 2 ;;
    --bundle) BUNDLE="${2:?--bundle needs a folder}"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
OUT="${OUT:-$(mktemp -d /tmp/gpu-bench-out.XXXXXX)}"
# The first python3 whose torch imports, unless PYTHON names one.
if [ -z "${PYTHON:-}" ]; then
  for candidate in "$(command -v python3)" /usr/bin/python3 /opt/conda/bin/python3 /usr/local/bin/python3; do
    if [ -x "$candidate" ] && "$candidate" -c 'import torch' 2>/dev/null; then
      PYTHON="$candidate"
      break
    fi
  done
  PYTHON="${PYTHON:-$(command -v python3 || echo /usr/bin/python3)}"
fi
BENCH_TIMEOUT="${GPU_BENCH_TIMEOUT:-150}"
STUDIO_TIMEOUT="${STUDIO_TIMEOUT:-200}"
TWIN_ARGS="${TWIN_ARGS:---batch 32,128 --warmup 3 --steps 10 --infer-warmup 3 --infer-runs 7}"
mkdir -p "$OUT"
WORK="$(mktemp -d /tmp/gpu-bench-work.XXXXXX)"
RES="$WORK/results"
mkdir -p "$RES"
trap 'rm -rf "$WORK"' EXIT
log() { echo "run-on-device: $(date -u +%H:%M:%S) $*" | tee -a "$OUT/run.log" >&2; }
pack() { tar -C "$WORK" -czf "$OUT/results.tgz" results; }

[ -f "$BUNDLE/js.tar.xz" ] || { log "no bundle at $BUNDLE: run scripts/gpu-bench/bundle.sh first"; exit 1; }

# Vulkan loader and glvnd from .deb files, where the image lacks them.
if [ -n "$DEBS" ]; then
  for f in "$DEBS"/*.deb; do
    [ -e "$f" ] || { log "no .deb files in $DEBS"; break; }
    log "unpacking $(basename "$f")"
    dpkg -x "$f" /
  done
  ldconfig
fi

# The NVIDIA driver's Vulkan ICD, where the container runtime mounts it. VK_ICD_FILENAMES is
# the same setting for loaders older than 1.3.234.
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$NVIDIA_ICD" ]; then
  export VK_DRIVER_FILES="$NVIDIA_ICD" VK_ICD_FILENAMES="$NVIDIA_ICD"
  log "Vulkan ICD: $NVIDIA_ICD"
fi
if [ -d /usr/local/nvidia/lib64 ]; then
  export LD_LIBRARY_PATH="/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

# xz archives, with xz or with python3's lzma where xz is not installed.
unxz_to() {
  if command -v xz >/dev/null; then
    xz -dc "$1" > "$2"
  else
    "$PYTHON" -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  fi
}
untar_xz() {
  if command -v xz >/dev/null; then
    xz -dc "$1" | tar -C "$WORK" -xf -
  else
    "$PYTHON" -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' "$1" "$WORK"
  fi
}
log "unpacking the bundle"
unxz_to "$BUNDLE/node.xz" "$WORK/node" && chmod +x "$WORK/node"
untar_xz "$BUNDLE/js.tar.xz"
untar_xz "$BUNDLE/node_modules.tar.xz"
# Node finds the external packages in a node_modules beside the modules that import them.
mv "$WORK/node_modules" "$WORK/js/node_modules"
DATASET=""
if [ -f "$BUNDLE/dataset.tar.xz" ]; then
  untar_xz "$BUNDLE/dataset.tar.xz"
  DATASET="$WORK/dataset"
fi
cp "$BUNDLE/MANIFEST" "$RES/MANIFEST" 2>/dev/null

# What the figures ran on.
{
  echo "## date"; date -u
  echo "## uname"; uname -a
  echo "## cpu"; nproc; grep -m1 'model name' /proc/cpuinfo
  echo "## nvidia-smi"; nvidia-smi 2>&1 || echo "(no nvidia-smi)"
  echo "## Vulkan"; echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
  ldconfig -p 2>/dev/null | grep -E 'libvulkan|libGLdispatch' || echo "(no libvulkan in ldconfig)"
  echo "## node"; "$WORK/node" --version
  echo "## python"; "$PYTHON" --version
} > "$RES/environment.txt" 2>&1
pack

# One bench process per network, each under its own limit, so a network that runs long still
# leaves the other's figures.
BENCH_RC=0
for net in ${GPU_BENCH_NETWORKS:-bench-unet laddernet}; do
  log "bench $net: gpu-main.mjs --gpu-networks $net $* ${GPU_BENCH_ARGS:-} (timeout ${BENCH_TIMEOUT}s)"
  # shellcheck disable=SC2086  # GPU_BENCH_ARGS is a list of flags
  timeout "$BENCH_TIMEOUT" "$WORK/node" "$WORK/js/gpu-main.mjs" --python "$PYTHON" \
    --gpu-networks "$net" "$@" ${GPU_BENCH_ARGS:-} \
    > "$RES/gpu-bench-$net.json" 2> "$RES/gpu-bench-$net.log"
  rc=$?
  log "bench $net exit code $rc"
  [ "$rc" = 0 ] || BENCH_RC=$rc
  pack
done

STUDIO_RC=0
if [ -n "$DATASET" ]; then
  log "studio timings on $DATASET (timeout ${STUDIO_TIMEOUT}s)"
  timeout "$STUDIO_TIMEOUT" "$WORK/node" "$WORK/js/gpu-studio.mjs" --data "$DATASET" \
    --model "$ROOT/resources/models/default" "$@" > "$RES/studio.json" 2> "$RES/studio.log"
  STUDIO_RC=$?
  log "studio exit code $STUDIO_RC"
  pack
else
  log "no dataset in the bundle (bundle.sh --dataset): studio timings not run"
fi

# The twins on CUDA by themselves when the bench did not give their figures.
if [ "$BENCH_RC" != 0 ]; then
  log "python: $PYTHON"
  if ! "$PYTHON" "$WORK/js/torch/twins.py" --probe > "$RES/torch-probe.json" 2> "$RES/torch-probe.log"; then
    log "PyTorch did not run with $PYTHON (see torch-probe.log): twins not run"
  elif grep -q '"cudaAvailable": true' "$RES/torch-probe.json"; then
    for net in bench-unet laddernet; do
      log "PyTorch twin $net on cuda"
      # shellcheck disable=SC2086  # TWIN_ARGS is a list of flags
      timeout 120 "$PYTHON" "$WORK/js/torch/twins.py" --net "$net" --device cuda $TWIN_ARGS \
        > "$RES/torch-cuda-$net.json" 2> "$RES/torch-cuda-$net.log" || log "twin $net failed"
      pack
    done
  else
    log "torch sees no CUDA GPU (see torch-probe.json): twins not run on cuda"
  fi
fi

pack
log "results in $OUT/results.tgz"
[ "$BENCH_RC" = 0 ] && [ "$STUDIO_RC" = 0 ]
