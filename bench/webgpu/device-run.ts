/**
 * WebGPU on a machine with a real GPU: the shared differential suite (test/differential/suite.ts)
 * and the webgpu benchmark suite (bench/lib/suites/webgpu.ts), with results written as JSON.
 *
 * Bundled to one file by bench/webgpu/prepare-device.sh, so the target needs only a Node
 * binary, the `webgpu` package's Dawn binding and a Vulkan loader + driver; see
 * docs/backends.md for the exact run on the device tool's nvidia-h100-x1.
 *
 *   node run.mjs <out-dir> [--quick] [--parts=decode,chess-decode,...]
 *
 * --parts takes some of WEBGPU_PARTS (default: all): the full sizes' set-up alone can outlast one
 * device call's 10 minutes, so a full run is split over calls. The roofline runs in every part.
 */
import { createKernels } from '../../src/backends/create-kernels.js';
import { runSuite as runDifferential } from '../../test/differential/suite.js';
import { webgpuSuite, WEBGPU_PARTS, type WebgpuPart } from '../lib/suites/webgpu.js';
import { formatTable } from '../lib/harness.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const outDir = process.argv[2] ?? '.';
const quick = process.argv.includes('--quick');
const partsArg = process.argv.find((a) => a.startsWith('--parts='))?.slice('--parts='.length);
const parts = partsArg === undefined ? undefined : partsArg.split(',') as WebgpuPart[];
for (const p of parts ?? []) if (!WEBGPU_PARTS.includes(p)) throw new Error(`--parts: unknown part '${p}' (parts: ${WEBGPU_PARTS.join(', ')})`);

const k = await createKernels({ backend: 'webgpu', cpuThreshold: 0 });
console.log(`adapter: ${k.device}`);
const t0 = performance.now();
const outcomes = await runDifferential(k);
const failed = outcomes.filter((o) => !o.ok);
console.log(`differential suite: ${outcomes.length - failed.length}/${outcomes.length} cases passed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
for (const f of failed) console.log(`FAIL ${f.name}: ${f.error}`);
await writeFile(join(outDir, 'webgpu-differential.json'), JSON.stringify({ device: k.device, outcomes }, null, 2));

const result = await webgpuSuite({ quick, parts, onProgress: (f, label) => { if (f === 1 || Math.round(f * 100) % 20 === 0) console.log(`bench ${Math.round(f * 100)}% ${label}`); } });
console.log(formatTable(result));
await writeFile(join(outDir, `webgpu-${result.runtime.name}${parts ? `.${parts.join('+')}` : ''}${quick ? '.quick' : ''}.json`), JSON.stringify(result, null, 2) + '\n');
