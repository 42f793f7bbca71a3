/**
 * Report section "Runtime and backends": what this runtime supports and which kernels each
 * backend implements natively (the backend matrix). Kernel speed is measured by the
 * repository's benchmark suites (`npm run bench`, docs/benchmarks.md), not by the report.
 * WebGPU is probed only when asked (`demo --webgpu`): the probe loads the GPU stack.
 */
import type { SectionBuilder } from '../section.js';
import { describeEnvironment } from '../environment.js';
import { htmlTable } from '../../plot/html-table.js';
import { escapeXml } from '../../plot/svg.js';
import { KERNEL_NAMES } from '../../kernels/kernels.js';
import { throwIfAborted } from '../../core/errors.js';

const yes = (b: boolean) => (b ? 'yes' : 'no');

export const backendsSection: SectionBuilder = async (ctx) => {
  throwIfAborted(ctx.signal, 'backends section');
  ctx.onProgress?.(0, 'detecting runtime');
  const env = await describeEnvironment({ webgpu: ctx.probeWebGpu === true });
  const used = `${ctx.kernels.backend} (${ctx.kernels.variant})`;

  const envTable = htmlTable(['Property', 'Value'], [
    ['Runtime', `${env.runtime.name} ${env.runtime.version}`],
    ['Platform', env.runtime.platform],
    ['WebAssembly', yes(env.wasm.available)],
    ['WASM SIMD (128-bit)', yes(env.wasm.simd)],
    ['WASM relaxed SIMD', yes(env.wasm.relaxedSimd)],
    ['WebGPU', env.webgpu.available ? `yes: ${env.webgpu.adapter}` : `no: ${env.webgpu.reason}`],
    ['Default backend (createKernels())', `${env.defaultBackend.backend} (${env.defaultBackend.variant})`],
    ['Backend used for this report', used],
  ]);

  const backendRows = env.backends.map((b) => [
    b.backend, b.available ? 'yes' : 'no', b.variant ?? '—',
    b.available ? `${b.native.length} of ${KERNEL_NAMES.length}` : '—',
    b.available ? '' : (b.reason ?? ''),
  ]);
  const backendsTable = htmlTable(['Backend', 'Available', 'Variant', 'Native kernels', 'Note'], backendRows);

  const available = env.backends.filter((b) => b.available);
  const matrix = htmlTable(['Kernel', ...available.map((b) => `${b.backend} (${b.variant})`)],
    KERNEL_NAMES.map((k) => [k, ...available.map((b) => (b.native.includes(k) ? 'native' : 'reference fallback'))]));

  ctx.onProgress?.(1, 'done');

  const wasm = env.backends.find((b) => b.backend === 'wasm');
  const webgpuText = env.webgpu.available ? 'yes' : ctx.probeWebGpu ? 'no' : 'not probed';
  const summary = `${env.runtime.name} ${env.runtime.version}, report on ${used}; ` +
    (wasm?.available ? `wasm implements ${wasm.native.length}/${KERNEL_NAMES.length} kernels natively` : `wasm unavailable: ${wasm?.reason}`) +
    `; WASM SIMD ${yes(env.wasm.simd)}; WebGPU ${webgpuText}`;

  const html = `<p>Every algorithm in the library calls its hot loops through one <code>Kernels</code> interface.
The reference backend is plain TypeScript (the oracle the others are tested against); the wasm backend is
AssemblyScript compiled twice, with 128-bit SIMD and without, and the loader picks the SIMD build when
<code>WebAssembly.validate</code> accepts it. A backend may implement only some kernels; the others fall back to
the reference implementation, as the matrix below shows.</p>
<h3>This runtime</h3>
${envTable}
<h3>Backends</h3>
${backendsTable}
<h3>Kernel matrix</h3>
${matrix}
<p>Kernel speed (same-run ratios against the reference, bandwidth against a streaming read, and peers) is
measured by the repository's benchmark suites, <code>npm run bench</code>; the tables are in docs/benchmarks.md.
The Llama section above compares decode speed on both backends in this run.</p>
<p class="summary-line">${escapeXml(summary)}</p>`;
  const native = wasm?.available ? `${wasm.native.length} of ${KERNEL_NAMES.length}` : 'none';
  const conclusion = `This report ran on <code>${escapeXml(used)}</code>. The wasm backend implements ${native} kernels natively
(the rest fall back to the reference TypeScript, which is also the oracle every backend is tested against); WASM SIMD is
${env.wasm.simd ? 'available' : 'not available'} here. ${env.webgpu.available ? `WebGPU is available (${escapeXml(env.webgpu.adapter ?? '')}).`
    : ctx.probeWebGpu ? `WebGPU is not available: ${escapeXml(env.webgpu.reason ?? '')}.` : 'WebGPU was not probed (<code>demo --webgpu</code> probes it).'}`;
  return {
    id: 'backends', title: 'Runtime and backends', html, summary, conclusion,
    settings: 'environment probe only (kernel speed: npm run bench)',
  };
};
