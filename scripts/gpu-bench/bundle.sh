#!/usr/bin/env bash
# Builds .gpu-bundle/: the GPU bench (bench/gpu-main.ts) as one ES module with tfjs and
# tfjs-backend-webgpu inside, Dawn's Node binding (the webgpu package, left external because
# dawn.node is a native file), this machine's node binary and the PyTorch twins, for a lent GPU
# machine that has python3 with CUDA torch but no Node and no network. The two large binaries
# are stored xz-compressed so the folder stays under ~40 MB (what travels with a device run);
# run-on-device.sh unpacks them into a scratch folder there.
#
#   scripts/gpu-bench/bundle.sh [--debs DIR] [--fetch-debs]
#
#   --debs DIR     copy DIR/*.deb into .gpu-bundle/debs (Vulkan loader and glvnd for a machine
#                  without them; run-on-device.sh --debs unpacks them)
#   --fetch-debs   apt-get download libvulkan1 and libglvnd0 into .gpu-bundle/debs instead
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUNDLE="$ROOT/.gpu-bundle"
LIMIT_MB=40
DEBS=""
FETCH_DEBS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --debs) DEBS="${2:?--debs needs a folder}"; shift 2 ;;
    --fetch-debs) FETCH_DEBS=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "bundle.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

NODE_BIN="$(command -v node)"
ESBUILD="$ROOT/node_modules/.bin/esbuild"
WEBGPU="$ROOT/node_modules/webgpu"
DAWN="$WEBGPU/dist/linux-x64/dawn.node"
for need in "$ESBUILD" "$DAWN" "$WEBGPU/index.js" "$WEBGPU/package.json"; do
  [ -e "$need" ] || { echo "bundle.sh: $need is missing; run npm ci first" >&2; exit 1; }
done
command -v xz >/dev/null || { echo "bundle.sh: needs xz (xz-utils)" >&2; exit 1; }

rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/torch" "$BUNDLE/node_modules/webgpu/dist/linux-x64"

# One ES module. The banner gives the CommonJS parts of tfjs' dependencies a require();
# webgpu stays external so its index.js finds dawn.node beside it, as under node_modules here.
"$ESBUILD" "$ROOT/bench/gpu-main.ts" \
  --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu \
  --banner:js="import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" \
  --legal-comments=none --log-level=warning \
  --outfile="$BUNDLE/gpu-bench.mjs"

# gpu-torch.ts looks for torch/twins.py beside the module that holds it.
cp "$ROOT/bench/torch/twins.py" "$BUNDLE/torch/twins.py"
cp "$WEBGPU/index.js" "$WEBGPU/package.json" "$BUNDLE/node_modules/webgpu/"
xz -T0 -6 -c "$DAWN" > "$BUNDLE/node_modules/webgpu/dist/linux-x64/dawn.node.xz"

# The node binary without its debug symbols (a third of its size here) where strip exists.
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
cp "$NODE_BIN" "$SCRATCH/node"
if command -v strip >/dev/null; then strip "$SCRATCH/node"; fi
xz -T0 -6 -c "$SCRATCH/node" > "$BUNDLE/node.xz"

if [ "$FETCH_DEBS" = 1 ]; then
  mkdir -p "$BUNDLE/debs"
  (cd "$BUNDLE/debs" && apt-get download libvulkan1 libglvnd0)
elif [ -n "$DEBS" ]; then
  mkdir -p "$BUNDLE/debs"
  cp "$DEBS"/*.deb "$BUNDLE/debs/"
fi

# What was bundled, so a figure from the device can be traced to its source.
{
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- bench src 2>/dev/null || echo ' (with uncommitted changes in bench/ or src/)')"
  echo "node: $("$NODE_BIN" --version) ($NODE_BIN)"
  echo "webgpu: $(node -p "require('$WEBGPU/package.json').version")"
  echo "tfjs: $(node -p "require('$ROOT/node_modules/@tensorflow/tfjs/package.json').version")"
  echo "tfjs-backend-webgpu: $(node -p "require('$ROOT/node_modules/@tensorflow/tfjs-backend-webgpu/package.json').version")"
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
