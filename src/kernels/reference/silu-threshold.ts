import { defineKernel, f32, f32OrF64, size } from '../define-kernel.js';

/**
 * CATS/CHESS gate sparsification, in place: gate[i] ← SiLU(gate[i]) where |SiLU(gate[i])| ≥ t[i],
 * else 0, for i < n. SiLU and the comparison in float64, the kept value rounded to float32 by
 * the store (a Float64Array of thresholds is compared at full precision; on a GPU thresholds
 * are float32). gate: n; t: n. Returns the number of channels the thresholds keep.
 *
 * Reference: CATS/CHESS gate sparsification (CHESS §1–2, arXiv 2409.01366; CATS, arXiv 2404.08763):
 * gate[i] ← SiLU(gate[i]) where |SiLU(gate[i])| ≥ t[i], else 0, for i < n, SiLU(v) = v/(1 + e^−v).
 * SiLU and the comparison are evaluated in float64 and the kept value is rounded to float32 by
 * the store (so thresholds given as a Float64Array are compared at full precision). Returns the
 * number of channels the thresholds keep (a kept SiLU may still round to 0).
 * gate: n, updated in place (pre-activation in, sparsified a_gate out); t: n thresholds.
 */
export function siluThreshold(gate: Float32Array, t: Float32Array | Float64Array, n: number): number {
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const v = gate[i];
    const g = v / (1 + Math.exp(-v));
    if (Math.abs(g) >= t[i]) { gate[i] = g; kept++; } else gate[i] = 0;
  }
  return kept;
}

/** siluThreshold: CATS/CHESS gate sparsification, in place. */
export const siluThresholdKernel = defineKernel('siluThreshold', siluThreshold, {
  args: [f32('gate', 'n', ([, , n]) => n, { role: 'inout' }), f32OrF64('t', 'n', ([, , n]) => n), size('n')],
  split: 'whole',
  work: ([, , n]) => n,
});
