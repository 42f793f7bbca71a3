#!/usr/bin/env bash
# Runs on the device tool's GPU machine (x86-64, NVIDIA, no Node): unpack the Vulkan loader
# from .gl/ and Node + Dawn from .gpu-carry/ (made by prepare-device.sh), point the loader at
# the NVIDIA driver, then run the differential suite and the webgpu benchmarks, writing
# JSON and a log to $OUT (or ./webgpu-device-out). Extra arguments go to the runner (--quick).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-$PWD/webgpu-device-out}"; mkdir -p "$OUT"
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
nvidia-smi -L || true
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"; else echo "no $icd; Vulkan loader searches its default paths"; ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>&1; fi
unxz() { xz -dc "$1" > "$2" 2>/dev/null || python3 -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" "$1" "$2"; }
C=.gpu-carry
unxz "$C/node.xz" /tmp/node && chmod +x /tmp/node
unxz "$C/dawn.node.xz" "$C/node_modules/webgpu/dist/linux-x64/dawn.node"
echo "node $(/tmp/node --version)"
cd "$C" && /tmp/node run.mjs "$OUT" "$@" 2>&1 | tee "$OUT/log.txt"
