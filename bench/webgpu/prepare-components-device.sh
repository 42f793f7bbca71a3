#!/usr/bin/env bash
# Prepare one carry folder for a `llama generate --backend webgpu --kv … --ffn …` run on the
# device tool's GPU machine (x86-64, no Node): this machine's node and the `webgpu` package's
# Dawn binding (xz-compressed), the CLI bundled to one file, the Vulkan loader and glvnd .debs
# (without glvnd the NVIDIA ICD answers no vkCreateInstance: Dawn finds no adapter), the
# stories260K model + tokenizer, and the codebooks/thresholds files to use; then
# components-device-run.sh (copied in) runs the CLI there. Usage, from a checkout:
#   bash bench/webgpu/prepare-components-device.sh DEST CODEBOOKS THRESHOLDS
# DEST: a git-ignored folder of the checkout the device tool sends (name it in `carry`).
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=${1:?destination folder}; codebooks=${2:?codebooks file}; thresholds=${3:?thresholds file}
[ "$(uname -m)" = x86_64 ] || { echo "the device is x86-64; build the carry on x86-64" >&2; exit 1; }
mkdir -p "$dest/node_modules/webgpu/dist/linux-x64" "$dest/gl"
[ -f "$dest/node.xz" ] || xz -T2 -6 -c "$(command -v node)" > "$dest/node.xz"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$dest/node_modules/webgpu/"
[ -f "$dest/dawn.node.xz" ] || xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$dest/dawn.node.xz"
npx esbuild src/cli/main.ts --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --outfile="$dest/cli.mjs" --log-level=warning
cp ../shared/models/stories260K.bin ../shared/models/tok512.bin "$dest/"
cp "$codebooks" "$dest/codebooks.safetensors"; cp "$thresholds" "$dest/thresholds.json"
cp bench/webgpu/components-device-run.sh "$dest/run.sh"
if ! ls "$dest"/gl/*.deb >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial; apt-get $o update -qq
  (cd "$dest/gl" && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
fi
du -sh "$dest"
