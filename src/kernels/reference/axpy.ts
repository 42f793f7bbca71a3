import { defineKernel, f32, size, num } from '../define-kernel.js';

/**
 * y[i] += a·x[i] for i < n.
 *
 * Reference: y += a·x over n elements.
 */
export function axpy(a: number, x: Float32Array, y: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) y[i] += a * x[i];
}

/** axpy: y += a·x (y may be x itself). */
export const axpyKernel = defineKernel('axpy', axpy, {
  args: [num('a'), f32('x', 'n', ([, , , n]) => n), f32('y', 'n', ([, , , n]) => n, { role: 'inout', mayBe: 'x' }), size('n')],
  split: 'whole',
  work: ([, , , n]) => n,
});
