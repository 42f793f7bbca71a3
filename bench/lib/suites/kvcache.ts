/**
 * The kvcache suite (A²ATS §3–4, issue 5): one decode step of one layer at a Llama-3-8B-like
 * shape — 32 query heads, 8 KV heads, d = 128, n = 32768 cached tokens, per-head budget
 * ρ = 0.03 with GQA union, w = 64, s = 8, 1024 centroids — on the wasm backend, against full
 * exact attention over all n tokens in the same run; plus the step's parts and one k-means
 * Lloyd iteration (n = 65536, 1024 centroids, d = 128) in GFLOP/s.
 *
 * Data: keys and values from the synthetic generator (8 KV heads × 4 query heads, so per-head
 * selections overlap as in a real model); the codebook is 1024 keys of another sequence taken
 * as centroids (no k-means: only speed is measured here). K/V, codes and codebooks are resident.
 *
 * Tasks:
 *   decode-step        TwoTierKvCache.attend: rotate, LUT (gemv), gather (lutGather), top-K
 *                      (topKSelect), union, selective attention over far tokens (slow tier),
 *                      near attention (sinks + window), log-sum-exp merge
 *   decode-step-bands5 the same with the distance-band extension (5 lookup tables per head)
 *   full-attention     selectiveAttention over all n tokens, 32 heads (same kernel, all indices)
 *   full-attention-gemv  gemv scores + softmax + gemvT per head over contiguous per-KV-head K/V
 *   lut / gather / topk-select / topk-sorted / selective   the step's parts, 32 heads each
 *   kmeans-lloyd       one Lloyd iteration (argminL2 + mean update)
 * Target: decode-step ≥ 5x faster than the faster full-attention task.
 *
 * @example
 * console.log(formatTable(await kvcacheSuite({ quick: true })));
 */
import { createKernels } from '../../../src/backends/create-kernels.js';
import type { ResidentArray } from '../../../src/kernels/kernels.js';
import { runSuite, sink, type BenchTask, type RatioSpec, type SuiteOptions, type SuiteResult } from '../harness.js';
import { Codebook } from '../../../src/kvcache/codebook.js';
import { TwoTierKvCache, type TwoTierOptions } from '../../../src/kvcache/two-tier/two-tier-cache.js';
import { SyntheticAttention, type SyntheticSequence } from '../../../src/kvcache/synthetic/generator.js';
import { lloydStep } from '../../../src/kvcache/lloyd-step.js';
import { Rng } from '../../../src/core/rng.js';

/** The decode-step benchmark's shape and data (shared with the webgpu suite's A²ATS tasks). */
export interface DecodeStepSetup {
  nH: number; nKv: number; d: number; g: number; rho: number; size: number; window: number; sinks: number;
  n: number;
  seq: SyntheticSequence;
  books: Codebook[];
  /** TwoTierKvCache options of the step (add slowTier/bands as needed). */
  options: TwoTierOptions;
  /** Pre-RoPE queries at the last position (nH*d). */
  qPre: Float32Array;
  /** Token t's pre-RoPE keys and values, nKv*d each (head-major), into kRow and vRow. */
  token(t: number, kRow: Float32Array, vRow: Float32Array): void;
}

/**
 * A Llama-3-8B-like layer: 32 query / 8 KV heads, d = 128, per-head ρ = 0.03 with GQA union,
 * w = 64, s = 8, `size` centroids (1024) taken from another synthetic sequence's keys, and an
 * n-token synthetic sequence to decode over.
 * @example const s = decodeStepSetup(32768); const cache = await TwoTierKvCache.create(k, s.options);
 */
export function decodeStepSetup(n: number, size = 1024): DecodeStepSetup {
  const nH = 32, nKv = 8, d = 128, g = nH / nKv, rho = 0.03, window = 64, sinks = 8;
  const gen = new SyntheticAttention({ nKvHeads: nKv, groupSize: g, headDim: d });
  const seq = gen.sequence(n, 1);
  const cal = gen.sequence(size * 4, 2);
  const books = Array.from({ length: nKv }, (_, h) => {
    const C = new Float32Array(size * d);
    for (let c = 0; c < size; c++) C.set(cal.keysPre.subarray((h * size * 4 + 4 * c) * d, (h * size * 4 + 4 * c + 1) * d), c * d);
    return new Codebook(d, size, C, null);
  });
  const cfg = gen.config;
  const options: TwoTierOptions = {
    nHeads: nH, nKvHeads: nKv, headDim: d, capacity: n, ropeBase: cfg.ropeBase, ropePairing: cfg.ropePairing,
    window, sinks, distance: 2048, budget: { mode: 'perHead', fraction: rho }, codebooks: books,
  };
  const token = (t: number, kRow: Float32Array, vRow: Float32Array) => {
    for (let h = 0; h < nKv; h++) {
      kRow.set(seq.keysPre.subarray((h * n + t) * d, (h * n + t + 1) * d), h * d);
      vRow.set(seq.values.subarray((h * n + t) * d, (h * n + t + 1) * d), h * d);
    }
  };
  return { nH, nKv, d, g, rho, size, window, sinks, n, seq, books, options, qPre: seq.queries(n - 1), token };
}

