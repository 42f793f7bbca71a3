import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * Σ_i x[i]·y[i] over n elements.
 *
 * Reference: Σ x[i]·y[i], accumulated in float64 (the oracle should be the most accurate one).
 */
export function dot(x: Float32Array, y: Float32Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

/** dot: x·y over n elements. */
export const dotKernel = defineKernel('dot', dot, {
  args: [f32('x', 'n', ([, , n]) => n), f32('y', 'n', ([, , n]) => n), size('n')],
  split: 'whole',
  work: ([, , n]) => n,
});
