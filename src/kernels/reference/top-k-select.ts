/**
 * The k largest of x[0..n) as a set, returned in increasing index order; ties go to the lower
 * index and NaN ranks below −Infinity, so the set equals topK's. Oracle: stable sort by value,
 * keep k, sort the indices.
 */
import { byValueDescending } from './rank-order.js';

export function topKSelect(x: Float32Array, n: number, k: number, out: Int32Array): void {
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort(byValueDescending(x));
  const chosen = order.slice(0, k).sort((a, b) => a - b);
  for (let i = 0; i < k; i++) out[i] = chosen[i];
}
