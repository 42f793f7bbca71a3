/**
 * The threshold rule shared by every calibration: a value is zeroed when |v| < t, and the
 * k-sparsity threshold of N calibration values is their order statistic of rank m = ⌈k·N⌉
 * (0-based, so exactly m values lie strictly below it when there are no ties). k = 0 gives
 * t = 0, which zeroes nothing: the exact dense model.
 *
 * `thresholdRank` is the one place that rank is defined; the exact pool (selection through
 * src/core/stats quantile, R type 1) and the sketch both answer "the value of rank m".
 */
import { checkNumber } from '../core/validate.js';

/**
 * Rank (0-based) of the k-sparsity threshold among n values; −1 means "threshold 0".
 *
 * @example thresholdRank(10, 0.5) // 5: five values lie below the threshold
 */
export function thresholdRank(n: number, k: number): number {
  checkNumber('sparsity', k, 0, 1, { maxExclusive: true });
  if (k === 0 || n === 0) return -1;
  // The tiny slack keeps k·n = 3.0000000000000004 from rounding the rank up by one.
  return Math.min(n - 1, Math.ceil(k * n - 1e-9));
}
