/**
 * selectiveAttentionHeads on webgpu (issue 7): every query head in the same 4 dispatches
 * (scores, softmax, weighted partials, reduce) and one submission, however many heads —
 * where per-head selectiveAttention calls cost 4 dispatches each — with each head bit for bit
 * what the single-head call computes (the single head is the same programs with nHeads = 1);
 * and the llama decode step issuing one such call per layer (4·nLayers attention dispatches
 * instead of 4·nHeads·nLayers). Dispatches are counted by wrapping GpuCall.dispatch (only
 * dispatches over ≥ 1 workgroup are encoded, and only those count). The data-level
 * differential (offsets, GQA, chunk boundaries, bad idx) is in test/differential/suite.ts.
 */
import { expect, it } from 'vitest';
import { acquireGpu, webgpuMissing } from '../../src/backends/webgpu/device.js';
import { GpuContext } from '../../src/backends/webgpu/gpu-context.js';
import { countGpuWork } from '../_harness/gpu-counts.js';
import { webgpuKernels } from '../../src/backends/webgpu/kernels.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { DenseFfn } from '../../src/llama/dense-ffn.js';
import type { Ffn } from '../../src/llama/components.js';
import { Rng } from '../../src/core/rng.js';
import { describeWithRuntime } from '../runtimes/harness.js';

const missing = await webgpuMissing();

/** Dispatches of one selectiveAttention / selectiveAttentionHeads call. */
const CHAIN = 4;

/** Runs `fn`; returns the GPU dispatches (all, and those of the attention programs) and submissions. */
async function counted(ctx: GpuContext, fn: () => unknown): Promise<{ dispatches: number; attention: number; submissions: number }> {
  const c = await countGpuWork(ctx, fn, 'selectiveAttention');
  return { dispatches: c.dispatches, attention: c.matching, submissions: c.submissions };
}

describeWithRuntime('selectiveAttentionHeads on webgpu: one dispatch chain for all heads', missing, () => {
  it('is 4 dispatches and one submission for 1, 6 (GQA) and 12 heads, each head equal to selectiveAttention', async () => {
    const ctx = new GpuContext(await acquireGpu());
    const gpu = webgpuKernels(ctx, await createKernels({ backend: 'wasm' }), { cpuThreshold: 0 });
    const d = 16, rows = 90, count = 70;
    const rng = new Rng(3);
    for (const [nHeads, group] of [[1, 1], [6, 3], [12, 1]]) {
      const nKv = Math.ceil(nHeads / group), stride = nKv * d + 2;
      const K = Float32Array.from({ length: rows * stride }, () => rng.normal());
      const V = Float32Array.from({ length: rows * stride }, () => rng.normal());
      const q = Float32Array.from({ length: nHeads * d }, () => rng.normal());
      const idx = Int32Array.from({ length: count }, () => rng.int(rows));
      const dK = gpu.allocF32(K.length), dV = gpu.allocF32(V.length);
      dK.write(K); dV.write(V);
      const out = new Float32Array(nHeads * d), lse = new Float32Array(nHeads);
      const c = await counted(ctx, () => gpu.selectiveAttentionHeads(q, dK, dV, idx, count, rows, d, stride, nHeads, group, 0.25, out, lse));
      expect(c).toEqual({ dispatches: CHAIN, attention: CHAIN, submissions: 1 });
      // The per-head calls it replaces: a chain per head (still one submission), same numbers.
      const outs = Array.from({ length: nHeads }, () => new Float32Array(d));
      let lses: number[] = [];
      const per = await counted(ctx, async () => {
        lses = await Promise.all(outs.map((o, h) => {
          const g = Math.floor(h / group) * d;
          return gpu.selectiveAttention(q.subarray(h * d, (h + 1) * d), dK.subarray(g), dV.subarray(g), idx, count, rows, d,
            stride, 0.25, o);
        }));
      });
      expect(per).toEqual({ dispatches: nHeads * CHAIN, attention: nHeads * CHAIN, submissions: 1 });
      outs.forEach((o, h) => expect(Array.from(out.subarray(h * d, (h + 1) * d))).toEqual(Array.from(o)));
      expect(Array.from(lse)).toEqual(lses.map(Math.fround));
      dK.dispose(); dV.dispose();
    }
  }, 120_000);

  it('a llama decode step issues 4 attention dispatches per layer, not 4 per head per layer', async () => {
    const ctx = new GpuContext(await acquireGpu());
    const gpu = webgpuKernels(ctx, await createKernels({ backend: 'wasm' }), { cpuThreshold: 0 });
    const shape = { dim: 64, hiddenDim: 160, nLayers: 2, nHeads: 8, nKvHeads: 2, vocabSize: 300, seqLen: 16 };
    const model = randomLlama(shape, { kernels: gpu, seed: 5 });
    try {
      // The dense model decodes in one fused submission (test/webgpu/decode-step.test.ts); an FFN
      // that is not the DenseFfn class sends the step down the call-by-call path measured here.
      const dense = new DenseFfn();
      const callByCall: Ffn = {
        name: 'dense, call by call', bind: (s, k, w) => dense.bind(s, k, w),
        forward: (l, x, out) => dense.forward(l, x, out), dispose: () => dense.dispose(),
      };
      await model.use({ ffn: callByCall });
      await model.forward(1, 0);
      const c = await counted(ctx, () => model.forward(17, 1));
      expect(c.attention).toBe(CHAIN * shape.nLayers); // was CHAIN · nHeads · nLayers = 64
    } finally {
      model.dispose();
    }
  }, 120_000);
});
