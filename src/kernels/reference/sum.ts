import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * Σ_i x[i] over n elements: the plain streaming-read kernel (the memory roofline in benchmarks).
 *
 * Reference: Σ x[i] over n elements, accumulated in float64 (the oracle should be the most accurate one).
 */
export function sum(x: Float32Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  return s;
}

/** sum: Σ x[i], the streaming-read roofline. */
export const sumKernel = defineKernel('sum', sum, {
  args: [f32('x', 'n', ([, n]) => n), size('n')],
  split: 'partials',
  work: ([, n]) => n,
});
