import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * SiLU in place: x[i] ← x[i]/(1 + e^−x[i]) for i < n, in float64 rounded to float32 — swiglu's
 * first half (swiglu(gate, up) = silu(gate), then gate[i]·up[i]), for code that needs SiLU(gate)
 * on its own (activation capture, CATS statistics).
 *
 * Reference: SiLU, in place (Elfwing et al., arXiv 1702.03118): x[i] ← x[i]/(1 + e^−x[i]), computed in
 * float64 and rounded to float32 by the store — the same value swiglu multiplies by up[i].
 */
export function silu(x: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) x[i] = x[i] / (1 + Math.exp(-x[i]));
}

/** silu: x ← SiLU(x), in place. */
export const siluKernel = defineKernel('silu', silu, {
  args: [f32('x', 'n', ([, n]) => n, { role: 'inout' }), size('n')],
  split: 'whole',
  work: ([, n]) => n,
});
