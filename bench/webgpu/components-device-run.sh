#!/usr/bin/env bash
# Runs on the device tool's GPU machine from the folder prepare-components-device.sh filled:
# unpack the Vulkan loader, Node and Dawn, point the loader at the NVIDIA driver, then run
# `llama generate` on stories260K greedily, dense and with --kv a2ats --ffn chess, on wasm and
# on webgpu, each printing JSON (text, tokens, tokens/s) into $OUT.
set -uo pipefail
cd "$(dirname "$0")"
OUT="${OUT:-$PWD/out}"; mkdir -p "$OUT"
for f in gl/*.deb; do dpkg -x "$f" /; done; ldconfig
nvidia-smi -L || true
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd" \
  __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
unxz() { xz -dc "$1" > "$2" 2>/dev/null || python3 -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" "$1" "$2"; }
unxz node.xz /tmp/node && chmod +x /tmp/node
unxz dawn.node.xz node_modules/webgpu/dist/linux-x64/dawn.node
echo "node $(/tmp/node --version)" | tee "$OUT/log.txt"
TOKENS=${TOKENS:-200}
gen() { # name backend [component options]
  local name=$1 backend=$2; shift 2
  /tmp/node cli.mjs llama generate --model stories260K.bin --tokenizer tok512.bin --temperature 0 --tokens "$TOKENS" \
    --backend "$backend" --json "$@" > "$OUT/$name-$backend.json" 2>> "$OUT/log.txt"
  echo "$name $backend rc=$? $(grep -o '"tokensPerSecond": [0-9.]*' "$OUT/$name-$backend.json")" | tee -a "$OUT/log.txt"
}
sparse=(--kv a2ats --codebooks codebooks.safetensors --ffn chess --thresholds thresholds.json --budget 0.2)
# Warm-up on the GPU (pipeline compilation happens on first use), not recorded.
TOKENS=16 gen warmup webgpu "${sparse[@]}"; rm -f "$OUT/warmup-webgpu.json"
for b in wasm webgpu; do gen dense "$b"; gen a2ats-chess "$b" "${sparse[@]}"; done
