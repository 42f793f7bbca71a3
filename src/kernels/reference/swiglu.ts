import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * SwiGLU's elementwise step: gate[i] ← SiLU(gate[i])·up[i] for i < n, SiLU(v) = v/(1 + e^−v)
 * rounded to float32 before the product (llama2.c's order). gate is updated in place; up
 * must not alias it.
 *
 * Reference: SwiGLU's elementwise step (Shazeer, arXiv 2002.05202): gate[i] ← SiLU(gate[i]) · up[i],
 * SiLU(v) = v / (1 + e^−v). SiLU is rounded to float32 before the product, exactly as
 * llama2.c's run.c computes it (hb[i] *= 1/(1+expf(−hb[i])), then hb[i] *= hb2[i]).
 */
export function swiglu(gate: Float32Array, up: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i];
    gate[i] = Math.fround(g / (1 + Math.exp(-g))) * up[i];
  }
}

/** swiglu: gate ← SiLU(gate)·up, in place. */
export const swigluKernel = defineKernel('swiglu', swiglu, {
  args: [f32('gate', 'n', ([, , n]) => n, { role: 'inout' }), f32('up', 'n', ([, , n]) => n), size('n')],
  split: 'whole',
  work: ([, , n]) => n,
});
