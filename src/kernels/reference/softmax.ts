import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * out = softmax(x[0..n)), max-subtracted. out may alias x.
 *
 * Reference: out = exp(x − max) / Σ exp(x − max); float64 sums. out may alias x.
 */
export function softmax(x: Float32Array, out: Float32Array, n: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) { e[i] = Math.exp(x[i] - max); sum += e[i]; }
  for (let i = 0; i < n; i++) out[i] = e[i] / sum;
}

/** softmax: out = softmax(x); out may be x itself. */
export const softmaxKernel = defineKernel('softmax', softmax, {
  args: [f32('x', 'n', ([, , n]) => n), f32('out', 'n', ([, , n]) => n, { role: 'out', mayBe: 'x' }), size('n', 1)],
  split: 'whole',
  work: ([, , n]) => n,
});
