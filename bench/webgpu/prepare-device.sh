#!/usr/bin/env bash
# Prepare .gpu-carry/ (git-ignored via .git/info/exclude) for a WebGPU run on the device tool's
# GPU machine, which has no Node: this machine's node binary and the `webgpu` package's Dawn
# binding (both xz-compressed to fit the 64 MiB carry limit) and the bundled runner
# (bench/webgpu/device-run.ts). The Vulkan loader travels as a .deb in .gl/ (see the device
# README). Usage: bash bench/webgpu/prepare-device.sh   (x86-64 only; the device is x86-64)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname -m)" = x86_64 ] || { echo "the device is x86-64; build the carry on x86-64" >&2; exit 1; }
out=.gpu-carry
mkdir -p "$out/node_modules/webgpu/dist/linux-x64"
[ -f "$out/node.xz" ] || xz -T2 -9 -c "$(command -v node)" > "$out/node.xz"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$out/node_modules/webgpu/"
xz -T2 -9 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$out/dawn.node.xz"
npx esbuild bench/webgpu/device-run.ts --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --outfile="$out/run.mjs" --log-level=warning
du -sh "$out" .gl
