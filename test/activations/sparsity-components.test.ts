/**
 * The CATS, CHESS and TEAL components (Ffn and Projection, as the llama model hosts them) against
 * the model strategies installActivationSparsity installs: on every CPU backend the same input
 * gives the same output bit for bit and the same counts (channel zeros, projection-input zeros),
 * and hosted by the model (model.use) the same logits; on webgpu (SwiftShader in CI) the
 * components run with device scratch and match the CPU within float tolerance, alone and inside a
 * model on the GPU; bad thresholds and unbound use are refused.
 */
import { expect, it } from 'vitest';
import { describeEachBackend } from '../_harness/each-backend.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import type { LlamaModel } from '../../src/llama/model.js';
import type { ModelWeights, ModelShape } from '../../src/llama/components.js';
import type { CpuKernels, Kernels } from '../../src/kernels/kernels.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { webgpuMissing } from '../../src/backends/webgpu/device.js';
import { ActivationCollector } from '../../src/activations/activation-collector.js';
import { catsThresholds } from '../../src/activations/cats-thresholds.js';
import { chessThresholds } from '../../src/activations/chess-thresholds.js';
import { tealThresholds } from '../../src/activations/teal-thresholds.js';
import { installActivationSparsity } from '../../src/activations/install-sparsity.js';
import { sparsityComponents } from '../../src/activations/sparsity-components.js';
import { CatsFfn, ChessFfn } from '../../src/activations/gated-ffn.js';
import { TealFfn } from '../../src/activations/teal-ffn.js';
import { DenseFfn } from '../../src/llama/dense-ffn.js';
import type { ActivationThresholds } from '../../src/activations/thresholds.js';
import type { LayerWeights } from '../../src/llama/hooks.js';
import { Rng } from '../../src/core/rng.js';
import { describeWithRuntime } from '../runtimes/harness.js';

const SHAPE = { dim: 36, hiddenDim: 70, nLayers: 2, nHeads: 6, nKvHeads: 3, vocabSize: 40, seqLen: 32 };
const TOKENS = [1, 5, 9, 3, 22, 7, 7, 30, 2, 11, 19, 4];

async function calibrated(k: CpuKernels): Promise<{ m: LlamaModel; th: Record<string, ActivationThresholds> }> {
  const m = randomLlama(SHAPE, { kernels: k, seed: 3, scale: 1.5 });
  const c = new ActivationCollector({ nLayers: SHAPE.nLayers, dim: SHAPE.dim, hiddenDim: SHAPE.hiddenDim });
  m.setCapture(c.capture);
  m.reset();
  for (let i = 0; i < TOKENS.length; i++) await m.forward(TOKENS[i], i);
  m.setCapture(undefined);
  const stats = c.finish();
  return {
    m,
    th: {
      cats: catsThresholds(stats, 0.5), chess: chessThresholds(stats, 0.5),
      chessAbs: chessThresholds(stats, 0.4, { variant: 'abs' }), teal: tealThresholds(stats, 0.5),
    },
  };
}

/** The model's float weights as components see them (host copies taken once; matvec by gemv). */
function modelWeights(m: LlamaModel, k: Kernels): ModelWeights {
  const copies = Array.from({ length: SHAPE.nLayers }, (_, l) =>
    Object.fromEntries(Object.entries(m.layerWeights(l)).map(([n, w]) => [n, w.slice()])) as unknown as LayerWeights);
  const { dim, hiddenDim, kvDim } = m.config;
  const shapes = { wq: [dim, dim], wk: [kvDim, dim], wv: [kvDim, dim], wo: [dim, dim], w1: [hiddenDim, dim], w2: [dim, hiddenDim], w3: [hiddenDim, dim] };
  return {
    quantized: false,
    layer: (l) => copies[l],
    matvec: (l, name, x, out) => k.gemv(copies[l][name], x, out, shapes[name][0], shapes[name][1]),
  };
}

function inputs(n: number, count: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: n }, () => rng.normal()));
}

