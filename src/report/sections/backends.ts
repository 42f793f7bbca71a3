/**
 * Report section "Runtime and backends": what this runtime supports, which kernels each
 * backend implements natively (the backend matrix), and the kernels benchmark suite
 * (src/bench/suites/kernels.ts) with its same-run speed-ups and targets.
 */
import type { SectionBuilder } from '../section.js';
import { describeEnvironment } from '../environment.js';
import { htmlTable } from '../../plot/html-table.js';
import { escapeXml } from '../../plot/svg.js';
import { KERNEL_NAMES } from '../../kernels/kernels.js';
import { throwIfAborted } from '../../core/errors.js';
import { suites } from '../../bench/suites/index.js';
import { benchmarkHtml } from '../bench-html.js';

const yes = (b: boolean) => (b ? 'yes' : 'no');

export const backendsSection: SectionBuilder = async (ctx) => {
  throwIfAborted(ctx.signal, 'backends section');
  ctx.onProgress?.(0, 'detecting runtime');
  const env = await describeEnvironment();
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

  // The kernels suite: its progress fills the rest of this section's bar.
  const bench = await suites.kernels({
    quick: ctx.quick, signal: ctx.signal,
    onProgress: (f, label) => ctx.onProgress?.(0.05 + 0.95 * f, `benchmark ${label}`),
  });
  ctx.onProgress?.(1, 'done');

  const wasm = env.backends.find((b) => b.backend === 'wasm');
  const targeted = bench.ratios.filter((r) => r.pass !== undefined);
  const met = targeted.filter((r) => r.pass).length;
  const dot = bench.ratios.find((r) => /^dot 4096\b/.test(r.name));
  const summary = `${env.runtime.name} ${env.runtime.version}, report on ${used}; ` +
    (wasm?.available ? `wasm implements ${wasm.native.length}/${KERNEL_NAMES.length} kernels natively` : `wasm unavailable: ${wasm?.reason}`) +
    `; WASM SIMD ${yes(env.wasm.simd)}; WebGPU ${env.webgpu.available ? 'yes' : 'no'}` +
    (dot ? `; dot 4096 wasm ${dot.value.toFixed(1)}x reference` : '') +
    `; benchmark targets met ${met}/${targeted.length}${bench.quick ? ' (quick)' : ''}`;

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
${benchmarkHtml(bench)}
<p class="summary-line">${escapeXml(summary)}</p>`;
  return { id: 'backends', title: 'Runtime and backends', html, summary };
};
