/**
 * Methods of live instances of the exported classes, as fuzz targets (FUZZ_TARGETS, read by
 * call-child.ts): tokenizer, model, KV store, retrieval methods and selection, the two-tier cache,
 * calibration, codebooks, activation statistics, pools, RNG and sampler, a knot fit and its
 * scorers, the fast and slow tiers (sync and async kernels), and the components the model hosts
 * (KV caches, FFNs, projections; bound through model.use, and unbound). Each method
 * keeps its declared parameter count, so it gets as many hostile arguments as it declares.
 */
import { readFileSync } from 'node:fs';
import { createKernels } from '../../src/backends/create-kernels.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { KvStore } from '../../src/kvcache/kv-store.js';
import { KvCalibration } from '../../src/kvcache/calibration.js';
import { SyntheticAttention } from '../../src/kvcache/synthetic/generator.js';
import { fitKnots } from '../../src/knots/fit-knots.js';
import { MCYCLE_ACCEL, MCYCLE_TIMES } from '../../src/knots/data/mcycle.js';
import { Rng } from '../../src/core/rng.js';
import { Sampler } from '../../src/llama/sampler.js';
import { QuantileSketch } from '../../src/activations/quantile-sketch.js';
import { SparsityCounters } from '../../src/activations/sparsity-counters.js';
import { ActivationCollector } from '../../src/activations/activation-collector.js';
import { QueryMoment } from '../../src/kvcache/query-metric.js';
import { Codebook } from '../../src/kvcache/codebook.js';
import { Quest } from '../../src/kvcache/methods/quest.js';
import { OracleTopK } from '../../src/kvcache/methods/oracle.js';
import { ExactReference } from '../../src/kvcache/metrics.js';
import { PqCache } from '../../src/kvcache/methods/pqcache.js';
import { WRopeExact } from '../../src/kvcache/methods/wrope-exact.js';
import { Retrieval } from '../../src/kvcache/retrieval.js';
import { FarSelector } from '../../src/kvcache/select-far.js';
import { ResidentCodebook } from '../../src/kvcache/codebook.js';
import { ExactPool, SketchPool } from '../../src/activations/magnitude-pool.js';
import { WeightLayout } from '../../src/llama/weight-layout.js';
import { makeConfig } from '../../src/llama/config.js';
import { CodebookSet } from '../../src/kvcache/codebook-set.js';
import { VqRetrieval } from '../../src/kvcache/methods/vq-retrieval.js';
import { InThreadSlowTier } from '../../src/kvcache/two-tier/slow-tier.js';
import { TwoTierKvCache } from '../../src/kvcache/two-tier/two-tier-cache.js';
import { DeviceSlowTier } from '../../src/kvcache/two-tier/device-slow-tier.js';
import { GatherSlowTier } from '../../src/kvcache/two-tier/gather-slow-tier.js';
import { FastTier } from '../../src/kvcache/two-tier/fast-tier.js';
import { RetrievalKvCache } from '../../src/kvcache/retrieval-kv-cache.js';
import { SplineDesign } from '../../src/knots/spline-design.js';
import { GaussianMarginal } from '../../src/knots/gaussian-marginal.js';
import { GlmEbic } from '../../src/knots/glm-ebic.js';
import { deferredKernels } from '../_harness/deferred-kernels.js';
import { letterTokenizer } from '../_harness/letter-tokenizer.js';
import { DenseKvCache } from '../../src/llama/dense-kv-cache.js';
import { DenseFfn } from '../../src/llama/dense-ffn.js';
import { TwoTierKvCacheComponent } from '../../src/kvcache/two-tier/two-tier-kv-cache.js';
import { CatsFfn, ChessFfn, GatedFfn } from '../../src/activations/gated-ffn.js';
import { TealFfn } from '../../src/activations/teal-ffn.js';
import { SparseProjection } from '../../src/activations/sparse-projection.js';
import { catsThresholds } from '../../src/activations/cats-thresholds.js';
import { chessThresholds } from '../../src/activations/chess-thresholds.js';
import { tealThresholds } from '../../src/activations/teal-thresholds.js';

