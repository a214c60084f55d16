#!/usr/bin/env bash
# Runs the bundled GPU bench (.gpu-bundle/, made by bundle.sh) on a machine without Node or
# network: unpacks node and dawn.node into a scratch folder, points the Vulkan loader at the
# NVIDIA driver when its ICD file is there, runs the bench (which runs the PyTorch twins on
# CUDA beside ours when torch sees a GPU), then the twins on CUDA on their own, so their figures
# exist even when WebGPU does not start. Everything lands in $OUT.
#
#   scripts/gpu-bench/run-on-device.sh [--debs DIR] [--bundle DIR] [--] [bench options...]
#
#   --debs DIR     unpack DIR/*.deb into / first (the Vulkan loader and glvnd, for a machine
#                  without them; bundle.sh --fetch-debs puts them in .gpu-bundle/debs)
#   --bundle DIR   the bundle (default: .gpu-bundle at the repository root)
#   bench options  passed to the bench: --force-software-gpu, --quick, --gpu-steps N, ...
#
# Environment: OUT (output folder; default a new folder under /tmp), PYTHON (default the first
# python3 whose torch imports), GPU_BENCH_TIMEOUT (seconds for the bench; default 480),
# TWIN_ARGS (the stand-alone twins' counts; default the bench's: --batch 32,128 --warmup 3
# --steps 10 --infer-warmup 3 --infer-runs 7).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUNDLE="$ROOT/.gpu-bundle"
DEBS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --debs) DEBS="${2:?--debs needs a folder}"; shift 2 ;;
    --bundle) BUNDLE="${2:?--bundle needs a folder}"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
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
TIMEOUT="${GPU_BENCH_TIMEOUT:-480}"
TWIN_ARGS="${TWIN_ARGS:---batch 32,128 --warmup 3 --steps 10 --infer-warmup 3 --infer-runs 7}"
mkdir -p "$OUT"
log() { echo "run-on-device: $*" | tee -a "$OUT/run.log" >&2; }

[ -f "$BUNDLE/gpu-bench.mjs" ] || { log "no bundle at $BUNDLE: run scripts/gpu-bench/bundle.sh first"; exit 1; }

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

# node and dawn.node, unpacked with xz, or with python3's lzma where xz is not installed.
WORK="$(mktemp -d /tmp/gpu-bench-work.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
unxz_to() {
  if command -v xz >/dev/null; then
    xz -dc "$1" > "$2"
  else
    "$PYTHON" -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  fi
}
mkdir -p "$WORK/node_modules/webgpu/dist/linux-x64"
cp -r "$BUNDLE/gpu-bench.mjs" "$BUNDLE/torch" "$WORK/"
cp "$BUNDLE/node_modules/webgpu/index.js" "$BUNDLE/node_modules/webgpu/package.json" \
  "$WORK/node_modules/webgpu/"
unxz_to "$BUNDLE/node_modules/webgpu/dist/linux-x64/dawn.node.xz" \
  "$WORK/node_modules/webgpu/dist/linux-x64/dawn.node"
unxz_to "$BUNDLE/node.xz" "$WORK/node"
chmod +x "$WORK/node"
cp "$BUNDLE/MANIFEST" "$OUT/MANIFEST" 2>/dev/null

# What the figures ran on.
{
  echo "## uname"; uname -a
  echo "## nvidia-smi"; nvidia-smi 2>&1 || echo "(no nvidia-smi)"
  echo "## Vulkan"; echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
  ldconfig -p 2>/dev/null | grep -E 'libvulkan|libGLdispatch' || echo "(no libvulkan in ldconfig)"
  echo "## node"; "$WORK/node" --version
} > "$OUT/environment.txt" 2>&1

log "bench: node gpu-bench.mjs $* (timeout ${TIMEOUT}s)"
timeout "$TIMEOUT" "$WORK/node" "$WORK/gpu-bench.mjs" --python "$PYTHON" "$@" \
  > "$OUT/gpu-bench.json" 2> "$OUT/gpu-bench.log"
BENCH_RC=$?
log "bench exit code $BENCH_RC"

# The twins on CUDA by themselves: the PyTorch side even when WebGPU did not start.
log "python: $PYTHON"
if ! "$PYTHON" "$WORK/torch/twins.py" --probe > "$OUT/torch-probe.json" 2> "$OUT/torch-probe.log"; then
  log "PyTorch did not run with $PYTHON (see torch-probe.log): twins not run"
elif grep -q '"cudaAvailable": true' "$OUT/torch-probe.json"; then
  for net in bench-unet laddernet; do
    log "PyTorch twin $net on cuda"
    # shellcheck disable=SC2086  # TWIN_ARGS is a list of flags
    "$PYTHON" "$WORK/torch/twins.py" --net "$net" --device cuda $TWIN_ARGS \
      > "$OUT/torch-cuda-$net.json" 2> "$OUT/torch-cuda-$net.log" || log "twin $net failed"
  done
else
  log "torch sees no CUDA GPU (see torch-probe.json): twins not run on cuda"
fi

log "results in $OUT"
cat "$OUT/gpu-bench.json"
exit "$BENCH_RC"
