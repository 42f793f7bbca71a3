/**
 * The WebGPU suite: every GPU-native kernel on the webgpu backend next to the wasm SIMD
 * backend, in the same run, with each GPU result checked against wasm before it is timed.
 *
 * Two sets of shapes, chosen by the adapter:
 * - a software adapter (SwiftShader, lavapipe/llvmpipe): small shapes — these runs are about
 *   correctness in a real WebGPU stack, not speed (a CPU emulating a GPU is slower than wasm);
 * - a hardware GPU: the sizes — gemv 4096×4096; spvmm over a 14336×4096 input-major
 *   W_downᵀ (a Llama-3-8B-sized FFN) at k = 0.5; lutGather + topKSelect over n = 32768 tokens
 *   for 32 heads (one decode step of A²ATS retrieval) — plus the other kernels at A²ATS sizes.
 * The Llama decode step's vector kernels (rmsnorm n = 4096, softmax n = 32000, rope 32 × 128)
 * run at those sizes on every adapter. The CHESS sparse FFN (webgpu-ffn.ts) runs at the
 * activations suite's 14336×4096, k = 0.5, on a hardware GPU (7168×4096 with quick): webgpu vs
 * wasm, and vs the dense FFN. The CHESS FFN inside the one-submission decode step
 * (webgpu-decode-chess.ts): greedy steps with Llama-3-8B's layer shape, CHESS vs dense FFN.
 * A²ATS (webgpu-kvcache.ts): the two-tier cache's decode step and the all-heads selection at the
 * kvcache suite's shape (n = 32768, 32/8 heads, d = 128, ρ = 0.03; n = 8192 with quick).
 *
 * GPU timings are wall-clock. `:webgpu:` tasks are one awaited call (submission, GPU work,
 * read-back of the small output); `:webgpu-xR:` tasks issue R independent calls at once
 * (one submission, device-array outputs), so GB/s there is the kernel's streaming rate with
 * the round trip amortised. `sum` over a 256 MB device array (16 MB on a software adapter)
 * is the same-run streaming-read roofline.
 *
 * @example
 * const result = await webgpuSuite({ quick: true });
 * console.log(formatTable(result));
 */
import { createKernels } from '../../../src/backends/create-kernels.js';
import type { DeviceArray } from '../../../src/kernels/device-array.js';
import type { CpuKernels, ResidentArray, Kernels } from '../../../src/kernels/kernels.js';
import { Rng } from '../../../src/core/rng.js';
import { mirrorF32, mirrorI32 } from '../../../src/kernels/host-mirror.js';
import { lloydIteration } from '../../../src/kvcache/lloyd-step.js';
import { gpuDecodeBench } from './webgpu-decode.js';
import { gpuDecodeChessBench } from './webgpu-decode-chess.js';
import { gpuDecodeA2atsBench } from './webgpu-decode-a2ats.js';
import { gpuLlamaBench } from './webgpu-llama.js';
import { gpuSparseFfnBench } from './webgpu-ffn.js';
import { gpuKvcacheBench } from './webgpu-kvcache.js';
import { runSuite, sink, type BenchTask, type RatioSpec, type SuiteOptions, type SuiteResult } from '../harness.js';

const F = 4;
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|subzero/i;

interface Shapes {
  gemv: [number, number];
  spvmm: [number, number];
  vmmsp: [number, number];
  l2: [number, number, number];
  argmin: [number, number, number];
  retrieval: { n: number; heads: number; table: number; k: number };
  topK: [number, number];
  attention: { count: number; rows: number; d: number };
  sum: number;
  pipelined: number;
}

const HARDWARE: Shapes = {
  gemv: [4096, 4096], spvmm: [14336, 4096], vmmsp: [14336, 4096], l2: [16384, 1024, 128], argmin: [32768, 1024, 128],
  retrieval: { n: 32768, heads: 32, table: 1024, k: 1024 }, topK: [32768, 64],
  attention: { count: 2048, rows: 32768, d: 128 }, sum: 64 << 20, pipelined: 20,
};

const SMALL: Shapes = {
  gemv: [512, 512], spvmm: [1024, 512], vmmsp: [1024, 512], l2: [512, 64, 32], argmin: [1024, 64, 32],
  retrieval: { n: 8192, heads: 4, table: 256, k: 256 }, topK: [8192, 64],
  attention: { count: 512, rows: 4096, d: 64 }, sum: 4 << 20, pipelined: 4,
};