const kernels = await createKernels({ backend: 'wasm' });
const asyncKernels = deferredKernels(kernels);
const WROPE = { window: 4, distance: 64, base: 10000, pairing: 'half' } as const;
const BOOK = () => new Codebook(8, 4, Float32Array.from({ length: 32 }, (_, i) => Math.cos(i)), null);
const CONFIG = makeConfig({ dim: 16, hiddenDim: 32, nLayers: 1, nHeads: 2, nKvHeads: 1, vocabSize: 40, seqLen: 32 });
/** A one-covariate cubic spline design on 40 points, y a noisy sine of it, counts from it. */
const knotX = Float64Array.from({ length: 40 }, (_, i) => i / 39);
const knotY = knotX.map((v) => Math.sin(6 * v) + 0.1 * Math.cos(37 * v));
const design = new SplineDesign(kernels, [knotX], [3]);
const SHAPE = { dim: 16, hiddenDim: 32, nLayers: 1, nHeads: 2, nKvHeads: 1, vocabSize: 40, seqLen: 32 };
const PLAIN_SET = () => new CodebookSet({ nLayers: 1, nKvHeads: 1, headDim: 8, size: 4, kind: 'plain', wrope: WROPE, calibrationTokens: 4, calibrationQueries: 0 }, [BOOK()]);
/** Thresholds of every method, calibrated on a small random model (the components' shape). */
const th = await (async () => {
  const m = randomLlama(SHAPE, { kernels, seed: 2 });
  const c = new ActivationCollector({ nLayers: 1, dim: 16, hiddenDim: 32 });
  m.setCapture(c.capture);
  for (let i = 0; i < 8; i++) await m.forward((i * 7) % 40, i);
  const stats = c.finish();
  m.dispose();
  return { cats: catsThresholds(stats, 0.5), chess: chessThresholds(stats, 0.5), teal: tealThresholds(stats, 0.5) };
})();
/** Components bound the way the model binds them (model.use): each on its own small random model. */
async function hosted<T extends object>(components: { kv?: T; ffn?: T; projections?: T }): Promise<T> {
  const m = randomLlama(SHAPE, { kernels, seed: 5 });
  await m.use(components as never);
  return (components.kv ?? components.ffn ?? components.projections)!;
}
/** Each instance with the source file of its class (to leave out its TypeScript-private methods). */
const instances: Record<string, [object, string]> = {
  Tokenizer: [letterTokenizer(40), 'llama/tokenizer.ts'],
  LlamaModel: [randomLlama({ dim: 16, hiddenDim: 32, nLayers: 1, nHeads: 2, nKvHeads: 1, vocabSize: 40, seqLen: 32 }, { kernels, seed: 1 }), 'llama/model.ts'],
  KvStore: [new KvStore(kernels, { nKvHeads: 2, headDim: 8, capacity: 64, ropeBase: 10000, ropePairing: 'half' }), 'kvcache/kv-store.ts'],
  KvCalibration: [new KvCalibration({ nLayers: 1, nKvHeads: 1, nHeads: 2, headDim: 8, wrope: { window: 4, distance: 64, base: 10000, pairing: 'half' } }), 'kvcache/calibration.ts'],
  SyntheticAttention: [new SyntheticAttention({ headDim: 8, nKvHeads: 1, groupSize: 2 }), 'kvcache/synthetic/generator.ts'],
  Rng: [new Rng(3), 'core/rng.ts'],
  Sampler: [new Sampler({ temperature: 0.8, topP: 0.9, seed: 1 }), 'llama/sampler.ts'],
  QuantileSketch: [new QuantileSketch(), 'activations/quantile-sketch.ts'],
  SparsityCounters: [new SparsityCounters(2, 16, true), 'activations/sparsity-counters.ts'],
  ActivationCollector: [new ActivationCollector({ nLayers: 1, dim: 8, hiddenDim: 16 }), 'activations/activation-collector.ts'],
  QueryMoment: [new QueryMoment(8), 'kvcache/query-metric.ts'],
  Codebook: [new Codebook(8, 4, Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), null), 'kvcache/codebook.ts'],
  Quest: [new Quest(8, 2, 1, 4), 'kvcache/methods/quest.ts'],
  OracleTopK: [new OracleTopK(kernels, 8, 2), 'kvcache/methods/oracle.ts'],
  ExactReference: [new ExactReference(kernels, 8), 'kvcache/metrics.ts'],
  PqCache: [new PqCache(kernels, 8, 2, 1), 'kvcache/methods/pqcache.ts'],
  WRopeExact: [new WRopeExact(kernels, 8, 2, { window: 4, distance: 64, base: 10000, pairing: 'half' }), 'kvcache/methods/wrope-exact.ts'],
  Retrieval: [new Retrieval(kernels, new Quest(8, 2, 1, 4), { window: 4, sinks: 1, budget: { mode: 'total', fraction: 0.5 }, groupSize: 2, headDim: 8 }), 'kvcache/retrieval.ts'],
  FarSelector: [new FarSelector(kernels), 'kvcache/select-far.ts'],
  ResidentCodebook: [new ResidentCodebook(new Codebook(8, 4, Float32Array.from({ length: 32 }, (_, i) => Math.cos(i)), null), kernels), 'kvcache/codebook.ts'],
  ExactPool: [new ExactPool(), 'activations/magnitude-pool.ts'],
  SketchPool: [new SketchPool(), 'activations/magnitude-pool.ts'],
  WeightLayout: [new WeightLayout(makeConfig({ dim: 16, hiddenDim: 32, nLayers: 1, nHeads: 2, nKvHeads: 1, vocabSize: 40, seqLen: 32 })), 'llama/weight-layout.ts'],
  CodebookSet: [new CodebookSet({ nLayers: 1, nKvHeads: 1, headDim: 8, size: 4, kind: 'plain', wrope: { window: 4, distance: 64, base: 10000, pairing: 'half' }, calibrationTokens: 4, calibrationQueries: 0 },
    [new Codebook(8, 4, Float32Array.from({ length: 32 }, (_, i) => Math.cos(i)), null)]), 'kvcache/codebook-set.ts'],
  VqRetrieval: [new VqRetrieval(kernels, [new Codebook(8, 4, Float32Array.from({ length: 32 }, (_, i) => Math.cos(i)), null)],
    { wrope: { window: 4, distance: 64, base: 10000, pairing: 'half' }, groupSize: 2 }), 'kvcache/methods/vq-retrieval.ts'],
  InThreadSlowTier: [new InThreadSlowTier(kernels, { nHeads: 2, nKvHeads: 1, headDim: 8, capacity: 64 }), 'kvcache/two-tier/slow-tier.ts'],
  TwoTierKvCache: [await TwoTierKvCache.create(kernels, { nHeads: 2, nKvHeads: 1, headDim: 8, capacity: 64, ropeBase: 10000, ropePairing: 'half',
    window: 4, sinks: 1, codebooks: [new Codebook(8, 4, Float32Array.from({ length: 32 }, (_, i) => Math.cos(i)), null)] }), 'kvcache/two-tier/two-tier-cache.ts'],
  ActivationStatistics: [(() => {
    const c = new ActivationCollector({ nLayers: 1, dim: 8, hiddenDim: 16 });
    c.observe(0, 'ffnInput', Float32Array.from({ length: 8 }, (_, i) => i - 3.5));
    c.observe(0, 'aGate', Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)));
    c.observe(0, 'aUp', Float32Array.from({ length: 16 }, (_, i) => Math.cos(i)));
    c.observe(0, 'downInput', Float32Array.from({ length: 16 }, (_, i) => i / 16));
    return c.finish();
  })(), 'activations/activation-statistics.ts'],
  DeviceSlowTier: [new DeviceSlowTier(asyncKernels, { nHeads: 2, nKvHeads: 1, headDim: 8, capacity: 64 }), 'kvcache/two-tier/device-slow-tier.ts'],
  GatherSlowTier: [new GatherSlowTier(asyncKernels, { nHeads: 2, nKvHeads: 1, headDim: 8, capacity: 64 }), 'kvcache/two-tier/gather-slow-tier.ts'],
  FastTier: [new FastTier(kernels, { nHeads: 2, nKvHeads: 1, headDim: 8, sinks: 1, wrope: WROPE, budget: { mode: 'total', fraction: 0.5 }, codebooks: [BOOK()] }),
    'kvcache/two-tier/fast-tier.ts'],
  RetrievalKvCache: [(() => {
    const kv = new RetrievalKvCache({ method: 'quest', window: 4, sinks: 1, budget: { mode: 'total', fraction: 0.5 }, reserveBytes: 0 });
    kv.bind(CONFIG, asyncKernels);
    return kv;
  })(), 'kvcache/retrieval-kv-cache.ts'],
  GaussianMarginal: [new GaussianMarginal(design, knotY), 'knots/gaussian-marginal.ts'],
  GlmEbic: [new GlmEbic(design, knotY.map((v) => Math.round(3 + 2 * v)), 'poisson'), 'knots/glm-ebic.ts'],
  DenseKvCache: [await hosted({ kv: new DenseKvCache({ keepPreRope: true }) }), 'llama/dense-kv-cache.ts'],
  DenseKvCacheUnbound: [new DenseKvCache(), 'llama/dense-kv-cache.ts'],
  DenseFfn: [await hosted({ ffn: new DenseFfn() }), 'llama/dense-ffn.ts'],
  DenseFfnUnbound: [new DenseFfn(), 'llama/dense-ffn.ts'],
  RetrievalKvCacheUnbound: [new RetrievalKvCache({ method: 'quest', window: 4, sinks: 1, budget: { mode: 'total', fraction: 0.5 } }), 'kvcache/retrieval-kv-cache.ts'],
  TwoTierKvCacheComponent: [await hosted({ kv: new TwoTierKvCacheComponent({ codebooks: PLAIN_SET(), window: 4, sinks: 1 }) }), 'kvcache/two-tier/two-tier-kv-cache.ts'],
  TwoTierKvCacheComponentUnbound: [new TwoTierKvCacheComponent({ codebooks: PLAIN_SET() }), 'kvcache/two-tier/two-tier-kv-cache.ts'],
  GatedFfn: [await hosted({ ffn: new GatedFfn(th.chess) }), 'activations/gated-ffn.ts'],
  GatedFfnUnbound: [new GatedFfn(th.cats), 'activations/gated-ffn.ts'],
  ChessFfn: [await hosted({ ffn: new ChessFfn(th.chess) }), 'activations/gated-ffn.ts'],
  CatsFfn: [await hosted({ ffn: new CatsFfn(th.cats) }), 'activations/gated-ffn.ts'],
  CatsFfnUnbound: [new CatsFfn(th.cats), 'activations/gated-ffn.ts'],
  TealFfn: [await hosted({ ffn: new TealFfn(th.teal) }), 'activations/teal-ffn.ts'],
  TealFfnUnbound: [new TealFfn(th.teal), 'activations/teal-ffn.ts'],
  SparseProjection: [await hosted({ projections: new SparseProjection(th.teal) }), 'activations/sparse-projection.ts'],
  SparseProjectionUnbound: [new SparseProjection(th.teal), 'activations/sparse-projection.ts'],
  KnotFit: [await fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, { iterations: 200, burnIn: 100, chains: 1, draws: 20, kernels }), 'knots/fit-knots.ts'],
};

