/**
 * Sample mean and variance, with the two-pass corrected algorithm for accuracy.
 *
 * Chan, Golub & LeVeque, "Algorithms for computing the sample variance: analysis and
 * recommendations", The American Statistician 37(3), 1983 (eq. 1.7: the corrected two-pass
 * algorithm).
 */
import { checkInt } from '../validate.js';
import { checkValues, type NumericArray } from './values.js';
import { checkOptions, optionKeys } from '../options.js';

/**
 * Arithmetic mean, with a second pass that removes the rounding error of the first
 * (m ← m + Σ(x − m)/n).
 *
 * @param values - non-empty sample of finite numbers.
 * @example
 * mean([1, 2, 3, 4]);   // → 2.5
 */
export function mean(values: NumericArray): number {
  checkValues('values', values);
  return meanUnchecked(values);
}

function meanUnchecked(values: NumericArray): number {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const m = s / n;
  let c = 0;
  for (let i = 0; i < n; i++) c += values[i] - m;
  return m + c / n;
}

/** Options of {@link variance}. */
export interface VarianceOptions {
  /** Delta degrees of freedom: divide by n − ddof. Default 1 (unbiased sample variance, R's var). */
  ddof?: number;
}

/** Every key of VarianceOptions, for checkOptions. */
export const VARIANCE_KEYS = optionKeys<VarianceOptions>({ ddof: true });

/**
 * Sample variance Σ(x − x̄)²/(n − ddof), by the corrected two-pass algorithm
 * (Σ(x−x̄)² − (Σ(x−x̄))²/n), accurate even when the mean is large relative to the spread.
 *
 * @param values - sample of finite numbers with more than `ddof` elements.
 * @param opts - ddof (default 1).
 * @example
 * variance([1, 2, 3, 4]);               // → 1.6666…  (divide by n − 1)
 * variance([1, 2, 3, 4], { ddof: 0 });  // → 1.25
 */
export function variance(values: NumericArray, opts: VarianceOptions = {}): number {
  opts = checkOptions('variance options', opts, VARIANCE_KEYS);
  const ddof = opts.ddof === undefined ? 1 : checkInt('opts.ddof', opts.ddof, 0);
  checkValues('values', values, ddof + 1);
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const m = s / n;
  let ss = 0, c = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - m;
    ss += d * d;
    c += d;
  }
  return Math.max(0, ss - (c * c) / n) / (n - ddof);
}
