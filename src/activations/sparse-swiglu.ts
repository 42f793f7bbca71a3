/**
 * The SwiGLU FFN of one layer, dense and activation-sparse, on flat arrays (CHESS §2 and §4):
 *   a_gate = SiLU(W_gate x),  a_up = W_up x,  y = W_down (a_gate ⊙ a_up).
 * Sparse (CATS/CHESS): gate_proj stays dense; s = a_gate with |a_gate_i| < t_i zeroed;
 *   vmmsp computes a_up_i·s_i only where s_i ≠ 0 (rows of W_up read: density ρ);
 *   spvmm adds W_down's input-major rows for the surviving channels (density ρ again).
 * Sparse (TEAL): the inputs x (gate/up) and h (down) are thresholded and every product is an
 *   spvmm over input-major weights.
 * Layouts (rows × cols, row-major): wGate, wUp: hidden×dim (output-major, as stored);
 * wDown: dim×hidden (as stored, dense path); wDownT: hidden×dim (input-major, for spvmm);
 * wGateT, wUpT: dim×hidden (input-major, TEAL).
 * Scratch arrays are caller-owned (resident on the wasm backend), so a token allocates nothing.
 */
import type { Kernels } from '../kernels/kernels.js';

export function silu(v: number): number {
  return v / (1 + Math.exp(-v));
}

/**
 * Dense SwiGLU: out = W_down(SiLU(W_gate x) ⊙ W_up x). gate, up: hidden scratch.
 *
 * @example denseSwiGlu(k, wGate, wUp, wDown, x, out, gate, up, 64, 172)
 */
export function denseSwiGlu(k: Kernels, wGate: Float32Array, wUp: Float32Array, wDown: Float32Array,
  x: Float32Array, out: Float32Array, gate: Float32Array, up: Float32Array, dim: number, hidden: number): void {
  k.gemv(wGate, x, gate, hidden, dim);
  k.gemv(wUp, x, up, hidden, dim);
  for (let i = 0; i < hidden; i++) gate[i] = silu(gate[i]) * up[i];
  k.gemv(wDown, gate, out, dim, hidden);
}

/**
 * Gate-thresholded SwiGLU (CATS when all t_i are equal, CHESS otherwise):
 * s_i = a_gate_i if |a_gate_i| ≥ t_i else 0;  out = W_downᵀ-rows · (s ⊙ a_up) via vmmsp + spvmm.
 * tGate: hidden thresholds; gate, inter: hidden scratch; zeroCounts (optional, hidden) gets +1
 * for every zeroed channel. Returns the number of surviving channels.
 *
 * @example const kept = gatedSparseSwiGlu(k, wGate, wUp, wDownT, x, t, out, gate, inter, 64, 172)
 */
export function gatedSparseSwiGlu(k: Kernels, wGate: Float32Array, wUp: Float32Array, wDownT: Float32Array,
  x: Float32Array, tGate: ArrayLike<number>, out: Float32Array, gate: Float32Array, inter: Float32Array,
  dim: number, hidden: number, zeroCounts?: Float64Array): number {
  k.gemv(wGate, x, gate, hidden, dim);
  for (let i = 0; i < hidden; i++) {
    const g = silu(gate[i]);
    if (Math.abs(g) >= tGate[i]) gate[i] = g;
    else { gate[i] = 0; if (zeroCounts) zeroCounts[i]++; }
  }
  const kept = k.vmmsp(x, wUp, gate, inter, hidden, dim);
  k.spvmm(inter, wDownT, out, hidden, dim);
  return kept;
}

/**
 * out = v with |v_i| < t zeroed (TEAL's sparsification of a projection input). Returns the
 * number of zeroed entries (exact zeros in v count as zeroed).
 */
export function thresholdInto(v: Float32Array, t: number, out: Float32Array, n: number): number {
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const a = v[i];
    if (Math.abs(a) >= t && a !== 0) out[i] = a;
    else { out[i] = 0; zeros++; }
  }
  return zeros;
}

/** Scratch of tealSparseSwiGlu: xs: dim; gate, up: hidden. */
export interface TealScratch { xs: Float32Array; gate: Float32Array; up: Float32Array }

/**
 * TEAL SwiGLU: gate = W_gateᵀ-rows·s(x; t_gate), up = W_upᵀ-rows·s(x; t_up),
 * h = SiLU(gate) ⊙ up, out = W_downᵀ-rows·s(h; t_down), all three by spvmm.
 * Returns zero counts { x: zeros in the gate input, h: zeros in the down input } (the up input's
 * zeros equal the gate input's when t_up = t_gate).
 */
export function tealSparseSwiGlu(k: Kernels, wGateT: Float32Array, wUpT: Float32Array, wDownT: Float32Array,
  x: Float32Array, t: { gate: number; up: number; down: number }, out: Float32Array, s: TealScratch,
  dim: number, hidden: number): { gateInputZeros: number; upInputZeros: number; downInputZeros: number } {
  const gateInputZeros = thresholdInto(x, t.gate, s.xs, dim);
  k.spvmm(s.xs, wGateT, s.gate, dim, hidden);
  let upInputZeros = gateInputZeros;
  if (t.up !== t.gate) upInputZeros = thresholdInto(x, t.up, s.xs, dim);
  k.spvmm(s.xs, wUpT, s.up, dim, hidden);
  for (let i = 0; i < hidden; i++) s.gate[i] = silu(s.gate[i]) * s.up[i];
  const downInputZeros = thresholdInto(s.gate, t.down, s.up, hidden);
  k.spvmm(s.up, wDownT, out, hidden, dim);
  return { gateInputZeros, upInputZeros, downInputZeros };
}

/** dst (cols×rows) = srcᵀ for src rows×cols, row-major. */
export function transpose(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[base + c];
  }
}
