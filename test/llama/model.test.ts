import { describe, expect, it } from 'vitest';
import { describeEachBackend } from '../_harness/each-backend.js';
import { expectBadArgument, expectBadArgumentAsync } from '../_harness/bad-input.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { ACTIVATION_KINDS, type ActivationKind, type LayerStrategies } from '../../src/llama/hooks.js';
import { ExactAttention } from '../../src/llama/exact-attention.js';
import { makeConfig, parameterCount } from '../../src/llama/config.js';
import { maxAbsDiff, modelLogits, oracleLogits, tinyModel } from './helpers.js';

const TOKENS = [1, 7, 33, 2, 49, 0, 12, 12, 5, 40];

describeEachBackend('llama model forward', (kernels) => {
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

  it('explicit default strategies (exact attention, gemv projections, dense FFN via kernels) give identical logits', async () => {
    const model = tinyModel(kernels);
    const want = await modelLogits(model, TOKENS);
    const c = model.config;
    const att = new ExactAttention(c, kernels);
    const s: LayerStrategies = {
      attention: att,
      projections: Object.fromEntries((['q', 'k', 'v', 'o'] as const).map((n) => [n, {
        name: 'gemv',
        project: ({ kernels: k, weights, x, out, name }) => {
          const W = { q: weights.wq, k: weights.wk, v: weights.wv, o: weights.wo }[name];
          k.gemv(W, x, out, out.length, c.dim);
        },
      }])),
      ffn: {
        name: 'dense-js',
        forward: ({ weights, x, out, kernels: k }) => {
          const a = new Float32Array(c.hiddenDim); const b = new Float32Array(c.hiddenDim);
          k.gemv(weights.w1, x, a, c.hiddenDim, c.dim); k.gemv(weights.w3, x, b, c.hiddenDim, c.dim);
          for (let i = 0; i < a.length; i++) a[i] = (a[i] / (1 + Math.exp(-a[i]))) * b[i];
          k.gemv(weights.w2, a, out, c.dim, c.hiddenDim);
        },
      },
    };
    for (let l = 0; l < c.nLayers; l++) model.setStrategies(l, s);
    const got = await modelLogits(model, TOKENS);
    for (let p = 0; p < TOKENS.length; p++) expect(maxAbsDiff(got[p], want[p])).toBeLessThan(1e-5);
    for (let l = 0; l < c.nLayers; l++) model.setStrategies(l, undefined);
    const back = await modelLogits(model, TOKENS);
    expect(maxAbsDiff(back[9], want[9])).toBe(0);
    att.dispose();
    model.dispose();
  });

  it('a strategy changes only its layer: zeroing one layer FFN changes the logits', async () => {
    const model = tinyModel(kernels);
    const want = await modelLogits(model, TOKENS.slice(0, 3));
    let calls = 0;
    model.setStrategies(1, { ffn: { name: 'zero', forward: ({ out, layer }) => { calls++; expect(layer).toBe(1); out.fill(0); } } });
    const got = await modelLogits(model, TOKENS.slice(0, 3));
    expect(calls).toBe(3);
    expect(maxAbsDiff(got[2], want[2])).toBeGreaterThan(1e-3);
    expect(model.getStrategies(1)?.ffn?.name).toBe('zero');
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

  it('keeps pre-RoPE keys only once asked (an attention strategy or keepPreRopeKeys): then exactly the captured ones', async () => {
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
    const other = tinyModel(kernels);
    const exact = new ExactAttention(other.config, kernels);
    other.setStrategies(0, { attention: exact });
    expect(other.residentBytes - before).toBe(4 * kvFloats);
    other.dispose();
    exact.dispose();
  });

  it('the attention hook sees q before and after RoPE and the live cache', async () => {
    const model = tinyModel(kernels);
    const c = model.config;
    const exact = new ExactAttention(c, kernels);
    const lengths: number[] = [];
    model.setStrategies(0, {
      attention: {
        name: 'spy',
        attend: (ctx) => {
          lengths.push(ctx.cache.length);
          expect(ctx.cache.length).toBe(ctx.pos + 1);
          const q = ctx.qPreRope.slice();
          ctx.kernels.rope(q, c.nHeads, c.headDim, ctx.pos, c.ropeBase, c.ropePairing);
          expect(maxAbsDiff(q, ctx.q)).toBeLessThan(1e-6);
          exact.attend(ctx);
        },
      },
    });
    const dense = tinyModel(kernels);
    const want = await modelLogits(dense, TOKENS.slice(0, 4));
    dense.dispose();
    const got = await modelLogits(model, TOKENS.slice(0, 4));
    expect(lengths).toEqual([1, 2, 3, 4]);
    expect(maxAbsDiff(got[3], want[3])).toBe(0);
    exact.dispose();
    model.dispose();
  });

  it('survives hooks that allocate resident memory mid-forward (views are refreshed)', async () => {
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
    expectBadArgument(() => model.setStrategies(0, { ffn: {} as never }), 'strategies.ffn');
    expectBadArgument(() => model.setStrategies(0, { projections: { x: { name: 'x', project() {} } } as never }), 'strategies.projections.x');
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
