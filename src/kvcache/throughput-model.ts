/**
 * A roofline throughput model for batched decoding with the A²ATS two-tier cache (§4) versus a
 * baseline that keeps the whole KV cache on the accelerator. Decode is memory-bound, so each
 * step's time is bytes moved / bandwidth per tier (docs/kvcache.md#throughput-model):
 *
 * Baseline, batch B, context n (KV on the accelerator at `fastKvBytes` per element):
 *   kv_seq   = 2·L·H_kv·d·n·e_f
 *   B_max    = ⌊(C_fast − W − R) / kv_seq⌋
 *   t(B)     = (W + B·kv_seq) / BW_fast
 *
 * A²ATS (fast: weights, codebooks, codes, sink + window K/V; slow: full K/V at `slowKvBytes`):
 *   fast_seq = L·H_kv·n·bits/8 + 2·L·H_kv·d·(s + w)·e_f,    books = L·H_kv·K_c·d·e_f
 *   slow_seq = 2·L·H_kv·d·n·e_s
 *   B_max    = min(⌊(C_fast − W − books − R) / fast_seq⌋, ⌊C_slow / slow_seq⌋)
 *   sel      = u·⌊ρ·n⌋ far tokens per KV head (u ∈ [1, g]: the GQA union factor)
 *   t_fast   = (W + books + B·fast_seq) / BW_fast          (codes, LUT, top-K, near attention)
 *   t_slow   = B·2·L·H_kv·d·sel·e_s / BW_slow               (selected K/V rows, read in place)
 *   t_link   = B·L·(2·H·d·4 + H_kv·sel·4 + 2·H_kv·d·e_s) / BW_link   (q and o, indices, new K/V)
 *   t(B)     = max(t_fast, t_slow, t_link) with overlap (micro-batches pipelined across tiers),
 *              t_fast + t_slow + t_link without.
 * Tokens/s = B / t(B). R reserves accelerator memory for activations and workspace.
 */
import { badArgument } from '../core/errors.js';
import { checkInt, checkNumber, describe } from '../core/validate.js';

/** Model shape for the throughput model. */
export interface ThroughputModelShape {
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  /** Bytes of model weights on the accelerator. */
  weightBytes: number;
}

/** Capacities and bandwidths of the two tiers and the link. */
export interface TierSpec {
  /** Accelerator memory (bytes) and bandwidth (bytes/s). */
  fastCapacity: number;
  fastBandwidth: number;
  /** Host memory for the slow tier (bytes) and its bandwidth (bytes/s). */
  slowCapacity: number;
  slowBandwidth: number;
  /** Host↔accelerator link (bytes/s). */
  linkBandwidth: number;
  /** Accelerator memory reserved for activations and workspace (bytes). */
  reserve: number;
}

/** Context, budget, union factor, window/sinks, codebook and element sizes of a decode workload. */
export interface A2atsWorkload {
  /** Context length n. */
  context: number;
  /** Per-head budget ρ and GQA union factor u (realized far tokens = u·⌊ρn⌋; measured ≈ 1.5–2.5). */
  budget: number;
  unionFactor: number;
  window: number;
  sinks: number;
  codebookSize: number;
  /** Bytes per K/V element on the accelerator (2 = fp16) and in the slow tier (4 = fp32, as in the paper). */
  fastKvBytes: number;
  slowKvBytes: number;
  /** Overlap the tiers (pipelined micro-batches) or serialise them. */
  overlap: boolean;
}

/** Batch, step seconds and tokens/s. */
export interface ThroughputPoint {
  batch: number;
  seconds: number;
  tokensPerSecond: number;
}

