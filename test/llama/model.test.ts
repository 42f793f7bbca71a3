import { describe, expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { expectBadArgument, expectBadArgumentAsync } from '../_harness/bad-input.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { ACTIVATION_KINDS, type ActivationKind } from '../../src/llama/activation-capture.js';
import { DenseKvCache } from '../../src/llama/dense-kv-cache.js';
import { DenseFfn } from '../../src/llama/dense-ffn.js';
import type { Ffn, KvCache, ModelShape, ModelWeights, Projection, ProjectionWhich } from '../../src/llama/components.js';
import type { CpuKernels, Kernels, RopePairing } from '../../src/kernels/kernels.js';
import type { F32Arg } from '../../src/kernels/device-array.js';
import { makeConfig, parameterCount } from '../../src/llama/config.js';
import { maxAbsDiff, modelLogits, oracleLogits, tinyModel } from './helpers.js';

const TOKENS = [1, 7, 33, 2, 49, 0, 12, 12, 5, 40];

/**
 * The dense SwiGLU FFN in plain JS over the layer's float weights (not the model's inlined
 * DenseFfn); records the layers it is asked for, and writes zeros for `zeroLayer`.
 */
class JsSwiGluFfn implements Ffn {
  readonly name = 'js-swiglu';
  readonly layers: number[] = [];
  private bound: { c: ModelShape; k: CpuKernels; w: ModelWeights } | null = null;
  constructor(private readonly zeroLayer = -1) {}
  bind(c: ModelShape, k: Kernels, w: ModelWeights) { this.bound = { c, k: k as CpuKernels, w }; }
  forward(layer: number, x: F32Arg, out: F32Arg) {
    const { c, k, w } = this.bound!;
    const o = out as Float32Array;
    this.layers.push(layer);
    if (layer === this.zeroLayer) { o.fill(0); return; }
    const lw = w.layer(layer) as Record<'w1' | 'w2' | 'w3', Float32Array>;
    const a = new Float32Array(c.hiddenDim), b = new Float32Array(c.hiddenDim);
    k.gemv(lw.w1, x as Float32Array, a, c.hiddenDim, c.dim);
    k.gemv(lw.w3, x as Float32Array, b, c.hiddenDim, c.dim);
    for (let i = 0; i < a.length; i++) a[i] = (a[i] / (1 + Math.exp(-a[i]))) * b[i];
    k.gemv(lw.w2, a, o, c.dim, c.hiddenDim);
  }
  dispose() { this.bound = null; }
}

/** All four attention projections as gemv calls on the layer's float weights. */
class GemvProjections implements Projection {
  readonly name = 'gemv';
  calls = 0;
  private bound: { c: ModelShape; k: CpuKernels; w: ModelWeights } | null = null;
  bind(c: ModelShape, k: Kernels, w: ModelWeights) { this.bound = { c, k: k as CpuKernels, w }; }
  covers() { return true; }
  project(layer: number, which: ProjectionWhich, x: F32Arg, out: F32Arg) {
    const { c, k, w } = this.bound!;
    this.calls++;
    const W = w.layer(layer)[`w${which}`] as Float32Array;
    const o = out as Float32Array;
    k.gemv(W, x as Float32Array, o, o.length, c.dim);
  }
  dispose() { this.bound = null; }
}

/**
 * A DenseKvCache seen through the component interface: logs append/attend per layer and
 * position, and checks that q after RoPE is q before RoPE rotated at pos.
 */
class SpyKv implements KvCache {
  readonly name = 'spy';
  readonly events: string[] = [];
  worstRope = 0;
  private readonly inner = new DenseKvCache();
  constructor(private readonly nHeads: number, private readonly headDim: number, private readonly base: number,
    private readonly pairing: RopePairing, private readonly k: CpuKernels) {}
  bind(c: ModelShape, k: Kernels) { return this.inner.bind(c, k); }
  append(layer: number, pos: number, kPre: F32Arg, kPost: F32Arg, v: F32Arg) {
    this.events.push(`append ${layer} @${pos}`);
    return this.inner.append(layer, pos, kPre, kPost, v);
  }
  attend(layer: number, pos: number, qPre: F32Arg, qPost: F32Arg, out: F32Arg) {
    this.events.push(`attend ${layer} @${pos}`);
    const q = (qPre as Float32Array).slice();
    this.k.rope(q, this.nHeads, this.headDim, pos, this.base, this.pairing);
    this.worstRope = Math.max(this.worstRope, maxAbsDiff(q, qPost as Float32Array));
    return this.inner.attend(layer, pos, qPre, qPost, out);
  }
  reset() { this.inner.reset(); }
  dispose() { this.inner.dispose(); }
}

describeEachCpuBackend('llama model forward', (kernels) => {
  for (const ropePairing of ['adjacent', 'half'] as const) {
    for (const sharedClassifier of [true, false]) {
      it(`matches the float64 oracle (${ropePairing} RoPE, ${sharedClassifier ? 'tied' : 'separate'} classifier, GQA)`, async () => {
        const model = tinyModel(kernels, { ropePairing, sharedClassifier, ropeBase: 500 });
        const want = oracleLogits(model, TOKENS);
        const got = await modelLogits(model, TOKENS);
        for (let p = 0; p < TOKENS.length; p++) {
          const scale = Math.max(...Array.from(want[p], Math.abs));
          expect(maxAbsDiff(got[p], want[p]), `pos ${p}`).toBeLessThan(2e-5 * scale + 1e-5);
        }
        model.dispose();
      });
    }
  }

  it('matches the oracle with multi-query attention (one KV head) and full MHA', async () => {
    for (const nKvHeads of [1, 4]) {
      const model = tinyModel(kernels, { nKvHeads });
      const want = oracleLogits(model, TOKENS.slice(0, 6));
      const got = await modelLogits(model, TOKENS.slice(0, 6));
      for (let p = 0; p < 6; p++) expect(maxAbsDiff(got[p], want[p])).toBeLessThan(1e-4);
      model.dispose();
    }
  });

  it('prefill gives the logits of step-by-step forward, and the same KV cache (up to the order of attention sums)', async () => {
    const model = tinyModel(kernels);
    const step = await modelLogits(model, TOKENS);
    const keysStep = model.kvCache(1).keys.slice(0, TOKENS.length * model.config.kvDim);
    model.reset();
    const last = (await model.prefill(TOKENS)).slice();
    // Block prefill's causalAttention sums keys in tiles (wasm): float rounding, not bits.
    expect(maxAbsDiff(last, step[TOKENS.length - 1])).toBeLessThan(1e-5);
    expect(maxAbsDiff(model.kvCache(1).keys, keysStep, keysStep.length)).toBeLessThan(1e-5);
    // Continuing from a cached prefix: prefill(tail, startPos) = the rest of the sequence.
    model.reset();
    await model.prefill(TOKENS.slice(0, 4));
    const cont = await model.prefill(TOKENS.slice(4), 4);
    expect(maxAbsDiff(cont, step[TOKENS.length - 1])).toBeLessThan(1e-5);
    model.dispose();
  });

  it('the one-call-per-layer path equals the call-by-call path (forced by a capture), KV caches included', async () => {
    for (const ropePairing of ['adjacent', 'half'] as const) {
      let layerCalls = 0;
      const counting = { ...kernels, decoderLayer: (...a: Parameters<typeof kernels.decoderLayer>) => { layerCalls++; kernels.decoderLayer(...a); } };
      const model = tinyModel(counting, { ropePairing });
      const fused = await modelLogits(model, TOKENS);
      expect(layerCalls).toBe(TOKENS.length * model.config.nLayers);
      const cache = (l: number) => { const c = model.kvCache(l); return [c.keys, c.keysPreRope, c.values].map((a) => a.slice()); };
      const fusedCache = cache(1);
      let seen = 0;
      model.setCapture(() => { seen++; }); // a capture must see inside each layer: no fused call
      model.reset();
      const byCall = await modelLogits(model, TOKENS);
      expect(seen).toBeGreaterThan(0);
      expect(layerCalls).toBe(TOKENS.length * model.config.nLayers);
      for (let p = 0; p < TOKENS.length; p++) {
        const scale = Math.max(...Array.from(byCall[p], Math.abs));
        expect(maxAbsDiff(fused[p], byCall[p]), `pos ${p}`).toBeLessThanOrEqual(1e-5 * scale);
      }
      cache(1).forEach((a, i) => expect(maxAbsDiff(a, fusedCache[i])).toBeLessThanOrEqual(1e-5));
      model.dispose();
    }
  });

  it('prefill runs the same blocks twice alike (same logits, gemm calls), yielding between them, and honours an abort', async () => {
    let gemmCalls = 0;
    const counting = { ...kernels, gemm: (...a: Parameters<typeof kernels.gemm>) => { gemmCalls++; kernels.gemm(...a); } };
    const model = tinyModel(counting, { seqLen: 80 });
    const tokens = Array.from({ length: 70 }, (_, i) => (i * 7 + 3) % model.config.vocabSize);
    const want = (await model.prefill(tokens)).slice();
    const blockCalls = gemmCalls;
    expect(blockCalls).toBeGreaterThan(0);
    model.reset();
    const got = await model.prefill(tokens);
    expect(maxAbsDiff(got, want)).toBe(0);
    expect(gemmCalls).toBe(2 * blockCalls);
    model.reset();
    const stop = new AbortController();
    stop.abort();
    await expect(model.prefill(tokens, 0, { signal: stop.signal })).rejects.toThrow(/abort/i);
    model.dispose();
  });

  it('rewinding to an earlier position recomputes from there', async () => {
    const model = tinyModel(kernels);
    const a = await modelLogits(model, [1, 2, 3, 4]);
    await model.forward(9, 2); // overwrite position 2 (cache now holds 3 tokens)
    expect(model.cachedTokens).toBe(3);
    const b = (await model.forward(4, 3)).slice();
    const fresh = await modelLogits(model, [1, 2, 9, 4]);
    expect(maxAbsDiff(b, fresh[3])).toBe(0);
    expect(maxAbsDiff(b, a[3])).toBeGreaterThan(0);
    model.dispose();
  });

  it('components computing the dense arithmetic by other routes (gemv projections, a JS SwiGLU) give the same logits', async () => {
    const model = tinyModel(kernels);
    const want = await modelLogits(model, TOKENS);
    const ffn = new JsSwiGluFfn(), proj = new GemvProjections();
    await model.use({ kv: new DenseKvCache(), ffn, projections: proj });
    const got = await modelLogits(model, TOKENS);
    for (let p = 0; p < TOKENS.length; p++) expect(maxAbsDiff(got[p], want[p])).toBeLessThan(1e-5);
    expect(ffn.layers.length).toBe(TOKENS.length * model.config.nLayers);
    expect(proj.calls).toBe(4 * TOKENS.length * model.config.nLayers);
    await model.use({ ffn: new DenseFfn(), projections: null });
    const back = await modelLogits(model, TOKENS);
    expect(maxAbsDiff(back[9], want[9])).toBe(0);
    model.dispose();
  });

  it('an Ffn component is asked layer by layer: zeroing layer 1 only changes the logits', async () => {
    const model = tinyModel(kernels);
    const want = await modelLogits(model, TOKENS.slice(0, 3));
    const ffn = new JsSwiGluFfn(1);
    await model.use({ ffn });
    const got = await modelLogits(model, TOKENS.slice(0, 3));
    expect(ffn.layers).toEqual([0, 1, 0, 1, 0, 1]);
    expect(maxAbsDiff(got[2], want[2])).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('capture sees every activation kind in order with the right sizes and values', async () => {
    const model = tinyModel(kernels);
    const c = model.config;
    const seen: { layer: number; kind: ActivationKind; pos: number; data: Float32Array }[] = [];
    model.setCapture((layer, kind, data, pos) => seen.push({ layer, kind, pos, data: data.slice() }));
    model.reset();
    await model.forward(3, 0);
    await model.forward(8, 1);
    model.setCapture(undefined);
    expect(seen.length).toBe(2 * c.nLayers * ACTIVATION_KINDS.length);
    const first = seen.slice(0, ACTIVATION_KINDS.length);
    expect(first.map((s) => s.kind)).toEqual([...ACTIVATION_KINDS]);
    const sizes: Record<ActivationKind, number> = {
      attnInput: c.dim, qPreRope: c.dim, kPreRope: c.kvDim, v: c.kvDim, qPostRope: c.dim, kPostRope: c.kvDim,
      oProjInput: c.dim, ffnInput: c.dim, aGate: c.hiddenDim, aUp: c.hiddenDim, downInput: c.hiddenDim,
    };
    for (const s of seen) expect(s.data.length, s.kind).toBe(sizes[s.kind]);
    const at = (layer: number, kind: ActivationKind, pos: number) => seen.find((s) => s.layer === layer && s.kind === kind && s.pos === pos)!.data;
    // Invariants a wiring bug would break.
    const w = model.layerWeights(1);
    const q = new Float32Array(c.dim);
    kernels.gemv(w.wq, at(1, 'attnInput', 1), q, c.dim, c.dim);
    expect(maxAbsDiff(q, at(1, 'qPreRope', 1))).toBeLessThan(1e-6);
    const qr = at(1, 'qPreRope', 1).slice();
    kernels.rope(qr, c.nHeads, c.headDim, 1, c.ropeBase, c.ropePairing);
    expect(maxAbsDiff(qr, at(1, 'qPostRope', 1))).toBeLessThan(1e-6);
    const gate = at(0, 'aGate', 1), up = at(0, 'aUp', 1), down = at(0, 'downInput', 1);
    for (let i = 0; i < c.hiddenDim; i++) expect(down[i]).toBeCloseTo(gate[i] * up[i], 5);
    const cache = model.kvCache(1);
    expect(cache.length).toBe(2);
    expect(maxAbsDiff(cache.keys.subarray(c.kvDim, 2 * c.kvDim), at(1, 'kPostRope', 1))).toBe(0);
    // No pre-RoPE store is kept: kvCache rotates the keys back (float rounding only).
    expect(maxAbsDiff(cache.keysPreRope.subarray(c.kvDim, 2 * c.kvDim), at(1, 'kPreRope', 1))).toBeLessThan(1e-6);
    expect(maxAbsDiff(cache.values.subarray(0, c.kvDim), at(1, 'v', 0))).toBe(0);
    model.dispose();
  });

  it('keeps pre-RoPE keys only once asked (keepPreRopeKeys): then exactly the captured ones', async () => {
    const model = tinyModel(kernels);
    const c = model.config;
    const kvFloats = c.nLayers * c.seqLen * c.kvDim;
    const before = model.residentBytes;
    const pre: Float32Array[] = [];
    model.setCapture((layer, kind, data) => { if (layer === 1 && kind === 'kPreRope') pre.push(data.slice()); });
    await model.forward(3, 0);
    await model.forward(8, 1);
    model.keepPreRopeKeys(); // rows 0, 1: rotated back
    expect(model.residentBytes - before).toBe(4 * kvFloats);
    model.keepPreRopeKeys();
    expect(model.residentBytes - before).toBe(4 * kvFloats);
    await model.forward(5, 2); // row 2: stored as computed
    model.setCapture(undefined);
    const cache = model.kvCache(1);
    for (const t of [0, 1]) expect(maxAbsDiff(cache.keysPreRope.subarray(t * c.kvDim, (t + 1) * c.kvDim), pre[t])).toBeLessThan(1e-6);
    expect(maxAbsDiff(cache.keysPreRope.subarray(2 * c.kvDim, 3 * c.kvDim), pre[2])).toBe(0);
    // The block prefill fills the store too.
    model.reset();
    await model.prefill([3, 8, 5]);
    expect(maxAbsDiff(model.kvCache(1).keysPreRope.subarray(0, 3 * c.kvDim), new Float32Array([...pre[0], ...pre[1], ...pre[2]]))).toBeLessThan(1e-6);
    model.dispose();
  });

  it('the KvCache component gets each key before attention, and q before and after RoPE', async () => {
    const model = tinyModel(kernels);
    const c = model.config;
    const kv = new SpyKv(c.nHeads, c.headDim, c.ropeBase, c.ropePairing, kernels);
    await model.use({ kv });
    const dense = tinyModel(kernels);
    const want = await modelLogits(dense, TOKENS.slice(0, 4));
    dense.dispose();
    const got = await modelLogits(model, TOKENS.slice(0, 4));
    // Per position, every layer appends then attends, over pos + 1 tokens.
    const perPos = Array.from({ length: c.nLayers }, (_, l) => [`append ${l}`, `attend ${l}`]).flat();
    expect(kv.events).toEqual([0, 1, 2, 3].flatMap((pos) => perPos.map((e) => `${e} @${pos}`)));
    expect(kv.worstRope).toBeLessThan(1e-6);
    for (let p = 0; p < 4; p++) expect(maxAbsDiff(got[p], want[p])).toBeLessThan(1e-5 * Math.max(...Array.from(want[p], Math.abs)));
    model.dispose();
  });

  it('survives a capture that allocates resident memory mid-forward (views are refreshed)', async () => {
    const model = tinyModel(kernels);
    const want = await modelLogits(model, TOKENS.slice(0, 4));
    const held: { dispose(): void }[] = [];
    model.setCapture((_l, kind) => {
      if (kind === 'ffnInput') held.push(kernels.allocF32(1 << 20)); // 4 MB each: grows WASM memory
    });
    const got = await modelLogits(model, TOKENS.slice(0, 4));
    model.setCapture(undefined);
    for (let p = 0; p < 4; p++) expect(maxAbsDiff(got[p], want[p])).toBe(0);
    for (const h of held) h.dispose();
    model.dispose();
  });

  it('rejects bad arguments with BAD_ARGUMENT naming them', async () => {
    const model = tinyModel(kernels);
    const c = model.config;
    await expectBadArgumentAsync(() => model.forward(c.vocabSize, 0), 'token');
    await expectBadArgumentAsync(() => model.forward(-1, 0), 'token');
    await expectBadArgumentAsync(() => model.forward(1.5, 0), 'token');
    await expectBadArgumentAsync(() => model.forward(1, c.seqLen), 'pos');
    await expectBadArgumentAsync(() => model.forward(1, 1), 'pos'); // cache is empty
    await expectBadArgumentAsync(() => model.forward(1, NaN), 'pos');
    await expectBadArgumentAsync(() => model.prefill([]), 'tokens');
    await expectBadArgumentAsync(() => model.prefill([1, 2, 999]), 'tokens'); // 'tokens[2] must be in [0, 49]'
    await expectBadArgumentAsync(() => model.prefill(new Array(c.seqLen + 1).fill(1)), 'seqLen');
    await expectBadArgumentAsync(() => model.prefill([1], 3), 'startPos');
    expectBadArgument(() => model.layerWeights(c.nLayers), 'layer');
    expectBadArgument(() => model.kvCache(-1), 'layer');
    expectBadArgument(() => model.setCapture(42 as never), 'capture');
    model.dispose();
    await expectBadArgumentAsync(() => model.forward(1, 0), 'model');
  });

  it('prefill honours an aborted signal', async () => {
    const model = tinyModel(kernels);
    const ac = new AbortController();
    ac.abort();
    await expect(model.prefill([1, 2, 3], 0, { signal: ac.signal })).rejects.toThrow(/aborted/);
    model.dispose();
  });
});

describe('llama config', () => {
  it('derives head and KV sizes and counts stories260K parameters', () => {
    const c = makeConfig({ dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 512, seqLen: 512 });
    expect(c.headDim).toBe(8);
    expect(c.kvDim).toBe(32);
    expect(parameterCount(c)).toBe(260032); // ../shared/models/README.md
  });

  it('rejects impossible shapes', () => {
    expectBadArgument(() => makeConfig({ dim: 30, hiddenDim: 8, nLayers: 1, nHeads: 4, nKvHeads: 4, vocabSize: 5, seqLen: 4 }), 'nHeads');
    expectBadArgument(() => makeConfig({ dim: 36, hiddenDim: 8, nLayers: 1, nHeads: 4, nKvHeads: 4, vocabSize: 5, seqLen: 4 }), 'even');
    expectBadArgument(() => makeConfig({ dim: 32, hiddenDim: 8, nLayers: 1, nHeads: 4, nKvHeads: 3, vocabSize: 5, seqLen: 4 }), 'nKvHeads');
    expectBadArgument(() => makeConfig({ dim: 32, hiddenDim: 8, nLayers: 0, nHeads: 4, nKvHeads: 4, vocabSize: 5, seqLen: 4 }), 'nLayers');
    expectBadArgument(() => makeConfig({ dim: 32, hiddenDim: 8, nLayers: 1, nHeads: 4, nKvHeads: 4, vocabSize: 5, seqLen: 4, ropeBase: 1 }), 'ropeBase');
  });

  it('weightBytesPerToken counts the classifier once and one embedding row', async () => {
    const k = await createKernels({ backend: 'reference' });
    const tied = tinyModel(k);
    const c = tied.config;
    expect(tied.weightBytesPerToken).toBe(4 * (parameterCount(c) - c.vocabSize * c.dim + c.dim + c.vocabSize * c.dim));
    const sep = tinyModel(k, { sharedClassifier: false });
    expect(sep.weightBytesPerToken).toBe(4 * (parameterCount(sep.config) - c.vocabSize * c.dim + c.dim));
    expect(tied.weightBytesPerToken).toBe(sep.weightBytesPerToken);
  });
});
