import { defineKernel, f32, size, threshold } from '../define-kernel.js';

/**
 * SwiGLU's product, then TEAL's threshold of it (the down projection's input), one pass:
 * h = SiLU(gate[i])·up[i] (float64, rounded once to float32 — not swiglu's order);
 * gate[i] ← h; up[i] ← h where |h| ≥ t and h ≠ 0, else 0. gate, up: n, both overwritten, must
 * not alias. Returns the number of zeros written to up. t = 0: gate gets the plain product.
 *
 * Reference: SwiGLU's product followed by TEAL's sparsification of the down projection's input, in one
 * pass (Liu et al., arXiv 2408.14690): for i < n,
 * h = SiLU(gate[i])·up[i]   (SiLU and the product in float64, rounded once to float32),
 * gate[i] ← h,  up[i] ← h where |h| ≥ t and h ≠ 0, else 0.
 * Returns the number of zeros written to up (exact zeros of h count). With t = 0 (or below),
 * gate holds the plain SwiGLU product h.
 * The rounding differs from `swiglu` (which rounds SiLU to float32 before the product, as
 * llama2.c does); this is the activation-sparsity FFN's order (src/activations/sparse-swiglu.ts).
 * gate, up: n, both overwritten; they must not alias each other.
 */
export function siluMulThreshold(gate: Float32Array, up: Float32Array, t: number, n: number): number {
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const v = gate[i];
    gate[i] = (v / (1 + Math.exp(-v))) * up[i];
    const h = gate[i]; // the float32 value, as stored
    if (Math.abs(h) >= t && h !== 0) up[i] = h;
    else { up[i] = 0; zeros++; }
  }
  return zeros;
}

/** siluMulThreshold: SwiGLU's product, then TEAL's threshold of it. */
export const siluMulThresholdKernel = defineKernel('siluMulThreshold', siluMulThreshold, {
  args: [
    f32('gate', 'n', ([, , , n]) => n, { role: 'inout' }), f32('up', 'n', ([, , , n]) => n, { role: 'inout' }),
    threshold('t'), size('n'),
  ],
  split: 'whole',
  work: ([, , , n]) => n,
});