/** Whether the class source declares `name` private (TypeScript's private is not visible at run time). */
function isPrivate(source: string, name: string): boolean {
  return new RegExp(`\\b(private|protected)\\s+(static\\s+)?(async\\s+)?\\*?${name}\\s*[(<]`).test(source);
}

function isGenerator(v: unknown): v is Generator<unknown, unknown, unknown> {
  return typeof v === 'object' && v !== null && typeof (v as Generator).next === 'function' && typeof (v as Generator)[Symbol.iterator] === 'function';
}

/** Run a generator to its end (its pauses are skipped) and return what it returns. */
function drain(gen: Generator<unknown, unknown, unknown>): unknown {
  for (let r = gen.next(); ; r = gen.next()) if (r.done) return r.value;
}

/** Methods that end the instance's life (the rest of the run needs it) or take no arguments. */
const SKIP = new Set(['constructor', 'dispose', 'free', 'close']);

/** Method names of the instance's class and its base classes (ChessFfn's methods are GatedFfn's). */
function methodNames(inst: object): Set<string> {
  const names = new Set<string>();
  for (let p = Object.getPrototypeOf(inst); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) names.add(n);
  }
  return names;
}

export const FUZZ_TARGETS: Record<string, (...args: unknown[]) => unknown> = {};
for (const [cls, [inst, file]] of Object.entries(instances)) {
  const source = readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');
  for (const name of methodNames(inst)) {
    const m = (inst as Record<string, unknown>)[name];
    if (SKIP.has(name) || typeof m !== 'function' || m.length === 0 || isPrivate(source, name)) continue;
    // A generator method (a *Steps form) checks its arguments when driven: drive it.
    const call = (...args: unknown[]) => {
      const r = (m as (...a: unknown[]) => unknown).apply(inst, args);
      return isGenerator(r) ? drain(r) : r;
    };
    FUZZ_TARGETS[`${cls}.${name}`] = Object.defineProperty(call, 'length', { value: m.length });
  }
}