describeEachBackend('sparsity components', (k) => {
  for (const [method, attention] of [['cats', false], ['chess', false], ['chess', true], ['chessAbs', true], ['teal', false]] as const) {
    it(`${method}${attention ? ' w/' : ''}: forward and project equal the installed strategies bit for bit, counts included`, async () => {
      const { m, th } = await calibrated(k);
      const shape: ModelShape = m.config;
      const weights = modelWeights(m, k);
      const comp = sparsityComponents(th[method], { attention });
      await comp.ffn.bind(shape, k, weights);
      await comp.projections?.bind(shape, k, weights);
      const inst = installActivationSparsity(m, th[method], { attention, layout: 'copy' });
      try {
        const xs = inputs(SHAPE.dim, 6, 11);
        let zeros = 0;
        for (let l = 0; l < SHAPE.nLayers; l++) {
          const st = m.getStrategies(l)!;
          for (const x of xs) {
            const want = new Float32Array(SHAPE.dim), got = new Float32Array(SHAPE.dim);
            st.ffn!.forward({ layer: l, config: m.config, kernels: k, weights: m.layerWeights(l), x, out: want });
            await comp.ffn.forward(l, x, got);
            expect(got).toEqual(want);
            zeros += want.filter((v) => v === 0).length;
            for (const p of ['q', 'k', 'v', 'o'] as const) {
              const covered = comp.projections?.covers(l, p) ?? false;
              expect(covered).toBe(st.projections?.[p] !== undefined);
              if (!covered) continue;
              const n = p === 'k' || p === 'v' ? m.config.kvDim : SHAPE.dim;
              const pw = new Float32Array(n), pg = new Float32Array(n);
              st.projections![p]!.project({ layer: l, name: p, config: m.config, kernels: k, weights: m.layerWeights(l), x, out: pw });
              await comp.projections!.project(l, p, x, pg);
              expect(pg).toEqual(pw);
            }
          }
        }
        expect(zeros).toBeLessThan(SHAPE.nLayers * xs.length * SHAPE.dim); // outputs are not trivially zero
        // The same counts as the installation's (the dense-projection weights it adds are not the FFN's).
        for (let l = 0; l < SHAPE.nLayers; l++) {
          const a = comp.counters.layers[l], b = inst.counters.layers[l];
          expect(a.ffnTokens).toBe(b.ffnTokens);
          expect(Array.from(a.gateZeros)).toEqual(Array.from(b.gateZeros));
          expect(a.inputZeros).toEqual(b.inputZeros);
        }
        if (method !== 'teal') expect(comp.counters.summary().gateSparsity).toBeGreaterThan(0.2);
      } finally {
        inst.dispose();
        comp.ffn.dispose();
        comp.projections?.dispose();
        m.dispose();
      }
    });
  }

  for (const method of ['chess', 'teal'] as const) {
    it(`${method} on some layers: the listed layers equal the installed strategies, the others the dense FFN`, async () => {
      const { m, th } = await calibrated(k);
      const weights = modelWeights(m, k);
      const comp = sparsityComponents(th[method], { layers: [1] });
      await comp.ffn.bind(m.config, k, weights);
      const dense = new DenseFfn();
      await dense.bind(m.config, k, weights);
      const inst = installActivationSparsity(m, th[method], { layers: [1], layout: 'copy' });
      try {
        expect(m.getStrategies(0)).toBeUndefined();
        for (const x of inputs(SHAPE.dim, 4, 13)) {
          const want0 = new Float32Array(SHAPE.dim), got0 = new Float32Array(SHAPE.dim);
          await dense.forward(0, x, want0);
          await comp.ffn.forward(0, x, got0);
          expect(got0).toEqual(want0);
          const want1 = new Float32Array(SHAPE.dim), got1 = new Float32Array(SHAPE.dim);
          m.getStrategies(1)!.ffn!.forward({ layer: 1, config: m.config, kernels: k, weights: m.layerWeights(1), x, out: want1 });
          await comp.ffn.forward(1, x, got1);
          expect(got1).toEqual(want1);
          const dense1 = new Float32Array(SHAPE.dim);
          await dense.forward(1, x, dense1);
          expect(got1).not.toEqual(dense1); // layer 1 is sparse
        }
        expect(comp.counters.layers[0].ffnTokens).toBe(0);
        expect(comp.counters.layers[1].ffnTokens).toBe(4);
        expectBadArgument(() => sparsityComponents(th[method], { layers: [2] }), 'layers');
      } finally {
        inst.dispose(); comp.ffn.dispose(); dense.dispose(); m.dispose();
      }
    });
  }

  it('hosted by the model (model.use): the logits of the installed strategies, bit for bit (CATS, CHESS w/, TEAL)', async () => {
    const { m, th } = await calibrated(k);
    const run = async () => {
      m.reset();
      const out: Float32Array[] = [];
      for (let i = 0; i < TOKENS.length; i++) out.push((await m.forward(TOKENS[i], i)).slice());
      return out;
    };
    const dense = await run();
    for (const [t, attention] of [[th.cats, false], [th.chess, true], [th.teal, false]] as const) {
      const inst = installActivationSparsity(m, t, { attention });
      const want = await run();
      inst.dispose();
      const { ffn, projections } = sparsityComponents(t, { attention });
      await m.use({ ffn, projections: projections ?? null });
      const got = await run();
      await m.use({ ffn: new DenseFfn(), projections: null });
      for (let i = 0; i < want.length; i++) expect(got[i]).toEqual(want[i]);
      expect(got[TOKENS.length - 1]).not.toEqual(dense[TOKENS.length - 1]);
    }
    m.dispose();
  });

  it('refuse thresholds of another method or model, and use before bind', async () => {
    const { m, th } = await calibrated(k);
    expectBadArgument(() => new ChessFfn(th.cats), 'thresholds');
    expectBadArgument(() => new CatsFfn(th.chess), 'thresholds');
    expectBadArgument(() => new TealFfn(th.chess), 'thresholds');
    expectBadArgument(() => sparsityComponents(th.teal, { attention: true }), 'attention');
    const ffn = new ChessFfn(th.chess);
    await expect(ffn.forward(0, new Float32Array(SHAPE.dim), new Float32Array(SHAPE.dim))).rejects.toThrow(/not bound/);
    await expect(ffn.bind({ ...m.config, hiddenDim: 71 }, k, modelWeights(m, k))).rejects.toThrow(/thresholds are for/);
    await ffn.bind(m.config, k, modelWeights(m, k));
    await expect(ffn.forward(2, new Float32Array(SHAPE.dim), new Float32Array(SHAPE.dim))).rejects.toThrow(/layer/);
    ffn.dispose();
    m.dispose();
  });
});

