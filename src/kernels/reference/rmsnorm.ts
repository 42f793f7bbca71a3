import { defineKernel, f32, size, num } from '../define-kernel.js';

/**
 * out[i] = w[i]·x[i] / sqrt(mean(x²) + eps). out may alias x.
 *
 * Reference: out = w ⊙ x / sqrt(mean(x²) + eps). out may alias x.
 */
export function rmsnorm(x: Float32Array, w: Float32Array, out: Float32Array, n: number, eps: number): void {
  let ss = 0;
  for (let i = 0; i < n; i++) ss += x[i] * x[i];
  const scale = 1 / Math.sqrt(ss / n + eps);
  for (let i = 0; i < n; i++) out[i] = w[i] * (x[i] * scale);
}

/** rmsnorm: out = w·x/rms(x); out may be x itself. */
export const rmsnormKernel = defineKernel('rmsnorm', rmsnorm, {
  args: [
    f32('x', 'n', ([, , , n]) => n), f32('w', 'n', ([, , , n]) => n),
    f32('out', 'n', ([, , , n]) => n, { role: 'out', mayBe: 'x' }), size('n', 1), num('eps', 0),
  ],
  split: 'whole',
  work: ([, , , n]) => n,
});
