#!/usr/bin/env bash
# Builds .gpu-bundle/ for a lent GPU machine that has python3 with CUDA torch but no Node and no
# network: the GPU bench (bench/gpu-main.ts) and the studio's GPU timings (bench/gpu-studio.ts)
# as ES modules with tfjs and tfjs-backend-webgpu inside, the native packages
# they load (webgpu's dawn.node; sharp and its libvips for the preprocessing's gamma), this
# machine's node binary, the PyTorch twins, and optionally a dataset copied to Netpbm. Large
# files are stored xz-compressed so the folder stays under 50 MB (the whole tree that travels
# with a device run is limited to 64 MiB); run-on-device.sh unpacks them into a scratch folder.
#
#   scripts/gpu-bench/bundle.sh [--debs DIR] [--fetch-debs] [--dataset DIR]
#
#   --debs DIR     copy DIR/*.deb into .gpu-bundle/debs (Vulkan loader and glvnd for a machine
#                  without them; run-on-device.sh --debs unpacks them)
#   --fetch-debs   apt-get download the Vulkan loader and glvnd (libvulkan1 libglvnd0 libegl1
#                  libopengl0 libgl1 libglx0 libgles2) into .gpu-bundle/debs instead
#   --dataset DIR  copy the dataset DIR (DRIVE) as Netpbm files (netpbm-dataset.ts) into
#                  .gpu-bundle/dataset.tar.xz, for the studio timings
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUNDLE="$ROOT/.gpu-bundle"
# 64 MiB travel with a device run, the repository (about 9 MB) included.
LIMIT_MB=50
DEBS=""
FETCH_DEBS=0
DATASET=""
while [ $# -gt 0 ]; do
  case "$1" in
    --debs) DEBS="${2:?--debs needs a folder}"; shift 2 ;;
    --fetch-debs) FETCH_DEBS=1; shift ;;
    --dataset) DATASET="${2:?--dataset needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bundle.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

NODE_BIN="$(command -v node)"
ESBUILD="$ROOT/node_modules/.bin/esbuild"
NM="$ROOT/node_modules"
WEBGPU="$NM/webgpu"
DAWN="$WEBGPU/dist/linux-x64/dawn.node"
# The packages node loads at run time (native files, or what those load), by path under
# node_modules: webgpu (dawn.node), sharp with its linux-x64 binding and libvips, and sharp's
# JavaScript dependencies.
NATIVE=(
  webgpu/index.js webgpu/package.json webgpu/dist/linux-x64/dawn.node
  sharp/package.json sharp/dist sharp/lib
  @img/sharp-linux-x64 @img/sharp-libvips-linux-x64 @img/colour
  detect-libc semver
)
for need in "$ESBUILD" "$DAWN"; do
  [ -e "$need" ] || { echo "bundle.sh: $need is missing; run npm ci first" >&2; exit 1; }
done
for need in "${NATIVE[@]}"; do
  [ -e "$NM/$need" ] || { echo "bundle.sh: node_modules/$need is missing; run npm ci first" >&2; exit 1; }
done
command -v xz >/dev/null || { echo "bundle.sh: needs xz (xz-utils)" >&2; exit 1; }

rm -rf "$BUNDLE"
mkdir -p "$BUNDLE"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

# Two ES modules, each with tfjs inside (one shared chunk would be smaller, but esbuild's code
# splitting turns a dynamically imported CommonJS package into a default export only, and the
# webgpu rung imports tfjs-backend-webgpu by name). The banner gives the CommonJS parts of tfjs'
# dependencies a require(); the native packages stay external and load from node_modules.
mkdir -p "$SCRATCH/js/torch"
for entry in gpu-main gpu-studio; do
  "$ESBUILD" "$ROOT/bench/$entry.ts" \
    --bundle --platform=node --format=esm --target=node20 \
    --external:webgpu --external:sharp \
    --banner:js="import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" \
    --legal-comments=none --log-level=warning \
    --outfile="$SCRATCH/js/$entry.mjs"
done
# gpu-torch.ts looks for torch/twins.py beside the module that holds it (a chunk, or the entry).
cp "$ROOT/bench/torch/twins.py" "$SCRATCH/js/torch/twins.py"
tar -C "$SCRATCH" -cf - js | xz -T0 -6 > "$BUNDLE/js.tar.xz"
tar -C "$NM/.." -cf - "${NATIVE[@]/#/node_modules/}" | xz -T0 -6 > "$BUNDLE/node_modules.tar.xz"

# The node binary without its debug symbols (a third of its size here) where strip exists.
cp "$NODE_BIN" "$SCRATCH/node"
if command -v strip >/dev/null; then strip "$SCRATCH/node"; fi
xz -T0 -6 -c "$SCRATCH/node" > "$BUNDLE/node.xz"

if [ "$FETCH_DEBS" = 1 ]; then
  mkdir -p "$BUNDLE/debs"
  (cd "$BUNDLE/debs" && apt-get download libvulkan1 libglvnd0 libegl1 libopengl0 libgl1 libglx0 libgles2)
elif [ -n "$DEBS" ]; then
  mkdir -p "$BUNDLE/debs"
  cp "$DEBS"/*.deb "$BUNDLE/debs/"
fi

# The dataset as Netpbm, xz with a delta filter (neighbouring bytes of a fundus photograph are
# close): DRIVE's 30 MB of TIFF and GIF become about 14 MB.
if [ -n "$DATASET" ]; then
  (cd "$ROOT" && node --import tsx scripts/gpu-bench/netpbm-dataset.ts "$DATASET" "$SCRATCH/dataset")
  tar -C "$SCRATCH" -cf - dataset | xz -T0 --delta=dist=3 --lzma2=preset=9 > "$BUNDLE/dataset.tar.xz"
fi

# What was bundled, so a figure from the device can be traced to its source.
{
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- bench src scripts 2>/dev/null || echo ' (with uncommitted changes in bench/, src/ or scripts/)')"
  echo "node: $("$NODE_BIN" --version) ($NODE_BIN)"
  echo "webgpu: $(node -p "require('$WEBGPU/package.json').version")"
  echo "sharp: $(node -p "require('$NM/sharp/package.json').version")"
  echo "tfjs: $(node -p "require('$NM/@tensorflow/tfjs/package.json').version")"
  echo "tfjs-backend-webgpu: $(node -p "require('$NM/@tensorflow/tfjs-backend-webgpu/package.json').version")"
  [ -n "$DATASET" ] && echo "dataset: $DATASET"
  echo
  (cd "$BUNDLE" && find . -type f ! -name MANIFEST | sort | xargs sha256sum)
} > "$BUNDLE/MANIFEST"

SIZE_KB=$(du -sk "$BUNDLE" | cut -f1)
echo "bundle.sh: $BUNDLE is $((SIZE_KB / 1024)) MB"
(cd "$BUNDLE" && find . -type f -exec du -h {} + | sort -h)
if [ "$SIZE_KB" -gt $((LIMIT_MB * 1024)) ]; then
  echo "bundle.sh: over ${LIMIT_MB} MB, too large to travel with a device run" >&2
  exit 1
fi