export async function kvcacheSuite(opts: SuiteOptions = {}): Promise<SuiteResult> {
  const quick = opts.quick ?? false;
  const k = await createKernels({ backend: 'wasm' });
  const W = `wasm-${k.variant}`;
  const setup = decodeStepSetup(quick ? 8192 : 32768);
  const { nH, nKv, d, g, rho, size, window, sinks, n, seq, books } = setup;
  const cfg = { ropeBase: setup.options.ropeBase, ropePairing: setup.options.ropePairing };
  const shape = `${nH}x${nKv}x${d}:n${n}`;
  const name = (task: string, s = shape) => `kvcache/${task}:${W}:${s}`;
  const resident: ResidentArray<Float32Array | Int32Array>[] = [];
  const f32 = (len: number) => { const r = k.allocF32(len); resident.push(r); return r; };
  const i32 = (len: number) => { const r = k.allocI32(len); resident.push(r); return r; };

  const cache = await TwoTierKvCache.create(k, setup.options);
  // The distance-band extension (docs/kvcache.md): same data, 5 lookup tables per head.
  const banded = await TwoTierKvCache.create(k, { ...setup.options, bands: 5 });
  // Full-attention baselines over the same tokens, post-RoPE keys contiguous per KV head.
  const K = f32(nKv * n * d), V = f32(nKv * n * d);
  const kRow = new Float32Array(nKv * d), vRow = new Float32Array(nKv * d);
  for (let t = 0; t < n; t++) {
    setup.token(t, kRow, vRow);
    await cache.append(kRow, vRow);
    await banded.append(kRow, vRow);
    k.rope(kRow, nKv, d, t, cfg.ropeBase, cfg.ropePairing);
    for (let h = 0; h < nKv; h++) {
      K.view().set(kRow.subarray(h * d, (h + 1) * d), (h * n + t) * d);
      V.view().set(vRow.subarray(h * d, (h + 1) * d), (h * n + t) * d);
    }
  }
  const qPre = setup.qPre;
  const qPost = f32(nH * d);
  qPost.view().set(qPre);
  k.rope(qPost.view(), nH, d, n - 1, cfg.ropeBase, cfg.ropePairing);
  const out = new Float32Array(nH * d);
  const all = i32(n);
  all.view().set(Int32Array.from({ length: n }, (_, i) => i));
  const headOut = f32(d), scores = f32(n), probs = f32(n);
  const scale = 1 / Math.sqrt(d);
  const stats = await cache.attend(qPre, out);
  const farMean = stats.farSelected.reduce((a, b) => a + b, 0) / nKv;
  const request = cache.slowRequest();

  // Parts of the step on the fast tier's own resident tables.
  const lut = f32(size), gathered = f32(n), sel = i32(Math.ceil(rho * n));
  const kk = Math.floor(rho * n);
  const centroids = books.map((b) => { const r = f32(size * d); r.view().set(b.centroids); return r; });
  const codes = books.map((b) => { const r = i32(n); b.encode(k, seq.keysPre.subarray(0, n * d), n, r.view()); return r; });
  const qt = new Float32Array(d);

  const kmN = quick ? 16384 : 65536, kmK = 1024;
  const X = f32(kmN * d), C = f32(kmK * d), kc = i32(kmN), kd = f32(kmN);
  const rng = new Rng(3);
  { const x = X.view(); for (let i = 0; i < x.length; i++) x[i] = rng.normal(); C.view().set(x.subarray(0, kmK * d)); }
  const sums = new Float64Array(kmK * d), counts = new Int32Array(kmK);

  const kvBytes = nKv * n * d * 4 * 2;
  // What this implementation reads per step: int32 codes and the codebook once per KV head (the
  // g heads of a group re-read them from cache), the retrieved far rows and the near rows.
  const stepBytes = nKv * (n * 4 + size * d * 4) + stats.slowBytes + nKv * (sinks + window) * 2 * d * 4;
  const tasks: BenchTask[] = [
    { name: name('decode-step', `${shape}:rho${rho}`), bytes: stepBytes, fn: async () => { await cache.attend(qPre, out); }, note: `LUT+gather+top-K+union+selective; ${farMean.toFixed(0)} far tokens/KV head` },
    { name: name('decode-step-bands5', `${shape}:rho${rho}`), fn: async () => { await banded.attend(qPre, out); }, note: 'extension: 5 distance bands (5 tables per head)' },
    {
      name: name('full-attention'), bytes: kvBytes, note: 'selectiveAttention over all n tokens',
      fn: () => {
        for (let h = 0; h < nH; h++) {
          const kv = Math.floor(h / g);
          sink(k.selectiveAttention(qPost.view().subarray(h * d, (h + 1) * d), K.view().subarray(kv * n * d), V.view().subarray(kv * n * d), all.view(), n, n, d, d, scale, headOut.view()));
        }
      },
    },
    {
      name: name('full-attention-gemv'), bytes: kvBytes, note: 'gemv + softmax + gemvT per head',
      fn: () => {
        for (let h = 0; h < nH; h++) {
          const kv = Math.floor(h / g);
          k.gemv(K.view().subarray(kv * n * d, (kv + 1) * n * d), qPost.view().subarray(h * d, (h + 1) * d), scores.view(), n, d);
          const s = scores.view();
          for (let j = 0; j < n; j++) s[j] *= scale;
          k.softmax(scores.view(), probs.view(), n);
          k.gemvT(V.view().subarray(kv * n * d, (kv + 1) * n * d), probs.view(), headOut.view(), n, d);
        }
      },
    },
    {
      name: name('lut', `${nH}x${size}x${d}`), bytes: nH * size * d * 4, flops: nH * size * d * 2,
      fn: () => {
        for (let h = 0; h < nH; h++) {
          qt.set(qPre.subarray(h * d, (h + 1) * d));
          k.gemv(centroids[Math.floor(h / g)].view(), qt, lut.view(), size, d);
        }
      },
    },
    { name: name('gather'), bytes: nH * n * 8, fn: () => { for (let h = 0; h < nH; h++) k.lutGather(lut.view(), size, codes[Math.floor(h / g)].view(), n, gathered.view()); } },
    { name: name('topk-select', `${shape}:k${kk}`), bytes: nH * n * 4, fn: () => { for (let h = 0; h < nH; h++) k.topKSelect(gathered.view(), n, kk, sel.view()); } },
    { name: name('topk-sorted', `${shape}:k${kk}`), bytes: nH * n * 4, fn: () => { for (let h = 0; h < nH; h++) k.topK(gathered.view(), n, kk, sel.view()); }, note: 'kernels.topK (best first), for comparison' },
    {
      name: name('selective', `${shape}:far${farMean.toFixed(0)}`), bytes: stats.slowBytes, note: 'slow tier: attention over the retrieved far tokens',
      fn: async () => { await cache.slow.attend(request); },
    },
    {
      name: name('kmeans-lloyd', `n${kmN}:k${kmK}:d${d}`), flops: 2 * kmN * kmK * d + 3 * kmN * d, bytes: kmN * d * 4,
      fn: () => { sink(lloydStep(k, X, C, kc, kd, kmN, kmK, d, sums, counts).objective); },
    },
  ];
  const ratio = (a: string, b: string) => (t: (x: string) => { medianMs: number }) => t(a).medianMs / t(b).medianMs;
  const step = name('decode-step', `${shape}:rho${rho}`);
  const ratios: RatioSpec[] = [
    {
      name: 'decode step vs full attention (faster of the two)', unit: 'x', target: 5,
      value: (t) => Math.min(t(name('full-attention')).medianMs, t(name('full-attention-gemv')).medianMs) / t(step).medianMs,
    },
    { name: 'decode step vs full attention (selectiveAttention, all indices)', unit: 'x', value: ratio(name('full-attention'), step) },
    { name: 'bytes touched: full / decode step', unit: 'x', value: () => kvBytes / stepBytes, note: `${(kvBytes / 1e6).toFixed(1)} MB vs ${(stepBytes / 1e6).toFixed(2)} MB` },
    { name: 'topKSelect vs sorted topK', unit: 'x', value: ratio(name('topk-sorted', `${shape}:k${kk}`), name('topk-select', `${shape}:k${kk}`)), note: 'the set vs the set in order' },
  ];
  const notes = [
    `wasm ${k.variant}; ${nH} query / ${nKv} KV heads, d = ${d}, n = ${n}, per-head ρ = ${rho} (k = ${kk}) with GQA union, w = ${window}, s = ${sinks}, ${size} centroids`,
    `realized: ${farMean.toFixed(0)} far tokens per KV head (union of ${g} heads), ${(stats.realizedBudget * 100).toFixed(2)}% of the context`,
    `bytes/step: decode ${(stepBytes / 1e6).toFixed(2)} MB (codes as int32 ${(nKv * n * 4 / 1e6).toFixed(2)} MB + codebooks ${(nKv * size * d * 4 / 1e6).toFixed(2)} MB + retrieved and near K/V) vs full ${(kvBytes / 1e6).toFixed(1)} MB; packed ${Math.log2(size)}-bit codes would cut the code traffic ${(32 / Math.log2(size)).toFixed(1)}x`,
  ];
  if (quick) notes.push(`QUICK: n = ${n}, k-means n = ${kmN}`);
  try {
    return await runSuite('kvcache', tasks, { ...opts, quick, ratios, notes });
  } finally {
    await cache.dispose();
    await banded.dispose();
    for (const r of resident) r.dispose();
  }
}
