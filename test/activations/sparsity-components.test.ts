/**
 * The CATS, CHESS and TEAL components (Ffn and Projection, as the llama model hosts them) against
 * their definitions evaluated in float64 on the host: on every CPU backend the same outputs within
 * rounding and the same counts (channel zeros, projection-input zeros); installActivationSparsity
 * gives the logits of the components hosted by hand (model.use); on webgpu (SwiftShader in CI) the
 * components run with device scratch and match the CPU within float tolerance, alone and inside a
 * model on the GPU; bad thresholds and unbound use are refused.
 */
import { expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
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
import type { LayerWeights } from '../../src/llama/weight-layout.js';
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

/** W (rows×cols, row-major) · v in float64, and Σ|terms| per row (the rounding scale). */
function matvec64(w: Float32Array, v: ArrayLike<number>, rows: number, cols: number): { y: Float64Array; scale: Float64Array } {
  const y = new Float64Array(rows), scale = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) { const t = w[r * cols + c] * v[c]; y[r] += t; scale[r] += Math.abs(t); }
  }
  return { y, scale };
}

const silu64 = (v: number) => v / (1 + Math.exp(-v));

/**
 * The FFN and projection outputs a component must give, in float64 from the definitions (CHESS
 * §2 and §4, TEAL §3): keep(v, t) = |v| ≥ t. `near` counts values within rounding of their
 * threshold, where float32 on a backend may decide the other way (the comparison then is skipped).
 */
class Oracle {
  near = 0;
  constructor(private readonly w: LayerWeights, private readonly c: { dim: number; hiddenDim: number; kvDim: number }) {}

  private keep(v: number, t: number): boolean {
    if (Math.abs(Math.abs(v) - t) <= 1e-5 * Math.max(1e-3, Math.abs(t))) this.near++;
    return Math.abs(v) >= t;
  }

  /** CATS/CHESS: s = SiLU(W_gate x) thresholded, out = W_down (s ⊙ W_up x); zeroed channels. */
  gated(x: Float32Array, t: ArrayLike<number>) {
    const { dim, hiddenDim } = this.c;
    const gate = matvec64(this.w.w1, x, hiddenDim, dim).y, up = matvec64(this.w.w3, x, hiddenDim, dim).y;
    const zeroed: boolean[] = [];
    const h = Array.from(gate, (g, i) => { const a = silu64(g); const kept = this.keep(a, t[i]); zeroed.push(!kept); return kept ? a * up[i] : 0; });
    return { ...matvec64(this.w.w2, h, dim, hiddenDim), zeroed };
  }

  /** TEAL: thresholded inputs of gate/up (x) and down (h = SiLU(gate)·up); zeros of each input. */
  teal(x: Float32Array, t: { gate: number; up: number; down: number }) {
    const { dim, hiddenDim } = this.c;
    const xg = Array.from(x, (v) => (this.keep(v, t.gate) ? v : 0)), xu = Array.from(x, (v) => (this.keep(v, t.up) ? v : 0));
    const gate = matvec64(this.w.w1, xg, hiddenDim, dim).y, up = matvec64(this.w.w3, xu, hiddenDim, dim).y;
    const h = Array.from(gate, (g, i) => { const v = silu64(g) * up[i]; return this.keep(v, t.down) ? v : 0; });
    const zeros = (a: number[]) => a.filter((v) => v === 0).length;
    return { ...matvec64(this.w.w2, h, dim, hiddenDim), zeros: { gate: zeros(xg), up: zeros(xu), down: zeros(h) } };
  }

  /** A projection of the thresholded input; zeros of the input. */
  project(p: 'q' | 'k' | 'v' | 'o', x: Float32Array, t: number) {
    const n = p === 'k' || p === 'v' ? this.c.kvDim : this.c.dim;
    const xs = Array.from(x, (v) => (this.keep(v, t) ? v : 0));
    return { ...matvec64(this.w[`w${p}`], xs, n, this.c.dim), zeros: xs.filter((v) => v === 0).length };
  }
}

function expectClose(got: Float32Array, want: { y: Float64Array; scale: Float64Array }, what: string): void {
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i] - want.y[i]) <= 1e-5 * want.scale[i] + 1e-6)) throw new Error(`${what}[${i}]: ${got[i]} vs ${want.y[i]}`);
  }
}

