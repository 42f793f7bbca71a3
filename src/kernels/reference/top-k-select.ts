/**
 * The k largest of x[0..n) as a set, returned in increasing index order; ties go to the lower
 * index and NaN ranks below −Infinity, so the set equals topK's. Oracle: stable sort by value,
 * keep k, sort the indices.
 */
import { byValueDescending } from './rank-order.js';
import { defineKernel, f32, i32, size, int } from '../define-kernel.js';

/**
 * The k largest of x[0..n) as a set, in increasing index order — the same set as topK (ties
 * to the lower index) without ordering it: O(n) selection (sampled threshold + radix select)
 * for large n, e.g. k ≈ 1–10% of n = 32K retrieval scores. NaN ranks below −Infinity (as in
 * topK). out: k, every slot written.
 */
export function topKSelect(x: Float32Array, n: number, k: number, out: Int32Array): void {
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort(byValueDescending(x));
  const chosen = order.slice(0, k).sort((a, b) => a - b);
  for (let i = 0; i < k; i++) out[i] = chosen[i];
}

/** topKSelect: the k largest as a set, in index order. */
export const topKSelectKernel = defineKernel('topKSelect', topKSelect, {
  args: [
    f32('x', 'n', ([, n]) => n), size('n'), int('k', 0, ([, n]) => n), i32('out', 'k', ([, , k]) => k, { role: 'out' }),
  ],
  split: 'whole',
  work: ([, n, k]) => (k === 0 ? 0 : n),
});
