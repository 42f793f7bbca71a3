/**
 * Sort-based top-K, the two ways a JavaScript user writes it without a selection kernel:
 *
 *   byIndexSort   the indices 0..n−1 in a plain Array, Array.prototype.sort with a comparator
 *                 on the values (largest first), the first k kept — O(n log n) comparator calls
 *   byValueSort   a copy of the values, TypedArray.prototype.sort (numeric, native, no
 *                 comparator), the last k read backwards — values only, no indices
 *
 * @example
 * const sorter = sortTopK(32000);
 * sorter.byIndexSort(x, 40, out);  // out: the 40 best indices, best first
 */
export interface SortTopK {
  /** out[0..k) = indices of the k largest of x[0..n), best first (ties: engine's sort order). */
  byIndexSort(x: Float32Array, k: number, out: Int32Array): void;
  /** out[0..k) = the k largest values of x[0..n), largest first. */
  byValueSort(x: Float32Array, k: number, out: Float32Array): void;
}

/** Scratch for inputs of length n (allocated once, as a careful user would). */
export function sortTopK(n: number): SortTopK {
  const order: number[] = new Array<number>(n);
  const copy = new Float32Array(n);
  return {
    byIndexSort(x, k, out) {
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((a, b) => x[b] - x[a]);
      for (let i = 0; i < k; i++) out[i] = order[i];
    },
    byValueSort(x, k, out) {
      copy.set(x.subarray(0, n));
      copy.sort();
      for (let i = 0; i < k; i++) out[i] = copy[n - 1 - i];
    },
  };
}
