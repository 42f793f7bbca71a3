/**
 * topKSelectRows on webgpu (issue 7): every row in the same 11 dispatches and one submission,
 * however many rows — where per-row topKSelect calls cost 11 dispatches each — with each row
 * equal to the reference topKSelect; and A²ATS far selection (FarSelector) on device scores
 * issuing one topKSelectRows per KV group instead of one topKSelect per query head, with the
 * same sets as the synchronous selector on wasm; and Retrieval.selectAll with per-head
 * scores and budget issuing one topKSelectRows for all KV heads of a layer (11 top-k
 * dispatches, not 11 per KV head), with the synchronous sets. Dispatches are counted by wrapping
 * GpuCall.dispatch (only dispatches over ≥ 1 workgroup are encoded, and only those count).
 * The data-level differential (offsets, shapes around the 1024 blocks, ties, ±0) is in test/differential/suite.ts.
 */
import { expect, it } from 'vitest';
import { acquireGpu, webgpuMissing } from '../../src/backends/webgpu/device.js';
import { GpuContext } from '../../src/backends/webgpu/gpu-context.js';
import { countGpuWork } from '../_harness/gpu-counts.js';
import { DEFAULT_CPU_THRESHOLD, webgpuKernels } from '../../src/backends/webgpu/kernels.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { FarSelector } from '../../src/kvcache/select-far.js';
import { Codebook } from '../../src/kvcache/codebook.js';
import { VqRetrieval } from '../../src/kvcache/methods/vq-retrieval.js';
import { Retrieval } from '../../src/kvcache/retrieval.js';
import { Rng } from '../../src/core/rng.js';
import { describeWithRuntime } from '../runtimes/harness.js';

const missing = await webgpuMissing();

/** Dispatches of one topKSelect / topKSelectRows batch: 4 × (histogram, pick), count, scan, scatter. */
const CHAIN = 11;

/** Runs `fn` and returns the GPU dispatches and submissions it caused. */
async function counted(ctx: GpuContext, fn: () => unknown): Promise<{ dispatches: number; submissions: number }> {
  const { dispatches, submissions } = await countGpuWork(ctx, fn);
  return { dispatches, submissions };
}

/** rows×n scores with ties (a few levels), a constant row and signed zeros. */
function scores(rows: number, n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: rows * n }, () => rng.int(9) - 4);
  if (rows > 1) x.fill(2, n, 2 * n);
  for (let i = 0; i < x.length; i += 5) if (x[i] === 0) x[i] = -0;
  return x;
}