describeEachCpuBackend('sparsity components', (k) => {
  for (const [method, attention] of [['cats', false], ['chess', false], ['chess', true], ['chessAbs', true], ['teal', false]] as const) {
    it(`${method}${attention ? ' w/' : ''}: forward and project give the float64 definitions, counts included`, async () => {
      const { m, th } = await calibrated(k);
      const shape: ModelShape = m.config;
      const weights = modelWeights(m, k);
      const comp = sparsityComponents(th[method], { attention });
      await comp.ffn.bind(shape, k, weights);
      await comp.projections?.bind(shape, k, weights);
      const teal = method === 'teal';
      try {
        const xs = inputs(SHAPE.dim, 6, 11);
        let near = 0;
        for (let l = 0; l < SHAPE.nLayers; l++) {
          const L = th[method].layers[l];
          const gateZeros = new Float64Array(SHAPE.hiddenDim);
          const inputZeros: Record<string, number> = {};
          const oracle = new Oracle(m.layerWeights(l), m.config);
          for (const x of xs) {
            const got = new Float32Array(SHAPE.dim);
            await comp.ffn.forward(l, x, got);
            if (teal) {
              const want = oracle.teal(x, { gate: L.inputs!.gate!, up: L.inputs!.up!, down: L.inputs!.down! });
              expectClose(got, want, `layer ${l} ffn`);
              for (const [p, z] of Object.entries(want.zeros)) inputZeros[p] = (inputZeros[p] ?? 0) + z;
            } else {
              const want = oracle.gated(x, L.aGate!);
              expectClose(got, want, `layer ${l} ffn`);
              want.zeroed.forEach((z, i) => { if (z) gateZeros[i]++; });
            }
            for (const p of ['q', 'k', 'v', 'o'] as const) {
              const covered = comp.projections?.covers(l, p) ?? false;
              expect(covered).toBe(teal ? L.inputs?.[p] !== undefined : attention && (p === 'q' || p === 'o'));
              if (!covered) continue;
              const want = oracle.project(p, x, L.inputs![p]!);
              const pg = new Float32Array(want.y.length);
              await comp.projections!.project(l, p, x, pg);
              expectClose(pg, want, `layer ${l} ${p}_proj`);
              inputZeros[p] = (inputZeros[p] ?? 0) + want.zeros;
            }
          }
          near += oracle.near;
          if (oracle.near > 0) continue; // a value at its threshold may be counted either way
          const c = comp.counters.layers[l];
          expect(c.ffnTokens).toBe(xs.length);
          if (!teal) expect(Array.from(c.gateZeros)).toEqual(Array.from(gateZeros));
          for (const [p, z] of Object.entries(inputZeros)) expect(c.inputZeros[p as 'q']?.zeros).toBe(z);
        }
        expect(near).toBeLessThanOrEqual(1);
        if (!teal) expect(comp.counters.summary().gateSparsity).toBeGreaterThan(0.2);
      } finally {
        comp.ffn.dispose();
        comp.projections?.dispose();
        m.dispose();
      }
    });
  }

  for (const method of ['chess', 'teal'] as const) {
    it(`${method} on some layers: the listed layers give the float64 definition, the others the dense FFN`, async () => {
      const { m, th } = await calibrated(k);
      const weights = modelWeights(m, k);
      const comp = sparsityComponents(th[method], { layers: [1] });
      await comp.ffn.bind(m.config, k, weights);
      const dense = new DenseFfn();
      await dense.bind(m.config, k, weights);
      const oracle = new Oracle(m.layerWeights(1), m.config);
      const L = th[method].layers[1];
      try {
        for (const x of inputs(SHAPE.dim, 4, 13)) {
          const want0 = new Float32Array(SHAPE.dim), got0 = new Float32Array(SHAPE.dim);
          await dense.forward(0, x, want0);
          await comp.ffn.forward(0, x, got0);
          expect(got0).toEqual(want0);
          const got1 = new Float32Array(SHAPE.dim);
          await comp.ffn.forward(1, x, got1);
          expectClose(got1, method === 'teal' ? oracle.teal(x, { gate: L.inputs!.gate!, up: L.inputs!.up!, down: L.inputs!.down! })
            : oracle.gated(x, L.aGate!), 'layer 1 ffn');
          const dense1 = new Float32Array(SHAPE.dim);
          await dense.forward(1, x, dense1);
          expect(got1).not.toEqual(dense1); // layer 1 is sparse
        }
        expect(oracle.near).toBe(0);
        expect(comp.counters.layers[0].ffnTokens).toBe(0);
        expect(comp.counters.layers[1].ffnTokens).toBe(4);
        expectBadArgument(() => sparsityComponents(th[method], { layers: [2] }), 'layers');
      } finally {
        comp.ffn.dispose(); dense.dispose(); m.dispose();
      }
    });
  }

  it('installActivationSparsity hosts exactly these components: the same logits bit for bit (CATS, CHESS w/, TEAL)', async () => {
    const { m, th } = await calibrated(k);
    const run = async () => {
      m.reset();
      const out: Float32Array[] = [];
      for (let i = 0; i < TOKENS.length; i++) out.push((await m.forward(TOKENS[i], i)).slice());
      return out;
    };
    const dense = await run();
    for (const [t, attention] of [[th.cats, false], [th.chess, true], [th.teal, false]] as const) {
      const inst = await installActivationSparsity(m, t, { attention });
      const want = await run();
      await inst.dispose();
      const { ffn, projections } = sparsityComponents(t, { attention });
      await m.use({ ffn, projections: projections ?? null });
      const got = await run();
      await m.use({ ffn: new DenseFfn(), projections: null });
      for (let i = 0; i < want.length; i++) expect(got[i]).toEqual(want[i]);
      expect(got[TOKENS.length - 1]).not.toEqual(dense[TOKENS.length - 1]);
    }
    m.dispose();
  });

  it('bind reads each weight view afresh: views handed out before an allocation are not used after it', async () => {
    // On wasm an allocation may grow memory, which detaches every view handed out before it. This
    // stand-in makes that visible on any backend: each allocation poisons (NaN) the views given so far.
    const { m, th } = await calibrated(k);
    const weights = modelWeights(m, k);
    const handedOut: Float32Array[] = [];
    const poisoning: ModelWeights = {
      quantized: false,
      layer: (l) => {
        const fresh = Object.fromEntries(Object.entries(weights.layer(l)).map(([n, w]) => [n, (w as Float32Array).slice()]));
        handedOut.push(...(Object.values(fresh) as Float32Array[]));
        return fresh as unknown as ReturnType<ModelWeights['layer']>;
      },
      matvec: weights.matvec,
    };
    const kernels = new Proxy(k, {
      get(target, name, receiver) {
        const v = Reflect.get(target, name, receiver);
        if ((name !== 'allocF32' && name !== 'allocI32') || typeof v !== 'function') return v;
        return (n: number) => { for (const a of handedOut) a.fill(NaN); handedOut.length = 0; return v.call(target, n); };
      },
    });
    // Every sparse FFN and projection; with `layers`, a dense FFN is bound inside first.
    const cases = [['chess', true, undefined], ['teal', false, undefined], ['cats', false, undefined], ['chess', true, [1]], ['teal', false, [0]]] as const;
    for (const [method, attention, layers] of cases) {
      const poisoned = sparsityComponents(th[method], { attention, layers }), clean = sparsityComponents(th[method], { attention, layers });
      await poisoned.ffn.bind(m.config, kernels, poisoning);
      await poisoned.projections?.bind(m.config, kernels, poisoning);
      await clean.ffn.bind(m.config, k, weights);
      await clean.projections?.bind(m.config, k, weights);
      for (const x of inputs(SHAPE.dim, 2, 17)) {
        for (let l = 0; l < SHAPE.nLayers; l++) {
          const got = new Float32Array(SHAPE.dim), want = new Float32Array(SHAPE.dim);
          await poisoned.ffn.forward(l, x, got);
          await clean.ffn.forward(l, x, want);
          expect(got).toEqual(want);
          const pg = new Float32Array(SHAPE.dim), pw = new Float32Array(SHAPE.dim);
          if (!clean.projections?.covers(l, 'q')) continue;
          await poisoned.projections!.project(l, 'q', x, pg);
          await clean.projections.project(l, 'q', x, pw);
          expect(pg).toEqual(pw);
        }
      }
      for (const c of [poisoned, clean]) { c.ffn.dispose(); c.projections?.dispose(); }
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
  it('CHESS w/ and TEAL run on the GPU with device scratch and match the CPU; installed on a GPU model, the CPU logits', async () => {
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
    // Installed on a model on the GPU: the CPU model's logits (CHESS w/).
    const g = randomLlama(SHAPE, { kernels: gpu, seed: 3, scale: 1.5 });
    const inst = await installActivationSparsity(m, th.chess, { attention: true });
    const onGpu = await installActivationSparsity(g, th.chess, { attention: true });
    m.reset(); g.reset();
    for (let i = 0; i < TOKENS.length; i++) {
      const want = (await m.forward(TOKENS[i], i)).slice(), got = await g.forward(TOKENS[i], i);
      const scale = Math.max(...want.map(Math.abs));
      for (let j = 0; j < want.length; j++) expect(Math.abs(got[j] - want[j])).toBeLessThan(1e-4 * scale);
    }
    expect(onGpu.counters.summary().inputSparsity.q).toBeGreaterThan(0.2);
    await inst.dispose();
    await onGpu.dispose();
    g.dispose();
    m.dispose();
  }, 120_000);
});
