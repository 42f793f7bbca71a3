/**
 * Report section "Runtime and backends": what this runtime supports, which kernels each
 * backend implements natively (the backend matrix), and — in `demo --full` — the kernels
 * benchmark suite (src/bench/suites/kernels.ts) with its same-run speed-ups and targets.
 * WebGPU is probed only when asked (`demo --webgpu`): the probe loads the GPU stack.
 */
import type { SectionBuilder } from '../section.js';
import { describeEnvironment } from '../environment.js';
import { htmlTable } from '../../plot/html-table.js';
import { escapeXml } from '../../plot/svg.js';
import { KERNEL_NAMES } from '../../kernels/kernels.js';
import { throwIfAborted } from '../../core/errors.js';
import type { SuiteResult } from '../../bench/harness.js';

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

  // The kernels suite (full runs only): its progress fills the rest of this section's bar.
  // Loaded on demand: the benchmark harness is a repository tool, not needed for the rest.
  let bench: SuiteResult | undefined;
  if (!ctx.quick) {
    const { suites } = await import('../../bench/suites/index.js');
    bench = await suites.kernels({
      quick: false, signal: ctx.signal,
      onProgress: (f, label) => ctx.onProgress?.(0.05 + 0.95 * f, `benchmark ${label}`),
    });
  }
  ctx.onProgress?.(1, 'done');

  const wasm = env.backends.find((b) => b.backend === 'wasm');
  const targeted = bench?.ratios.filter((r) => r.pass !== undefined) ?? [];
  const met = targeted.filter((r) => r.pass).length;
  const dot = bench?.ratios.find((r) => /^dot 4096\b/.test(r.name));
  const webgpuText = env.webgpu.available ? 'yes' : ctx.probeWebGpu ? 'no' : 'not probed';
  const summary = `${env.runtime.name} ${env.runtime.version}, report on ${used}; ` +
    (wasm?.available ? `wasm implements ${wasm.native.length}/${KERNEL_NAMES.length} kernels natively` : `wasm unavailable: ${wasm?.reason}`) +
    `; WASM SIMD ${yes(env.wasm.simd)}; WebGPU ${webgpuText}` +
    (dot ? `; dot 4096 wasm ${dot.value.toFixed(1)}x reference` : '') +
    (bench ? `; benchmark targets met ${met}/${targeted.length}` : '; kernel benchmark not run (demo --full runs it)');
  const benchHtml = bench
    ? (await import('../bench-html.js')).benchmarkHtml(bench)
    : `<p>Not run in the quiet default: <code>sparse-inference demo --full</code> adds the kernel benchmark suite
(a few minutes), and <code>npm run bench</code> runs every suite. The Llama section above compares decode speed on both
backends in this run.</p>`;

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
<h3>Kernel benchmarks</h3>
${benchHtml}
<p class="summary-line">${escapeXml(summary)}</p>`;
  const native = wasm?.available ? `${wasm.native.length} of ${KERNEL_NAMES.length}` : 'none';
  const conclusion = `This report ran on <code>${escapeXml(used)}</code>. The wasm backend implements ${native} kernels natively
(the rest fall back to the reference TypeScript, which is also the oracle every backend is tested against); WASM SIMD is
${env.wasm.simd ? 'available' : 'not available'} here. ${env.webgpu.available ? `WebGPU is available (${escapeXml(env.webgpu.adapter ?? '')}).`
    : ctx.probeWebGpu ? `WebGPU is not available: ${escapeXml(env.webgpu.reason ?? '')}.` : 'WebGPU was not probed (<code>demo --webgpu</code> probes it).'}`
    + (bench ? ` Benchmark targets met: ${met} of ${targeted.length}.` : '');
  return {
    id: 'backends', title: 'Runtime and backends', html, summary, conclusion,
    settings: bench ? 'kernels benchmark suite, full shapes (--full)' : 'environment probe only; kernel benchmark not run (quiet default)',
  };
};
