/**
 * Sample median by selection.
 */
import { quantile } from './quantile.js';
import type { NumericArray } from './values.js';

/**
 * Median: the middle order statistic, or the mean of the two middle ones for even n (R's
 * `median`, = type-7 quantile at 0.5). Expected O(n); `values` is not modified.
 *
 * @param values - non-empty sample of finite numbers.
 * @example
 * median([5, 1, 3]);      // → 3
 * median([4, 1, 3, 2]);   // → 2.5
 */
export function median(values: NumericArray): number {
  return quantile(values, 0.5);
}
