/**
 * Retrieval quality metrics (spec §6), per decode step and query head, against exact attention
 * over all tokens with exact RoPE:
 *
 *   recall      Σ_{j∈S} p_j                         (p = exact softmax over all n tokens)
 *   relError    ‖o_S − o‖ / ‖o‖                     (o_S renormalised over S)
 *   overlap     |S_far ∩ O| / |O|,  O = the |S_far| far tokens with the highest exact logits
 *   scoreMse    E[(s − ŝ)²] / Var(s) over far tokens (s = q·k/√d exact, ŝ = the method's estimate)
 *   scoreMseTop the same over the true top-|S_far| far tokens
 *   scoreMseCentered  Var(s − ŝ) / Var(s): the same without the mean error — a constant shift of
 *               all estimates (which WRoPE's fixed rotation can cause) changes neither the ranking
 *               nor the softmax, so this is the part that matters for selection
 */
import { badArgument } from '../core/errors.js';
import { checkIndices, checkInt, describe } from '../core/validate.js';
import { checkKernels } from '../kernels/check-kernels.js';
import type { CpuKernels, ResidentArray } from '../kernels/kernels.js';
import type { HeadKeys } from './kv-store.js';
import type { Selection } from './retrieval.js';
import { disposeSymbol } from '../core/dispose.js';

/** Exact logits, probabilities and output of one query head over all tokens. */
export interface ExactHeadAttention {
  /** n exact logits q·k/√d. */
  logits: Float32Array;
  /** n probabilities (float64). */
  probs: Float64Array;
  /** d exact output. */
  out: Float64Array;
  /** Memo: far offsets sorted by exact logit (filled by stepMetrics for one far range). */
  farOrder?: { start: number; m: number; order: Int32Array };
}

/** Exact attention of one query head over tokens [0, n) (kernels.gemv + float64 softmax). */
export class ExactReference {
  private s: ResidentArray<Float32Array>;
  constructor(private readonly kernels: CpuKernels, private readonly d: number) {
    checkKernels('kernels', kernels);
    this.s = kernels.allocF32(1024);
  }

  compute(keys: HeadKeys, qPost: Float32Array, n: number): ExactHeadAttention {
    const d = this.d;
    if (this.s.length < n) { this.s.dispose(); this.s = this.kernels.allocF32(Math.max(n, 2 * this.s.length)); }
    this.kernels.gemv(keys.keysPost, qPost, this.s.view(), n, d);
    const scale = 1 / Math.sqrt(d);
    const logits = new Float32Array(n);
    const sv = this.s.view();
    let max = -Infinity;
    for (let j = 0; j < n; j++) { logits[j] = sv[j] * scale; if (logits[j] > max) max = logits[j]; }
    const probs = new Float64Array(n);
    let z = 0;
    for (let j = 0; j < n; j++) { probs[j] = Math.exp(logits[j] - max); z += probs[j]; }
    const out = new Float64Array(d);
    const v = keys.values;
    for (let j = 0; j < n; j++) {
      const p = (probs[j] /= z);
      if (p < 1e-12) continue;
      const o = j * d;
      for (let t = 0; t < d; t++) out[t] += p * v[o + t];
    }
    return { logits, probs, out };
  }

