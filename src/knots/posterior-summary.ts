/**
 * Summaries of recorded chains (He, Yang & Kang, arXiv 2405.13353, §4): posterior of the number
 * of knots per coordinate, the density of knot locations, and — for a fixed number of knots — the
 * posterior mean and quantiles of the sorted knots (the paper's knot estimate).
 */
import { quantiles } from '../core/stats/quantile.js';
import { checkInt } from '../core/validate.js';
import { checkChainRecords } from './check-chain.js';
import type { ChainRecord } from './rjmcmc-chain.js';

/** Bins of a knot-location histogram (far more than any plot resolves). */
const MAX_BINS = 1e6;

/** P(k_j = k) for k = 0..max recorded, pooled over chains. */
export function kPosterior(records: ChainRecord[], j: number): Float64Array {
  checkChainRecords('records', records, j);
  let maxK = 0, total = 0;
  for (const r of records) for (const k of r.k[j]) maxK = Math.max(maxK, k);
  const p = new Float64Array(maxK + 1);
  for (const r of records) for (const k of r.k[j]) { p[k]++; total++; }
  return p.map((v) => v / total);
}

/** The most probable k (lowest on ties). */
export function kMode(records: ChainRecord[], j: number): number {
  const p = kPosterior(records, j);
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
  return best;
}

/**
 * Density of knot locations on the scaled axis [0, 1]: a histogram with `bins` bins of all knots
 * of all recorded iterations, normalised so that it integrates to the posterior mean of k.
 * Returns bin centres and heights.
 */
export function knotDensity(records: ChainRecord[], j: number, candidates: number, bins = 100): { x: Float64Array; density: Float64Array } {
  checkInt('candidates', candidates, 1, 1e7);
  checkInt('bins', bins, 1, MAX_BINS);
  checkChainRecords('records', records, j, candidates);
  const h = new Float64Array(bins);
  let iters = 0;
  for (const r of records) {
    iters += r.iterations;
    for (const idx of r.knotIndex[j]) {
      const v = (idx + 1) / (candidates + 1);
      h[Math.min(bins - 1, Math.floor(v * bins))]++;
    }
  }
  const x = Float64Array.from({ length: bins }, (_, b) => (b + 0.5) / bins);
  return { x, density: h.map((v) => (v * bins) / Math.max(iters, 1)) };
}

/** Quantile levels reported for sorted knots (the paper's table). */
export const KNOT_QUANTILE_LEVELS = [0.025, 0.125, 0.25, 0.5, 0.75, 0.875, 0.975] as const;

export interface SortedKnotSummary {
  /** The number of knots summarised (the fixed k, or the modal k). */
  k: number;
  /** Iterations that had this k. */
  iterations: number;
  /** Posterior mean of the r-th smallest knot, r = 0..k−1 (scaled axis). */
  mean: Float64Array;
  /** quantiles[l][r]: level KNOT_QUANTILE_LEVELS[l] of the r-th smallest knot. */
  quantiles: Float64Array[];
}

/**
 * Posterior mean and quantiles of the sorted knots over the iterations with k_j = k
 * (in fixed-k mode: all of them). Knots are on the scaled axis.
 */
export function sortedKnotSummary(records: ChainRecord[], j: number, candidates: number, k: number): SortedKnotSummary {
  checkInt('candidates', candidates, 1, 1e7);
  checkInt('k', k, 0, candidates);
  checkChainRecords('records', records, j, candidates);
  const cols: number[][] = Array.from({ length: k }, () => []);
  for (const r of records) {
    for (let t = 0; t < r.iterations; t++) {
      if (r.k[j][t] !== k) continue;
      const o = r.knotOffsets[j][t];
      for (let a = 0; a < k; a++) cols[a].push((r.knotIndex[j][o + a] + 1) / (candidates + 1));
    }
  }
  const iterations = cols[0]?.length ?? 0;
  const mean = Float64Array.from(cols, (c) => c.reduce((s, v) => s + v, 0) / Math.max(c.length, 1));
  const qs = KNOT_QUANTILE_LEVELS.map(() => new Float64Array(k));
  if (iterations > 0) {
    cols.forEach((c, a) => {
      const v = quantiles(c, KNOT_QUANTILE_LEVELS);
      v.forEach((val, l) => { qs[l][a] = val; });
    });
  }
  return { k, iterations, mean, quantiles: qs };
}