describeWithRuntime('topKSelectRows on webgpu: one dispatch chain for all rows', missing, () => {
  it('is 11 dispatches and one submission for 1, 8 and 40 rows; 8 topKSelect calls are 88', async () => {
    const ctx = new GpuContext(await acquireGpu());
    const gpu = webgpuKernels(ctx, await createKernels({ backend: 'wasm' }), { cpuThreshold: 0 });
    const n = 1100, kk = 70;
    for (const rows of [1, 8, 40]) {
      const x = scores(rows, n, rows);
      const dx = gpu.allocF32(rows * n);
      dx.write(x);
      const out = new Int32Array(rows * kk);
      const c = await counted(ctx, () => gpu.topKSelectRows(dx, rows, n, kk, out));
      expect(c).toEqual({ dispatches: CHAIN, submissions: 1 });
      const want = new Int32Array(rows * kk);
      ref.topKSelectRows(x, rows, n, kk, want);
      expect(Array.from(out)).toEqual(Array.from(want));
      if (rows === 8) { // the per-row calls it replaces: a chain per row, still one submission
        const outs = Array.from({ length: rows }, () => new Int32Array(kk));
        const per = await counted(ctx, () => Promise.all(outs.map((o, r) => gpu.topKSelect(dx.subarray(r * n, (r + 1) * n), n, kk, o))));
        expect(per).toEqual({ dispatches: rows * CHAIN, submissions: 1 });
        outs.forEach((o, r) => expect(Array.from(o)).toEqual(Array.from(want.subarray(r * kk, (r + 1) * kk))));
      }
      dx.dispose();
    }
  }, 120_000);

  it('FarSelector issues one topKSelectRows per KV group (union: 11 dispatches; interleaved: + 1 gather)', async () => {
    const ctx = new GpuContext(await acquireGpu());
    const wasm = await createKernels({ backend: 'wasm' });
    const gpu = webgpuKernels(ctx, wasm, { cpuThreshold: 0 });
    const g = 4, m = 900, kk = 40;
    const s = scores(g, m, 17);
    const dev = gpu.allocF32(g * m);
    dev.write(s);
    const selA = new FarSelector(gpu), selS = new FarSelector(wasm);
    try {
      const outA = new Int32Array(g * kk), outS = new Int32Array(g * kk);
      let count = 0;
      const union = await counted(ctx, async () => { count = await selA.unionTopK(dev, g, m, kk, outA); });
      expect(union).toEqual({ dispatches: CHAIN, submissions: 1 }); // was g × 11
      const countS = await selS.unionTopK(s, g, m, kk, outS);
      expect(Array.from(outA.subarray(0, count))).toEqual(Array.from(outS.subarray(0, countS)));
      const R = 150;
      const iA = new Int32Array(R), iS = new Int32Array(R);
      const inter = await counted(ctx, async () => { count = await selA.interleavedUnion(dev, g, m, R, iA); });
      // topKSelectRows, then lutGather of the chosen scores for the ranking: was g topK calls (g × 12 dispatches).
      expect(inter).toEqual({ dispatches: CHAIN + 1, submissions: 2 });
      expect(Array.from(iA.subarray(0, count))).toEqual(Array.from(iS.subarray(0, await selS.interleavedUnion(s, g, m, R, iS))));
    } finally {
      dev.dispose();
    }
  }, 120_000);

  it('Retrieval.selectAll (per-head union) is one topKSelectRows for all KV heads: 11 top-k dispatches, not 11 per head', async () => {
    const ctx = new GpuContext(await acquireGpu());
    const wasm = await createKernels({ backend: 'wasm' });
    // The default threshold: the host-side query rotation (rope) stays on the CPU.
    const gpu = webgpuKernels(ctx, wasm, { cpuThreshold: DEFAULT_CPU_THRESHOLD });
    const n = 200, d = 8, g = 2, nKv = 3, size = 10;
    const rng = new Rng(5);
    const books = Array.from({ length: nKv }, () => new Codebook(d, size, Float32Array.from({ length: size * d }, () => rng.normal()), null));
    const keys = books.map((b) => {
      // Keys near their centroids (noise 0.05): the codes are the same on every backend.
      const k = new Float32Array(n * d);
      for (let t = 0; t < n; t++) {
        const c = rng.int(size);
        for (let u = 0; u < d; u++) k[t * d + u] = b.centroids[c * d + u] + 0.05 * rng.normal();
      }
      return { keysPre: k, keysPost: k, values: k, length: n };
    });
    const queries = books.map(() => { const pre = Float32Array.from({ length: g * d }, () => rng.normal()); return { pre, post: pre, pos: n - 1 }; });
    const wrope = { window: 8, distance: 100, base: 10000, pairing: 'half' as const };
    const opts = { window: 8, sinks: 2, budget: { mode: 'perHead' as const, count: 12 }, groupSize: g, headDim: d };
    const vqS = new VqRetrieval(wasm, books, { wrope, groupSize: g });
    const vqA = new VqRetrieval(gpu, books, { wrope, groupSize: g, capacity: n });
    const rS = new Retrieval(wasm, vqS, opts), rA = new Retrieval(gpu, vqA, opts);
    try {
      for (let h = 0; h < nKv; h++) { await vqS.observe(h, keys[h], 0, n); await vqA.observe(h, keys[h], 0, n); }
      const want = [];
      for (let h = 0; h < nKv; h++) want.push(await rS.select(h, keys[h], queries[h]));
      await rA.selectAll(keys, queries); // allocates the scratch
      let got: Awaited<ReturnType<Retrieval['selectAll']>> = [];
      const c = await countGpuWork(ctx, async () => { got = await rA.selectAll(keys, queries); }, 'topKSelectRows');
      expect(c.matching).toBe(CHAIN); // head by head: nKv × 11
      // The rest: per query head one gemv (lookup table) and one lutGather (scores).
      expect(c).toEqual({ dispatches: CHAIN + 2 * nKv * g, matching: CHAIN, submissions: 1 });
      for (let h = 0; h < nKv; h++) {
        expect(want[h].farCount).toBeGreaterThan(12); // the g heads' top-12 lists differ: a real union
        expect(Array.from(got[h].indices.subarray(0, got[h].count))).toEqual(Array.from(want[h].indices.subarray(0, want[h].count)));
      }
    } finally {
      rS.dispose(); rA.dispose(); vqS.dispose(); vqA.dispose();
    }
  }, 120_000);
});