/** Max batch and tokens/s of the baseline and of A²ATS, and the speedup. */
export interface ThroughputPrediction {
  baseline: { maxBatch: number; perSequenceBytes: number; atMax: ThroughputPoint };
  a2ats: {
    maxBatch: number;
    /** Which limit binds: 'fast' (accelerator memory) or 'slow' (host memory). */
    capacityLimit: 'fast' | 'slow';
    fastPerSequenceBytes: number;
    slowPerSequenceBytes: number;
    codebookBytes: number;
    atMax: ThroughputPoint & { fastSeconds: number; slowSeconds: number; linkSeconds: number; bound: 'fast' | 'slow' | 'link' };
  };
  /** A²ATS tokens/s at its max batch ÷ baseline tokens/s at its max batch. */
  speedup: number;
}

function check(shape: ThroughputModelShape, tiers: TierSpec, w: A2atsWorkload): void {
  for (const [name, v] of [['shape', shape], ['tiers', tiers], ['workload', w]] as const) {
    if (v === null || typeof v !== 'object') throw badArgument(`${name} must be an object, got ${describe(v)}`);
  }
  for (const k of ['nLayers', 'nHeads', 'nKvHeads', 'headDim'] as const) checkInt(`shape.${k}`, shape[k], 1);
  checkNumber('shape.weightBytes', shape.weightBytes, 0);
  for (const k of ['fastCapacity', 'slowCapacity', 'reserve'] as const) checkNumber(`tiers.${k}`, tiers[k], 0);
  for (const k of ['fastBandwidth', 'slowBandwidth', 'linkBandwidth'] as const) checkNumber(`tiers.${k}`, tiers[k], 0, Infinity, { minExclusive: true });
  checkInt('workload.context', w.context, 1);
  checkNumber('workload.budget', w.budget, 0, 1);
  checkNumber('workload.unionFactor', w.unionFactor, 1, shape.nHeads / shape.nKvHeads);
  checkInt('workload.window', w.window, 0); checkInt('workload.sinks', w.sinks, 0);
  checkInt('workload.codebookSize', w.codebookSize, 1);
  checkNumber('workload.fastKvBytes', w.fastKvBytes, 0, 16, { minExclusive: true });
  checkNumber('workload.slowKvBytes', w.slowKvBytes, 0, 16, { minExclusive: true });
  if (typeof w.overlap !== 'boolean') throw badArgument('workload.overlap must be a boolean');
}

/** Baseline step time for batch B. */
export function baselineStep(shape: ThroughputModelShape, tiers: TierSpec, w: A2atsWorkload, batch: number): ThroughputPoint {
  check(shape, tiers, w); checkInt('batch', batch, 1);
  const kv = 2 * shape.nLayers * shape.nKvHeads * shape.headDim * w.context * w.fastKvBytes;
  const seconds = (shape.weightBytes + batch * kv) / tiers.fastBandwidth;
  return { batch, seconds, tokensPerSecond: batch / seconds };
}

/** A²ATS step time for batch B, with its per-tier components. */
export function a2atsStep(shape: ThroughputModelShape, tiers: TierSpec, w: A2atsWorkload, batch: number) {
  check(shape, tiers, w); checkInt('batch', batch, 1);
  const { nLayers: L, nHeads: H, nKvHeads: Hk, headDim: d } = shape;
  const bits = Math.max(1, Math.ceil(Math.log2(w.codebookSize)));
  const fastSeq = L * Hk * w.context * bits / 8 + 2 * L * Hk * d * Math.min(w.context, w.sinks + w.window) * w.fastKvBytes;
  const books = L * Hk * w.codebookSize * d * w.fastKvBytes;
  const far = Math.max(0, w.context - w.sinks - w.window);
  const sel = Math.min(far, w.unionFactor * Math.floor(w.budget * w.context));
  const fastSeconds = (shape.weightBytes + books + batch * fastSeq) / tiers.fastBandwidth;
  const slowSeconds = batch * 2 * L * Hk * d * sel * w.slowKvBytes / tiers.slowBandwidth;
  const linkSeconds = batch * L * (2 * H * d * 4 + Hk * sel * 4 + 2 * Hk * d * w.slowKvBytes) / tiers.linkBandwidth;
  const seconds = w.overlap ? Math.max(fastSeconds, slowSeconds, linkSeconds) : fastSeconds + slowSeconds + linkSeconds;
  const bound: 'fast' | 'slow' | 'link' = fastSeconds >= slowSeconds && fastSeconds >= linkSeconds ? 'fast' : slowSeconds >= linkSeconds ? 'slow' : 'link';
  return { batch, seconds, tokensPerSecond: batch / seconds, fastSeconds, slowSeconds, linkSeconds, bound, fastSeq, books };
}

