/**
 * Indices of the k largest values, best first, ties to the lower index; NaN ranks below
 * −Infinity. The oracle is the obvious one: a stable sort of all indices (the fast backends
 * use selection instead).
 */
import { byValueDescending } from './rank-order.js';
import { defineKernel, f32, i32, size, int } from '../define-kernel.js';

/**
 * Indices of the k largest of x[0..n), best first; equal values are ordered by lower index
 * (so the selection is unique); NaN ranks below −Infinity. out: k (Int32Array), every slot
 * written. Selection, not a full sort.
 */
export function topK(x: Float32Array, n: number, k: number, out: Int32Array): void {
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort(byValueDescending(x));
  for (let i = 0; i < k; i++) out[i] = order[i];
}

/** topK: indices of the k largest, best first. */
export const topKKernel = defineKernel('topK', topK, {
  args: [
    f32('x', 'n', ([, n]) => n), size('n'), int('k', 0, ([, n]) => n), i32('out', 'k', ([, , k]) => k, { role: 'out' }),
  ],
  split: 'whole',
  work: ([, n, k]) => (k === 0 ? 0 : n),
});
