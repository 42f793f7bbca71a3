/**
 * Only the CHESS-in-the-decode-step part of the webgpu suite (bench/lib/suites/webgpu-decode-chess.ts),
 * for checking it end to end on a software adapter without the whole suite (which takes most of an
 * hour on SwiftShader on a loaded 2-core machine). Prints the table and the check lines.
 *
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx tsx bench/webgpu/decode-chess-only.ts [--quick]
 */
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { gpuDecodeChessBench } from '../lib/suites/webgpu-decode-chess.js';
import { formatTable, runSuite } from '../lib/harness.js';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|subzero/i;
const quick = process.argv.includes('--quick');
const gpu = await createKernels({ backend: 'webgpu', cpuThreshold: 0 });
const wasm = await createKernels({ backend: 'wasm' }) as CpuKernels;
const mode = SOFTWARE.test(gpu.device) ? 'software' : quick ? 'quick' : 'full';
const b = await gpuDecodeChessBench(gpu, wasm, mode, (k, backend, shape) => `webgpu/${k}:${backend}:${shape}`);
try {
  const result = await runSuite('webgpu-decode-chess', b.tasks, { quick, ratios: b.ratios, notes: [`GPU: ${gpu.device} (${mode})`, ...b.notes],
    clock: 'wall', rounds: 3, timeMs: mode === 'software' ? 100 : 200 });
  console.log(formatTable(result));
} finally {
  b.dispose();
}
