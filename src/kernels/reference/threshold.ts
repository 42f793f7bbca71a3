import { defineKernel, f32, size, threshold as thresholdArg } from '../define-kernel.js';

/**
 * TEAL input sparsification: out[i] = v[i] where |v[i]| ≥ t and v[i] ≠ 0, else 0, for i < n.
 * v: n; out: n, must not alias v. Returns the number of zeros written (exact zeros count).
 *
 * Reference: TEAL's input sparsification (Liu et al., arXiv 2408.14690): out[i] = v[i] where |v[i]| ≥ t
 * and v[i] ≠ 0, else 0, for i < n. Returns the number of zeros written (exact zeros of v count).
 * v: n; out: n, overwritten, must not alias v.
 */
export function threshold(v: Float32Array, t: number, out: Float32Array, n: number): number {
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const a = v[i];
    if (Math.abs(a) >= t && a !== 0) out[i] = a;
    else { out[i] = 0; zeros++; }
  }
  return zeros;
}

/** threshold: TEAL input sparsification. */
export const thresholdKernel = defineKernel('threshold', threshold, {
  args: [
    f32('v', 'n', ([, , , n]) => n), thresholdArg('t'), f32('out', 'n', ([, , , n]) => n, { role: 'out' }), size('n'),
  ],
  split: 'whole',
  work: ([, , , n]) => n,
});
