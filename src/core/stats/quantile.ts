/**
 * Sample quantiles by selection (no full sort), with R's definitions.
 *
 * Hyndman & Fan, "Sample quantiles in statistical packages", The American Statistician 50(4),
 * 1996. Type 7 (R's and numpy's default): linear interpolation between order statistics,
 * Q(p) = (1−g)·x₍ⱼ₎ + g·x₍ⱼ₊₁₎ with 1 + (n−1)p = j + g. Type 1: inverse of the empirical CDF,
 * Q(p) = x₍ⱼ₎ with j = ⌈np⌉ (and x₍₁₎ for p = 0) — always an observed value. Both follow R's
 * `quantile.default` (type 7 interpolates as (1−g)·x₍ⱼ₎ + g·x₍ⱼ₊₁₎, only where the two differ),
 * written to reproduce R's arithmetic exactly (tests compare with numpy, which differs from R only in
 * the last bit of some type-7 interpolations).
 */
import { badArgument } from '../errors.js';
import { checkOneOf } from '../validate.js';
import { selectMany, type Reorderable } from './select.js';
import { checkValues, type NumericArray } from './values.js';
import { checkOptions, optionKeys } from '../options.js';

/** 'type7' (default; linear interpolation) or 'type1' (inverse empirical CDF). */
export type QuantileMethod = 'type7' | 'type1';

/** Options of {@link quantile} and {@link quantiles}. */
export interface QuantileOptions {
  /** Hyndman–Fan definition; default 'type7' (R and numpy default). */
  method?: QuantileMethod;
  /**
   * Allow reordering `values` in place instead of copying it (saves memory on large
   * calibration buffers). Requires a mutable array (number[] or typed array). Default false.
   */
  overwrite?: boolean;
}

/** Every key of QuantileOptions, for checkOptions. */
export const QUANTILE_KEYS = optionKeys<QuantileOptions>({ method: true, overwrite: true });

const METHODS = ['type7', 'type1'] as const;

/**
 * The p-quantile of a sample, exactly, by Floyd–Rivest selection in expected O(n) time.
 *
 * @param values - the sample (number[] or typed array), non-empty, finite. Not modified unless
 *   `opts.overwrite`.
 * @param p - probability in [0, 1].
 * @param opts - method ('type7' default, or 'type1') and overwrite.
 * @example
 * quantile([1, 2, 3, 4], 0.5);                        // → 2.5
 * quantile([1, 2, 3, 4], 0.5, { method: 'type1' });   // → 2
 */
export function quantile(values: NumericArray, p: number, opts: QuantileOptions = {}): number {
  opts = checkOptions('quantile options', opts, QUANTILE_KEYS);
  return quantiles(values, [checkProbability('p', p)], opts)[0];
}

/**
 * Several quantiles of one sample, sharing one multi-rank selection (expected
 * O(n log r) for r probabilities).
 *
 * @param values - the sample, non-empty, finite. Not modified unless `opts.overwrite`.
 * @param ps - probabilities in [0, 1], any order.
 * @param opts - method and overwrite (see {@link QuantileOptions}).
 * @returns Float64Array with one quantile per entry of ps.
 * @example
 * quantiles([3, 1, 4, 1, 5, 9, 2, 6], [0.025, 0.5, 0.975]);   // → [1, 3.5, 8.475000000000001]
 */
export function quantiles(values: NumericArray, ps: ArrayLike<number>, opts: QuantileOptions = {}): Float64Array {
  opts = checkOptions('quantiles options', opts, QUANTILE_KEYS);
  checkValues('values', values);
  const method = opts.method === undefined ? 'type7' : checkOneOf('opts.method', opts.method, METHODS);
  if (!(Array.isArray(ps) || (ArrayBuffer.isView(ps) && !(ps instanceof DataView)))) {
    throw badArgument('ps must be an array of probabilities');
  }
  for (let i = 0; i < ps.length; i++) checkProbability(`ps[${i}]`, ps[i]);
  const n = values.length;
  const plans = Array.from(ps, (p) => (method === 'type7' ? planType7(n, p) : planType1(n, p)));
  const ranks = [...new Set(plans.flatMap((pl) => (pl.g > 0 ? [pl.j, pl.j + 1] : [pl.j])))].sort((a, b) => a - b);
  const work: Reorderable = opts.overwrite === true ? (values as Reorderable) : Float64Array.from(values);
  selectMany(work, ranks);
  const out = new Float64Array(plans.length);
  for (let i = 0; i < plans.length; i++) {
    const { j, g } = plans[i];
    const lo = work[j];
    // R: interpolate only where the neighbours differ (so equal values give exactly that value).
    out[i] = g > 0 && work[j + 1] !== lo ? (1 - g) * lo + g * work[j + 1] : lo;
  }
  return out;
}

/** 0-based order statistic j and interpolation weight g ∈ [0, 1) toward j+1. */
interface Plan { j: number; g: number }

function planType7(n: number, p: number): Plan {
  const index = 1 + (n - 1) * p;   // 1-based, as R computes it
  const lo = Math.floor(index);
  return { j: lo - 1, g: index - lo };
}

function planType1(n: number, p: number): Plan {
  // R computes j = ⌊np + 4ε⌋ and takes x₍ⱼ₎ or x₍ⱼ₊₁₎ by whether np > j, padding x₍₀₎ = x₍₁₎;
  // for type 1 that always equals x₍ₖ₎ with k = max(1, ⌈np⌉) (the fuzz cannot change it).
  const k = Math.max(1, Math.ceil(n * p));
  return { j: Math.min(k, n) - 1, g: 0 };
}

function checkProbability(name: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw badArgument(`${name} must be a probability in [0, 1], got ${String(p)}`);
  return p;
}