  dispose(): void {
    this.s.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}

/** The metrics of one query head at one step (see the file header). */
export interface StepMetrics {
  recall: number;
  relError: number;
  overlap: number;
  /** NaN when the method gives no score estimates. */
  scoreMse: number;
  scoreMseTop: number;
  scoreMseCentered: number;
  /**
   * The sums behind the three ratios (for pooling over steps): Σ(s − ŝ)², Σ(s − ŝ − mean err)²,
   * Σ(s − s̄)² over the m far tokens, and Σ(s − ŝ)² with its token count over the true top-K.
   */
  sums: { err: number; errCentered: number; variance: number; m: number; topErr: number; top: number } | null;
  /** |S| and |S_far|. */
  selected: number;
  farSelected: number;
}

/**
 * Metrics of one query head's selection.
 * @param approxOut - d: the output of attention restricted to S (e.g. from attendSelected).
 * @param approxFar - m estimated far logits of this head (or null).
 */
export function stepMetrics(exact: ExactHeadAttention, sel: Selection, approxOut: Float32Array,
  approxFar: Float32Array | null): StepMetrics {
  if (exact === null || typeof exact !== 'object' || !(exact.probs instanceof Float64Array)) {
    throw badArgument(`exact must be an ExactHeadAttention (from ExactReference), got ${describe(exact)}`);
  }
  if (sel === null || typeof sel !== 'object' || !(sel.indices instanceof Int32Array) || sel.split === null || typeof sel.split !== 'object') {
    throw badArgument(`sel must be a Selection (from Retrieval.select), got ${describe(sel)}`);
  }
  checkIndices('sel.indices', sel.indices, checkInt('sel.count', sel.count, 0, sel.indices.length), exact.probs.length);
  const { farStart, farEnd } = sel.split;
  const m = farEnd - farStart;
  let recall = 0;
  for (let c = 0; c < sel.count; c++) recall += exact.probs[sel.indices[c]];
  let num = 0, den = 0;
  for (let t = 0; t < exact.out.length; t++) {
    num += (approxOut[t] - exact.out[t]) ** 2;
    den += exact.out[t] ** 2;
  }
  const relError = Math.sqrt(num / (den || 1));
  // Oracle set of the same far size, by exact logit (ties to the lower index).
  const K = sel.farCount;
  let overlap = 1;
  let top: Int32Array | null = null;
  if (m > 0 && K > 0 && K < m) {
    top = topIndices(exact, farStart, m, K);
    const inOracle = new Uint8Array(m);
    for (let c = 0; c < K; c++) inOracle[top[c]] = 1;
    let hit = 0;
    for (let c = 0; c < sel.count; c++) {
      const j = sel.indices[c] - farStart;
      if (j >= 0 && j < m && inOracle[j]) hit++;
    }
    overlap = hit / K;
  }
  let scoreMse = NaN, scoreMseTop = NaN, scoreMseCentered = NaN;
  let sums: StepMetrics['sums'] = null;
  if (approxFar !== null && m > 1) {
    let mean = 0, meanErr = 0;
    for (let j = 0; j < m; j++) { mean += exact.logits[farStart + j]; meanErr += exact.logits[farStart + j] - approxFar[j]; }
    mean /= m;
    meanErr /= m;
    let v = 0, e = 0, ec = 0;
    for (let j = 0; j < m; j++) {
      const s = exact.logits[farStart + j];
      v += (s - mean) ** 2;
      e += (s - approxFar[j]) ** 2;
      ec += (s - approxFar[j] - meanErr) ** 2;
    }
    scoreMse = v > 0 ? e / v : NaN;
    scoreMseCentered = v > 0 ? ec / v : NaN;
    const T = top ?? topIndices(exact, farStart, m, Math.max(1, Math.min(m, K || 1)));
    let et = 0;
    for (let c = 0; c < T.length; c++) et += (exact.logits[farStart + T[c]] - approxFar[T[c]]) ** 2;
    scoreMseTop = v > 0 ? (et / T.length) / (v / m) : NaN;
    sums = { err: e, errCentered: ec, variance: v, m, topErr: et, top: T.length };
  }
  return { recall, relError, overlap, scoreMse, scoreMseTop, scoreMseCentered, sums, selected: sel.count, farSelected: K };
}

/** Offsets (0..m) of the K largest far logits, ties to the lower index (sorted once per range). */
function topIndices(exact: ExactHeadAttention, from: number, m: number, K: number): Int32Array {
  const memo = exact.farOrder;
  if (memo === undefined || memo.start !== from || memo.m !== m) {
    const x = exact.logits;
    const order = new Int32Array(m);
    for (let j = 0; j < m; j++) order[j] = j;
    order.sort((a, b) => (x[from + b] - x[from + a]) || (a - b));
    exact.farOrder = { start: from, m, order };
  }
  return (exact.farOrder as { order: Int32Array }).order.subarray(0, K);
}

/** Mean, 5th and 95th percentile of a sample (NaNs ignored). */
export function summarize(xs: number[]): { mean: number; p5: number; p95: number; n: number } {
  if (!Array.isArray(xs) || xs.some((x) => typeof x !== 'number')) throw badArgument(`xs must be an array of numbers, got ${describe(xs)}`);
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return { mean: NaN, p5: NaN, p95: NaN, n: 0 };
  const q = (p: number) => v[Math.min(v.length - 1, Math.max(0, Math.round(p * (v.length - 1))))];
  return { mean: v.reduce((a, b) => a + b, 0) / v.length, p5: q(0.05), p95: q(0.95), n: v.length };
}