/**
 * Max batch and tokens/s of both systems, and the speedup.
 *
 * @example
 * const p = predictThroughput(LLAMA3_8B, A100_HOST, { context: 32768, budget: 0.03, unionFactor: 2, window: 64,
 *   sinks: 8, codebookSize: 4096, fastKvBytes: 2, slowKvBytes: 4, overlap: true });
 * p.speedup
 */
export function predictThroughput(shape: ThroughputModelShape, tiers: TierSpec, w: A2atsWorkload): ThroughputPrediction {
  check(shape, tiers, w);
  const { nLayers: L, nKvHeads: Hk, headDim: d } = shape;
  const kvSeq = 2 * L * Hk * d * w.context * w.fastKvBytes;
  const free = tiers.fastCapacity - shape.weightBytes - tiers.reserve;
  const baseMax = Math.max(0, Math.floor(free / kvSeq));
  const probe = a2atsStep(shape, tiers, w, 1);
  const slowSeq = 2 * L * Hk * d * w.context * w.slowKvBytes;
  const fastMax = Math.max(0, Math.floor((free - probe.books) / probe.fastSeq));
  const slowMax = Math.max(0, Math.floor(tiers.slowCapacity / slowSeq));
  const aMax = Math.min(fastMax, slowMax);
  const at = a2atsStep(shape, tiers, w, Math.max(aMax, 0));
  const base = baselineStep(shape, tiers, w, baseMax);
  return {
    baseline: { maxBatch: baseMax, perSequenceBytes: kvSeq, atMax: base },
    a2ats: {
      maxBatch: aMax, capacityLimit: fastMax <= slowMax ? 'fast' : 'slow', fastPerSequenceBytes: probe.fastSeq,
      slowPerSequenceBytes: slowSeq, codebookBytes: probe.books,
      atMax: { batch: at.batch, seconds: at.seconds, tokensPerSecond: at.tokensPerSecond, fastSeconds: at.fastSeconds, slowSeconds: at.slowSeconds, linkSeconds: at.linkSeconds, bound: at.bound },
    },
    speedup: base.tokensPerSecond > 0 ? at.tokensPerSecond / base.tokensPerSecond : Infinity,
  };
}

const GB = 1e9, GiB = 2 ** 30;

/** Llama-3.1-8B (32 layers, 32 query / 8 KV heads, d = 128, 16 GB of bf16 weights). */
export const LLAMA31_8B: ThroughputModelShape = { nLayers: 32, nHeads: 32, nKvHeads: 8, headDim: 128, weightBytes: 16.06 * GB };

/** One A100-80GB (2.0 TB/s) in a host with 1 TiB DRAM (≈ 200 GB/s across sockets) over PCIe 4.0 x16 (≈ 25 GB/s). */
export const A100_HOST: TierSpec = {
  fastCapacity: 80 * GiB, fastBandwidth: 2.0e12, slowCapacity: 1024 * GiB, slowBandwidth: 200 * GB, linkBandwidth: 25 * GB, reserve: 4 * GiB,
};

/** The paper's decode setting: 32K context, ρ = 0.03, w = 64, s = 8, 4096 centroids, fp16 on GPU, fp32 on CPU. */
export const PAPER_WORKLOAD: A2atsWorkload = {
  context: 32768, budget: 0.03, unionFactor: 2, window: 64, sinks: 8, codebookSize: 4096, fastKvBytes: 2, slowKvBytes: 4, overlap: true,
};