/** max over outputs of |gpu − wasm| / (Σ|terms| + 1e-30): how far apart, relative to the error scale. */
function relErr(gpu: Float32Array, cpu: Float32Array, terms: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(gpu[i] - cpu[i]) / (terms[i] + 1e-30));
  return worst;
}

/** The suite's parts; a device run can take a few at a time to stay inside one call's time limit. */
export const WEBGPU_PARTS = ['kernels', 'llama', 'decode', 'chess-decode', 'a2ats-decode', 'ffn', 'kvcache'] as const;
export type WebgpuPart = (typeof WEBGPU_PARTS)[number];

export async function webgpuSuite(opts: SuiteOptions & { parts?: readonly WebgpuPart[] } = {}): Promise<SuiteResult> {
  const want = (part: WebgpuPart) => opts.parts === undefined || opts.parts.includes(part);
  const quick = opts.quick ?? false;
  let gpu: Kernels;
  try {
    gpu = await createKernels({ backend: 'webgpu', cpuThreshold: 0 });
  } catch (e) {
    // No adapter here: an empty result that says why (so `bench` with every suite still runs).
    return runSuite('webgpu', [], { ...opts, quick, clock: 'wall', notes: [`skipped: ${(e as Error).message}`] });
  }
  const wasm: CpuKernels = await createKernels({ backend: 'wasm' });
  const software = SOFTWARE.test(gpu.device);
  const S = software || quick ? SMALL : HARDWARE;
  const G = 'webgpu', W = `wasm-${wasm.variant}`;
  const name = (kernel: string, backend: string, shape: string) => `webgpu/${kernel}:${backend}:${shape}`;
  const notes = [
    `GPU: ${gpu.device}${software ? ' (software adapter: small shapes; correctness, not speed)' : ''}`,
    `wasm: ${W}, single thread; GPU data in device arrays, wasm data resident in WASM memory; wall clock`,
  ];
  if (quick && !software) notes.push('QUICK: small shapes on a hardware GPU (not the issue sizes)');
  const tasks: BenchTask[] = [];
  const ratios: RatioSpec[] = [];
  const rng = new Rng(20240607);
  const random = (n: number, zeros = 0) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = rng.uniform() < zeros ? 0 : 2 * rng.uniform() - 1;
    return a;
  };
  const devices: DeviceArray<Float32Array | Int32Array>[] = [];
  const residents: ResidentArray<Float32Array | Int32Array>[] = [];
  const onGpu = <T extends Float32Array | Int32Array>(a: T): DeviceArray<T> => {
    const d = (a instanceof Float32Array ? gpu.allocF32(a.length) : gpu.allocI32(a.length)) as unknown as DeviceArray<T>;
    d.write(a);
    devices.push(d as unknown as DeviceArray<Float32Array | Int32Array>);
    return d;
  };
  const onWasm = <T extends Float32Array | Int32Array>(a: T): ResidentArray<T> => {
    const r = (a instanceof Float32Array ? wasm.allocF32(a.length) : wasm.allocI32(a.length)) as unknown as ResidentArray<T>;
    r.view().set(a as never);
    residents.push(r as unknown as ResidentArray<Float32Array | Int32Array>);
    return r;
  };
  const disposers: (() => void)[] = [];
  const checks: string[] = [];
  const check = (what: string, err: number, limit: number) => {
    checks.push(`${err <= limit ? 'PASS' : 'FAIL'} ${what}: ${err.toExponential(2)} (limit ${limit})`);
  };
  const speedup = (kernel: string, gShape: string, wShape = gShape) => ratios.push({
    name: `${kernel} ${gShape}: webgpu vs wasm (one awaited call)`, unit: 'x',
    value: (t) => t(name(kernel, W, wShape)).medianMs / t(name(kernel, G, gShape)).medianMs,
  });
  const R = S.pipelined;

  try {
    // The roofline: a plain streaming read of a large device array, R reads per submission.
    // The roofline keeps the hardware size in quick mode: a smaller array measures call overhead, not bandwidth.
    const sumN = software ? SMALL.sum : HARDWARE.sum;
    const big = onGpu(random(sumN));
    const sumShape = `${sumN / (1 << 20)}M`;
    tasks.push({ name: name('sum', `${G}-x${R}`, sumShape), bytes: R * sumN * F,
      fn: async () => { const r = await Promise.all(Array.from({ length: R }, () => gpu.sum(big, sumN))); sink(r[0]); },
      note: `streaming-read roofline (${(sumN * F) / 2 ** 20} MiB), ${R} calls per submission` });

    // gemv
    {
      const [rows, cols] = S.gemv, shape = `${rows}x${cols}`;
      const Wh = random(rows * cols), xh = random(cols);
      const Wd = onGpu(Wh), xw = onWasm(xh), Ww = onWasm(Wh), yw = onWasm(new Float32Array(rows));
      const y = new Float32Array(rows), yDev = gpu.allocF32(rows * R);
      devices.push(yDev);
      const bytes = (rows * cols + rows + cols) * F;
      await gpu.gemv(Wd, xh, y, rows, cols);
      wasm.gemv(Ww.view(), xw.view(), yw.view(), rows, cols);
      const terms = new Float64Array(rows);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) terms[r] += Math.abs(Wh[r * cols + c] * xh[c]);
      check(`gemv ${shape} max |gpu − wasm| / Σ|terms|`, relErr(y, yw.view(), terms), 1e-5);
      tasks.push({ name: name('gemv', G, shape), bytes, flops: 2 * rows * cols, fn: () => gpu.gemv(Wd, xh, y, rows, cols) });
      tasks.push({ name: name('gemv', `${G}-x${R}`, shape), bytes: R * bytes, flops: 2 * R * rows * cols,
        fn: async () => { await Promise.all(Array.from({ length: R }, (_, i) => gpu.gemv(Wd, xh, yDev.subarray(i * rows, (i + 1) * rows), rows, cols))); } });
      tasks.push({ name: name('gemv', W, shape), bytes, flops: 2 * rows * cols, fn: () => wasm.gemv(Ww.view(), xw.view(), yw.view(), rows, cols) });
      speedup('gemv', shape);
      ratios.push({ name: `gemv ${shape}: GPU GB/s (x${R}) vs GPU streaming read`, unit: 'of roofline',
        value: (t) => t(name('gemv', `${G}-x${R}`, shape)).gbPerS! / t(name('sum', `${G}-x${R}`, sumShape)).gbPerS! });
      // gemvT on the same matrix
      const yT = new Float32Array(cols), yTw = onWasm(new Float32Array(cols)), xTh = random(rows), xTw = onWasm(xTh);
      await gpu.gemvT(Wd, xTh, yT, rows, cols);
      wasm.gemvT(Ww.view(), xTw.view(), yTw.view(), rows, cols);
      const tT = new Float64Array(cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) tT[c] += Math.abs(Wh[r * cols + c] * xTh[r]);
      check(`gemvT ${shape} max |gpu − wasm| / Σ|terms|`, relErr(yT, yTw.view(), tT), 1e-5);
      tasks.push({ name: name('gemvT', G, shape), bytes, flops: 2 * rows * cols, fn: () => gpu.gemvT(Wd, xTh, yT, rows, cols) });
      tasks.push({ name: name('gemvT', W, shape), bytes, flops: 2 * rows * cols, fn: () => wasm.gemvT(Ww.view(), xTw.view(), yTw.view(), rows, cols) });
      speedup('gemvT', shape);
    }

    // spvmm at k = 0.5 (half the inputs are zero), vmmsp with half the gates zero
    {
      const [rows, cols] = S.spvmm, shape = `${rows}x${cols}_k0.5`;
      const Wh = random(rows * cols), xh = random(rows, 0.5);
      const Wd = onGpu(Wh), Ww = onWasm(Wh), xw = onWasm(xh), yw = onWasm(new Float32Array(cols));
      const y = new Float32Array(cols), yDev = gpu.allocF32(cols * R);
      devices.push(yDev);
      const nnzG = await gpu.spvmm(xh, Wd, y, rows, cols);
      const nnz = wasm.spvmm(xw.view(), Ww.view(), yw.view(), rows, cols);
      const terms = new Float64Array(cols);
      for (let r = 0; r < rows; r++) if (xh[r] !== 0) for (let c = 0; c < cols; c++) terms[c] += Math.abs(Wh[r * cols + c] * xh[r]);
      check(`spvmm ${shape} max |gpu − wasm| / Σ|terms| (nonzero inputs ${nnzG} vs ${nnz})`,
        nnzG === nnz ? relErr(y, yw.view(), terms) : Infinity, 1e-5);
      const bytes = (nnz * cols + rows + cols) * F; // only the rows of nonzero inputs are read
      tasks.push({ name: name('spvmm', G, shape), bytes, flops: 2 * nnz * cols, fn: async () => sink(await gpu.spvmm(xh, Wd, y, rows, cols)),
        note: `${nnz} of ${rows} inputs nonzero; bytes count the rows read` });
      tasks.push({ name: name('spvmm', `${G}-x${R}`, shape), bytes: R * bytes, flops: 2 * R * nnz * cols,
        fn: async () => { await Promise.all(Array.from({ length: R }, (_, i) => gpu.spvmm(xh, Wd, yDev.subarray(i * cols, (i + 1) * cols), rows, cols))); } });
      tasks.push({ name: name('spvmm', W, shape), bytes, flops: 2 * nnz * cols, fn: () => sink(wasm.spvmm(xw.view(), Ww.view(), yw.view(), rows, cols)) });
      speedup('spvmm', shape);
      ratios.push({ name: `spvmm ${shape}: GPU GB/s (x${R}) vs GPU streaming read`, unit: 'of roofline',
        value: (t) => t(name('spvmm', `${G}-x${R}`, shape)).gbPerS! / t(name('sum', `${G}-x${R}`, sumShape)).gbPerS! });

      const [vr, vc] = S.vmmsp, vShape = `${vr}x${vc}_k0.5`;
      const Vh = vr * vc === rows * cols ? Wh : random(vr * vc);
      const Vd = vr * vc === rows * cols ? Wd : onGpu(Vh), Vw = vr * vc === rows * cols ? Ww : onWasm(Vh);
      const vx = random(vc), s = random(vr, 0.5), vxw = onWasm(vx), sw = onWasm(s), vo = new Float32Array(vr), vow = onWasm(new Float32Array(vr));
      await gpu.vmmsp(vx, Vd, s, vo, vr, vc);
      const vn = wasm.vmmsp(vxw.view(), Vw.view(), sw.view(), vow.view(), vr, vc);
      const vt = new Float64Array(vr);
      for (let r = 0; r < vr; r++) if (s[r] !== 0) for (let c = 0; c < vc; c++) vt[r] += Math.abs(Vh[r * vc + c] * vx[c] * s[r]);
      check(`vmmsp ${vShape} max |gpu − wasm| / Σ|terms|`, relErr(vo, vow.view(), vt), 1e-5);
      const vBytes = (vn * vc + vr + vc) * F;
      tasks.push({ name: name('vmmsp', G, vShape), bytes: vBytes, fn: async () => sink(await gpu.vmmsp(vx, Vd, s, vo, vr, vc)) });
      tasks.push({ name: name('vmmsp', W, vShape), bytes: vBytes, fn: () => sink(wasm.vmmsp(vxw.view(), Vw.view(), sw.view(), vow.view(), vr, vc)) });
      speedup('vmmsp', vShape);
    }

    // A²ATS retrieval for one decode step: per head, approximate scores by centroid code
    // (lutGather) and the top-k tokens (topKSelect), all heads in one submission.
    {
      const { n, heads, table, k } = S.retrieval, shape = `${heads}heads_n${n}_k${k}`;
      const codes = Int32Array.from({ length: heads * n }, () => rng.int(table));
      const tables = random(heads * table);
      const codesD = onGpu(codes), scoresD = gpu.allocF32(heads * n);
      devices.push(scoresD);
      const codesW = onWasm(codes), scoresW = onWasm(new Float32Array(heads * n)), tablesW = onWasm(tables);
      const outs = Array.from({ length: heads }, () => new Int32Array(k));
      const outW = onWasm(new Int32Array(heads * k));
      const step = async () => { await Promise.all(outs.flatMap((o, h) => [
        gpu.lutGather(tables.subarray(h * table, (h + 1) * table), table, codesD.subarray(h * n, (h + 1) * n), n, scoresD.subarray(h * n, (h + 1) * n)),
        gpu.topKSelect(scoresD.subarray(h * n, (h + 1) * n), n, k, o),
      ])); };
      const stepWasm = () => {
        const t = tablesW.view(), c = codesW.view(), s = scoresW.view(), o = outW.view();
        for (let h = 0; h < heads; h++) {
          wasm.lutGather(t.subarray(h * table, (h + 1) * table), table, c.subarray(h * n, (h + 1) * n), n, s.subarray(h * n, (h + 1) * n));
          wasm.topKSelect(s.subarray(h * n, (h + 1) * n), n, k, o.subarray(h * k, (h + 1) * k));
        }
      };
      await step();
      stepWasm();
      let mismatched = 0;
      for (let h = 0; h < heads; h++) for (let i = 0; i < k; i++) if (outs[h][i] !== outW.view()[h * k + i]) mismatched++;
      check(`lutGather+topKSelect ${shape}: indices differing from wasm`, mismatched, 0);
      const bytes = heads * n * 3 * F; // codes read, scores written, scores read once (selection reads them ~6 times)
      tasks.push({ name: name('lutGather+topKSelect', G, shape), bytes, fn: step,
        note: 'one decode step: all heads in one submission; bytes = 12 per token per head (useful traffic)' });
      tasks.push({ name: name('lutGather+topKSelect', W, shape), bytes, fn: stepWasm });
      speedup('lutGather+topKSelect', shape);

      // Issue 7: the per-head selections as ONE batched call (every row in the same 11
      // dispatches) vs one topKSelect per head (11 dispatches each, serialised even in one
      // submission) vs wasm; A²ATS's per-head budget ρ = 0.03 (k = 983 at n = 32768), on the
      // LUT scores above (many ties, as in retrieval).
      const kr = Math.round(0.03 * n), rShape = `${heads}rows_n${n}_k${kr}`;
      const rowsOut = new Int32Array(heads * kr), rowsOutW = onWasm(new Int32Array(heads * kr));
      const perRow = Array.from({ length: heads }, () => new Int32Array(kr));
      const rowsGpu = () => gpu.topKSelectRows(scoresD, heads, n, kr, rowsOut);
      const perRowGpu = async () => { await Promise.all(perRow.map((o, h) => gpu.topKSelect(scoresD.subarray(h * n, (h + 1) * n), n, kr, o))); };
      const rowsWasm = () => wasm.topKSelectRows(scoresW.view(), heads, n, kr, rowsOutW.view());
      await rowsGpu(); await perRowGpu(); rowsWasm();
      let rowsDiff = 0;
      for (let i = 0; i < heads * kr; i++) {
        if (rowsOut[i] !== rowsOutW.view()[i] || perRow[Math.floor(i / kr)][i % kr] !== rowsOutW.view()[i]) rowsDiff++;
      }
      check(`topKSelectRows ${rShape}: indices differing from wasm (batched and per-row GPU calls)`, rowsDiff, 0);
      tasks.push({ name: name('topKSelectRows', G, rShape), bytes: heads * n * F, fn: rowsGpu,
        note: `one call: ${heads} rows in 11 dispatches, one submission` });
      tasks.push({ name: name('topKSelectRows', `${G}-per-row`, rShape), bytes: heads * n * F, fn: perRowGpu,
        note: `${heads} topKSelect calls issued together: ${11 * heads} dispatches, one submission` });
      tasks.push({ name: name('topKSelectRows', W, rShape), bytes: heads * n * F, fn: rowsWasm });
      ratios.push(
        { name: `topKSelectRows ${heads} rows × ${n}, k = ${kr}: webgpu (one call) vs ${heads} topKSelect calls on webgpu`, unit: 'x',
          value: (t) => t(name('topKSelectRows', `${G}-per-row`, rShape)).medianMs / t(name('topKSelectRows', G, rShape)).medianMs },
        { name: `topKSelectRows ${heads} rows × ${n}, k = ${kr}: webgpu vs wasm`, unit: 'x',
          value: (t) => t(name('topKSelectRows', W, rShape)).medianMs / t(name('topKSelectRows', G, rShape)).medianMs },
        { name: `topKSelectRows ${heads} rows × ${n}, k = ${kr}: ${heads} topKSelect calls on webgpu vs wasm`, unit: 'x',
          value: (t) => t(name('topKSelectRows', W, rShape)).medianMs / t(name('topKSelectRows', `${G}-per-row`, rShape)).medianMs });

      const [tn, tk] = S.topK, tShape = `n${tn}_k${tk}`;
      const xs = random(tn), xsD = onGpu(xs), xsW = onWasm(xs), to = new Int32Array(tk), tow = onWasm(new Int32Array(tk));
      await gpu.topK(xsD, tn, tk, to);
      wasm.topK(xsW.view(), tn, tk, tow.view());
      let diff = 0;
      for (let i = 0; i < tk; i++) if (to[i] !== tow.view()[i]) diff++;
      check(`topK ${tShape}: indices differing from wasm`, diff, 0);
      tasks.push({ name: name('topK', G, tShape), bytes: tn * F, fn: () => gpu.topK(xsD, tn, tk, to) });
      tasks.push({ name: name('topK', W, tShape), bytes: tn * F, fn: () => wasm.topK(xsW.view(), tn, tk, tow.view()) });
      speedup('topK', tShape);
    }

    // k-means assignment (argminL2) and all distances (l2sqrBatch)
    for (const kernel of ['l2sqrBatch', 'argminL2'] as const) {
      const [n, k, d] = kernel === 'l2sqrBatch' ? S.l2 : S.argmin, shape = `n${n}_k${k}_d${d}`;
      const Xh = random(n * d), Ch = random(k * d);
      const Xd = onGpu(Xh), Xw = onWasm(Xh), Cw = onWasm(Ch);
      const flops = 3 * n * k * d; // subtract, multiply, add per term (GPU form: Σ (x − c)²)
      if (kernel === 'l2sqrBatch') {
        const outD = gpu.allocF32(n * k);
        devices.push(outD);
        const outW = onWasm(new Float32Array(n * k));
        await gpu.l2sqrBatch(Xd, Ch, outD, n, k, d);
        wasm.l2sqrBatch(Xw.view(), Cw.view(), outW.view(), n, k, d);
        const got = await outD.read();
        let worst = 0;
        for (let i = 0; i < Math.min(n, 64); i++) {
          for (let j = 0; j < k; j++) {
            let t = 0;
            for (let u = 0; u < d; u++) { const a = Xh[i * d + u], c = Ch[j * d + u]; t += a * a + c * c + 2 * Math.abs(a * c); }
            worst = Math.max(worst, Math.abs(got[i * k + j] - outW.view()[i * k + j]) / t);
          }
        }
        check(`l2sqrBatch ${shape} (first 64 points) max |gpu − wasm| / Σ|expansion terms|`, worst, 1e-5);
        tasks.push({ name: name(kernel, G, shape), flops, fn: () => gpu.l2sqrBatch(Xd, Ch, outD, n, k, d), note: 'output stays on the GPU' });
        tasks.push({ name: name(kernel, W, shape), flops, fn: () => wasm.l2sqrBatch(Xw.view(), Cw.view(), outW.view(), n, k, d) });
      } else {
        const codes = new Int32Array(n), dist = new Float32Array(n);
        const cw = onWasm(new Int32Array(n)), dw = onWasm(new Float32Array(n));
        await gpu.argminL2(Xd, Ch, codes, dist, n, k, d);
        wasm.argminL2(Xw.view(), Cw.view(), cw.view(), dw.view(), n, k, d);
        let differ = 0;
        for (let i = 0; i < n; i++) if (codes[i] !== cw.view()[i] && Math.abs(dist[i] - dw.view()[i]) > 1e-4 * (1 + dist[i])) differ++;
        check(`argminL2 ${shape}: codes differing from wasm beyond near-ties`, differ, 0);
        tasks.push({ name: name(kernel, G, shape), flops, fn: () => gpu.argminL2(Xd, Ch, codes, dist, n, k, d) });
        tasks.push({ name: name(kernel, W, shape), flops, fn: () => wasm.argminL2(Xw.view(), Cw.view(), cw.view(), dw.view(), n, k, d) });
      }
      speedup(kernel, shape);
    }

    // One k-means Lloyd iteration as kmeans() runs it (lloydIteration, src/kvcache/lloyd-step.ts):
    // assignment (argminL2) where the kernels run, codes back, float64 mean update on the host,
    // centroids pushed — on the GPU (points resident there) and on wasm (resident in WASM
    // memory). Each call restarts from the same centroids, so every call does the same work.
    {
      const [n, k, d] = software || quick ? [4096, 64, 32] : [65536, 1024, 128], shape = `n${n}_k${k}_d${d}`;
      const Xh = random(n * d), C0 = Xh.slice(0, k * d);
      const lloyd = (kernels: Kernels) => {
        const m = { X: mirrorF32(kernels, n * d), C: mirrorF32(kernels, k * d), codes: mirrorI32(kernels, n), dist: mirrorF32(kernels, n) };
        disposers.push(() => { m.X.dispose(); m.C.dispose(); m.codes.dispose(); m.dist.dispose(); });
        m.X.host().set(Xh); m.X.push();
        const sums = new Float64Array(k * d), counts = new Int32Array(k);
        return { m, step: () => { m.C.host().set(C0); return lloydIteration(kernels, m.X, m.C, m.codes, m.dist, n, k, d, sums, counts); } };
      };
      const g = lloyd(gpu), w = lloyd(wasm);
      const jG = (await g.step()).objective, jW = (await w.step()).objective;
      let differ = 0;
      for (let i = 0; i < n; i++) if (g.m.codes.host()[i] !== w.m.codes.host()[i]) differ++;
      check(`kmeans Lloyd iteration ${shape}: |ΔJ| / J, gpu vs wasm (codes differing at near-ties: ${differ} of ${n})`,
        Math.abs(jG - jW) / jW, 1e-5);
      const flops = 3 * n * k * d;
      tasks.push({ name: name('kmeans-lloyd', G, shape), flops, fn: async () => sink((await g.step()).objective),
        note: 'argminL2 on the GPU + codes read back + float64 update on the host + centroids uploaded' });
      tasks.push({ name: name('kmeans-lloyd', W, shape), flops, fn: async () => sink((await w.step()).objective) });
      ratios.push({ name: `kmeans Lloyd iteration n=${n} k=${k} d=${d}: webgpu vs wasm`, unit: 'x',
        value: (t) => t(name('kmeans-lloyd', W, shape)).medianMs / t(name('kmeans-lloyd', G, shape)).medianMs });
    }

    // selectiveAttention over the tokens retrieval selected (one head)
    {
      const { count, rows, d } = S.attention, shape = `count${count}_d${d}`;
      const Kh = random(rows * d), Vh = random(rows * d), q = random(d);
      const idx = Int32Array.from({ length: count }, () => rng.int(rows));
      const Kd = onGpu(Kh), Vd = onGpu(Vh), idxD = onGpu(idx);
      const Kw = onWasm(Kh), Vw = onWasm(Vh), idxW = onWasm(idx), qw = onWasm(q), ow = onWasm(new Float32Array(d));
      const out = new Float32Array(d), scale = 1 / Math.sqrt(d);
      const lse = await gpu.selectiveAttention(q, Kd, Vd, idxD, count, rows, d, d, scale, out);
      const lseW = wasm.selectiveAttention(qw.view(), Kw.view(), Vw.view(), idxW.view(), count, rows, d, d, scale, ow.view());
      let worst = Math.abs(lse - lseW) / (Math.abs(lseW) + 1);
      for (let t = 0; t < d; t++) worst = Math.max(worst, Math.abs(out[t] - ow.view()[t]));
      check(`selectiveAttention ${shape}: max |Δout|, |Δlse|/(|lse|+1) (V in [−1, 1])`, worst, 1e-4);
      const bytes = 2 * count * d * F;
      tasks.push({ name: name('selectiveAttention', G, shape), bytes,
        fn: async () => sink(await gpu.selectiveAttention(q, Kd, Vd, idxD, count, rows, d, d, scale, out)) });
      tasks.push({ name: name('selectiveAttention', W, shape), bytes,
        fn: () => sink(wasm.selectiveAttention(qw.view(), Kw.view(), Vw.view(), idxW.view(), count, rows, d, d, scale, ow.view())) });
      speedup('selectiveAttention', shape);
    }

    // The Llama decode step's vector kernels at Llama-2-7B sizes (small enough for any
    // adapter): rmsnorm over dim 4096, softmax over a 32000-token vocabulary, rope over
    // 32 heads × 128 at a late position. Device arrays in and out; rope rotates in place.
    {
      const dim = 4096, vocab = 32000, heads = 32, headDim = 128, pos = 4095, base = 10000;
      const xh = random(dim), wh = random(dim), lh = random(vocab).map((v) => 8 * v), qh = random(heads * headDim);
      const xd = onGpu(xh), wd = onGpu(wh), od = onGpu(new Float32Array(dim)), ld = onGpu(lh), pd = onGpu(new Float32Array(vocab));
      const qd = onGpu(qh);
      const xw = onWasm(xh), ww = onWasm(wh), ow = onWasm(new Float32Array(dim)), lw = onWasm(lh), pw = onWasm(new Float32Array(vocab));
      const qw = onWasm(qh);
      await Promise.all([gpu.rmsnorm(xd, wd, od, dim, 1e-5), gpu.softmax(ld, pd, vocab),
        gpu.rope(qd, heads, headDim, pos, base, 'adjacent')]);
      wasm.rmsnorm(xw.view(), ww.view(), ow.view(), dim, 1e-5);
      wasm.softmax(lw.view(), pw.view(), vocab);
      wasm.rope(qw.view(), heads, headDim, pos, base, 'adjacent');
      const [og, pg, qg] = await Promise.all([od.read(), pd.read(), qd.read()]);
      check(`rmsnorm n${dim} max |gpu − wasm| / |w·x·r|`, relErr(og, ow.view(), Float64Array.from(ow.view(), Math.abs)), 1e-5);
      let mx = -Infinity;
      for (const v of lh) mx = Math.max(mx, v);
      check(`softmax n${vocab} max |gpu − wasm| / ((1 + |x − max|)·p)`,
        relErr(pg, pw.view(), Float64Array.from(pw.view(), (p, i) => (1 + Math.abs(lh[i] - mx)) * p)), 1e-5);
      check(`rope ${heads}x${headDim} pos ${pos} max |gpu − wasm| / (|a| + |b|)`,
        relErr(qg, qw.view(), Float64Array.from(qh, (v, i) => Math.abs(v) + Math.abs(qh[i ^ 1]))), 1e-5);
      const rShape = `n${dim}`, sShape = `n${vocab}`, qShape = `${heads}x${headDim}`;
      tasks.push({ name: name('rmsnorm', G, rShape), bytes: 3 * dim * F, fn: () => gpu.rmsnorm(xd, wd, od, dim, 1e-5) });
      tasks.push({ name: name('rmsnorm', W, rShape), bytes: 3 * dim * F, fn: () => wasm.rmsnorm(xw.view(), ww.view(), ow.view(), dim, 1e-5) });
      tasks.push({ name: name('softmax', G, sShape), bytes: 2 * vocab * F, fn: () => gpu.softmax(ld, pd, vocab) });
      tasks.push({ name: name('softmax', W, sShape), bytes: 2 * vocab * F, fn: () => wasm.softmax(lw.view(), pw.view(), vocab) });
      tasks.push({ name: name('rope', G, qShape), bytes: 2 * heads * headDim * F, fn: () => gpu.rope(qd, heads, headDim, pos, base, 'adjacent'),
        note: 'in place; cos/sin computed on the host in float64 and uploaded with the call' });
      tasks.push({ name: name('rope', W, qShape), bytes: 2 * heads * headDim * F, fn: () => wasm.rope(qw.view(), heads, headDim, pos, base, 'adjacent') });
      speedup('rmsnorm', rShape);
      speedup('softmax', sShape);
      speedup('rope', qShape);
    }

    // Without the kernel part only the roofline (the first task) stays.
    if (!want('kernels')) { tasks.splice(1); ratios.length = 0; checks.length = 0; }

    // Setting up the model-sized tasks takes minutes on a hardware GPU: say which one is being built.
    const t0 = performance.now();
    const setup = (what: string) => opts.onProgress?.(0, `setup ${what} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    const size = software ? 'software' : quick ? 'quick' : 'full';
    // Each part's tasks, ratios and notes join the suite's; its resources are released at the end.
    const add = (part: { tasks: BenchTask[]; ratios: RatioSpec[]; notes: string[]; dispose: () => unknown }) => {
      disposers.push(() => { void part.dispose(); });
      tasks.push(...part.tasks); ratios.push(...part.ratios); checks.push(...part.notes);
    };
    // The llama decode step (stories110M shapes on a hardware GPU).
    if (want('llama')) {
      setup('llama decode');
      add(await gpuLlamaBench(gpu, wasm, !(software || quick), W, name, name('sum', `${G}-x${R}`, sumShape)));
    }
    // The one-submission decode step: greedy float32, and the SmolLM2-shaped Q4_1 model at 128 and 4096 tokens of context.
    if (want('decode')) {
      setup('one-submission decode');
      add(await gpuDecodeBench(gpu, wasm, size, W, name, name('sum', `${G}-x${R}`, sumShape)));
    }
    // The CHESS FFN inside the one-submission decode step, beside the dense FFN's step.
    if (want('chess-decode')) {
      setup('CHESS in the decode step');
      add(await gpuDecodeChessBench(gpu, wasm, size, name));
    }
    // A²ATS inside the one-submission decode step, beside dense GPU attention and wasm's A²ATS step.
    if (want('a2ats-decode')) {
      setup('A²ATS in the decode step');
      add(await gpuDecodeA2atsBench(gpu, wasm, size, W, name));
    }
    // The CHESS sparse FFN (src/activations): webgpu vs wasm at the activations suite's shape, and the dense FFN on the GPU.
    if (want('ffn')) {
      setup('CHESS FFN');
      add(await gpuSparseFfnBench(gpu, wasm, size, W, name, name('sum', `${G}-x${R}`, sumShape)));
    }
    // A²ATS (src/kvcache): the two-tier decode step and the all-heads selection, webgpu vs wasm, at the kvcache suite's shape.
    if (want('kvcache')) {
      setup('A²ATS');
      add(await gpuKvcacheBench(gpu, wasm, size, W, name));
    }

    setup('done');
    notes.push(...checks);
    const result = await runSuite('webgpu', tasks, { ...opts, quick, ratios, notes, clock: 'wall',
      rounds: opts.quick ? 2 : software ? 3 : 5, timeMs: software ? 100 : 200 });
    return result;
  } finally {
    for (const d of devices) d.dispose();
    for (const r of residents) r.dispose();
    for (const dispose of disposers) dispose();
  }
}