const missing = await webgpuMissing();

describeWithRuntime('sparsity components on webgpu', missing, () => {
  it('CHESS w/ and TEAL run on the GPU with device scratch and match the CPU', async () => {
    const cpu = await createKernels({ backend: 'wasm' });
    const gpu: Kernels = await createKernels({ backend: 'webgpu', cpuThreshold: 0 });
    const { m, th } = await calibrated(cpu);
    const weights = modelWeights(m, cpu);
    for (const [method, attention] of [['chess', true], ['teal', false]] as const) {
      const onCpu = sparsityComponents(th[method], { attention }), onGpu = sparsityComponents(th[method], { attention });
      await onCpu.ffn.bind(m.config, cpu, weights);
      await onGpu.ffn.bind(m.config, gpu, weights);
      await onCpu.projections!.bind(m.config, cpu, weights);
      await onGpu.projections!.bind(m.config, gpu, weights);
      for (const x of inputs(SHAPE.dim, 3, 5)) {
        for (let l = 0; l < SHAPE.nLayers; l++) {
          const want = new Float32Array(SHAPE.dim), got = new Float32Array(SHAPE.dim);
          await onCpu.ffn.forward(l, x, want);
          await onGpu.ffn.forward(l, x, got);
          const scale = Math.max(...want.map(Math.abs));
          // A channel at its threshold may flip (float32 SiLU on the GPU): compare in bulk.
          const far = want.filter((v, i) => Math.abs(got[i] - v) > 1e-3 * scale).length;
          expect(far).toBeLessThanOrEqual(2);
          const q = new Float32Array(SHAPE.dim), qg = new Float32Array(SHAPE.dim);
          await onCpu.projections!.project(l, 'q', x, q);
          await onGpu.projections!.project(l, 'q', x, qg);
          for (let i = 0; i < q.length; i++) expect(Math.abs(qg[i] - q[i])).toBeLessThan(1e-4 * (1 + Math.abs(q[i])));
        }
      }
      for (const c of [onCpu, onGpu]) { c.ffn.dispose(); c.projections?.dispose(); }
    }
    // Hosted by a model on the GPU: the CPU model's logits (CHESS w/).
    const g = randomLlama(SHAPE, { kernels: gpu, seed: 3, scale: 1.5 });
    const inst = installActivationSparsity(m, th.chess, { attention: true });
    const { ffn, projections } = sparsityComponents(th.chess, { attention: true });
    await g.use({ ffn, projections: projections ?? null });
    m.reset(); g.reset();
    for (let i = 0; i < TOKENS.length; i++) {
      const want = (await m.forward(TOKENS[i], i)).slice(), got = await g.forward(TOKENS[i], i);
      const scale = Math.max(...want.map(Math.abs));
      for (let j = 0; j < want.length; j++) expect(Math.abs(got[j] - want[j])).toBeLessThan(1e-4 * scale);
    }
    inst.dispose();
    g.dispose();
    m.dispose();
  }, 120_000);
});
