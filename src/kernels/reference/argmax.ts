import { badArgument } from '../../core/errors.js';
import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * Greedy choice: the index of the largest of x[0..n), ties to the lower index (−Infinity is a
 * value like any other), or −1 when some x[i] is NaN — a NaN has no rank, so no index is right.
 * The checked layer turns −1 into BAD_ARGUMENT naming the first NaN.
 *
 * Reference: one pass, keeping the first strictly larger value.
 */
export function argmax(x: Float32Array, n: number): number {
  let best = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v !== v) return -1;
    if (v > x[best]) best = i;
  }
  return best;
}

/** argmax: index of the largest of n values (x: n; n ≥ 1). */
export const argmaxKernel = defineKernel('argmax', argmax, {
  args: [f32('x', 'n', ([, n]) => n), size('n', 1)],
  split: 'whole',
  work: ([, n]) => n,
  after: (best, [x, n]) => {
    if (best >= 0) return;
    for (let i = 0; i < n; i++) if (x[i] !== x[i]) throw badArgument(`x[${i}] is NaN`);
  },
});
