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
 * Scratch arrays are caller-owned (resident on the wasm backend), so a token allocates no buffers.
 *
 * Every step is a kernel call, including the elementwise ones (siluThreshold, threshold,
 * siluMulThreshold), so each FFN runs on any backend: one async function each, taking `Kernels`
 * and host or device arrays. With device arrays for the weights and the scratch, the whole FFN
 * stays in the backend's memory (on webgpu: one submission per FFN, no read-back between its
 * kernels); on CPU backends every call returns at once.
 */
import { checkKernels } from '../kernels/check-kernels.js';
import type { F32Arg, Kernels } from '../kernels/kernels.js';
import { isDeviceArray } from '../kernels/device-array.js';
import { checkFloat64, checkInt, checkLength } from '../core/validate.js';
import { badArgument } from '../core/errors.js';
import { issueCalls } from './issue-calls.js';

/** SiLU(v) = v/(1 + e^−v) in float64 (the kernels evaluate this very expression). */
export function silu(v: number): number {
  return v / (1 + Math.exp(-v));
}

/** Thresholds of the gated FFN: host float32/float64 (compared at their precision) or a device array. */
export type GateThresholds = F32Arg | Float64Array;

/** Scratch of tealSparseSwiGlu (host or device arrays): xs: dim; gate, up: hidden. Afterwards up holds s(h), the down projection's input. */
export interface TealScratch { xs: F32Arg; gate: F32Arg; up: F32Arg }

/** TEAL's thresholds of one layer: gate_proj input, up_proj input, down_proj input. */
export interface TealThresholdSet { gate: number; up: number; down: number }

/** Zero counts of one TEAL FFN call. */
export interface TealZeros { gateInputZeros: number; upInputZeros: number; downInputZeros: number }

/** O(1) shape checks naming the FFN's own arguments (the kernels' checks name theirs). */
function checkShapes(dim: number, hidden: number, arrays: [string, { length: number }, number][]): void {
  checkInt('dim', dim, 1);
  checkInt('hidden', hidden, 1);
  for (const [name, a, n] of arrays) {
    if (typeof a !== 'object' || a === null || typeof a.length !== 'number') throw badArgument(`${name} must be an array`);
    checkLength(name, a as ArrayLike<unknown>, n);
  }
}

function checkThreshold(name: string, t: unknown): void {
  if (typeof t !== 'number' || Number.isNaN(t)) throw badArgument(`${name} must be a number (not NaN), got ${String(t)}`);
}

// --- dense ------------------------------------------------------------------------------------

/**
 * Dense SwiGLU: out = W_down(SiLU(W_gate x) ⊙ W_up x), on any kernels, arrays on the host or the
 * device. gate, up: hidden scratch (afterwards gate holds the product SiLU(a_gate)·a_up).
 *
 * @example await denseSwiGlu(k, wGate, wUp, wDown, x, out, gate, up, 64, 172)
 */
export async function denseSwiGlu(k: Kernels, wGate: F32Arg, wUp: F32Arg, wDown: F32Arg, x: F32Arg,
  out: F32Arg, gate: F32Arg, up: F32Arg, dim: number, hidden: number): Promise<void> {
  checkKernels('k', k);
  checkShapes(dim, hidden, [['wGate', wGate, hidden * dim], ['wUp', wUp, hidden * dim], ['wDown', wDown, dim * hidden],
    ['x', x, dim], ['out', out, dim], ['gate', gate, hidden], ['up', up, hidden]]);
  await issueCalls(isDeviceArray(gate) && isDeviceArray(up), [
    () => k.gemv(wGate, x, gate, hidden, dim),
    () => k.gemv(wUp, x, up, hidden, dim),
    () => k.siluMulThreshold(gate, up, 0, hidden), // threshold 0: gate ← SiLU(gate)·up (up is overwritten)
    () => k.gemv(wDown, gate, out, dim, hidden),
  ]);
}

// --- CATS / CHESS ------------------------------------------------------------------------------

/** Thresholds as a typed or device array the kernel takes (exact: float64 for any other array-like). */
export function thresholdArray(t: GateThresholds | ArrayLike<number>): GateThresholds {
  if (t instanceof Float32Array || t instanceof Float64Array || isDeviceArray(t)) return t;
  if (typeof t !== 'object' || t === null || typeof t.length !== 'number') throw badArgument('tGate must be an array of thresholds');
  return Float64Array.from(t);
}

/**
 * Thresholds may be ±Infinity (keep nothing / everything) but not NaN: |v| ≥ NaN is false, so a
 * NaN threshold silently zeroes its channel. O(hidden) next to the O(hidden·dim) FFN. (Device
 * thresholds are not scanned: check them before the upload.)
 */
function checkNoNaN(name: string, t: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) if (Number.isNaN(t[i])) throw badArgument(`${name}[${i}] is NaN; thresholds must be numbers`);
}

/**
 * Gate-thresholded SwiGLU (CATS when all t_i are equal, CHESS otherwise):
 * s_i = a_gate_i if |a_gate_i| ≥ t_i else 0;  out = W_downᵀ-rows · (s ⊙ a_up) via vmmsp + spvmm.
 * tGate: hidden thresholds; gate, inter: hidden scratch (afterwards gate holds s and inter
 * s ⊙ a_up); zeroCounts (optional, hidden) gets +1 for every zeroed channel. Resolves to the
 * number of surviving (nonzero) channels.
 *
 * Any kernels, arrays on the host or the device (`k.allocF32`): with the weights, thresholds and
 * the scratch `gate`, `inter` on the device, the four kernels (gemv, siluThreshold, vmmsp, spvmm)
 * are issued together — on webgpu one submission with no read-back in between — and only `out`
 * (if a host array) and the count come back. Host scratch works too, one call at a time. Float64
 * thresholds are compared in float64 on CPU backends and in float32 on a GPU (upload them once as
 * a device array to skip the per-call upload); on webgpu results agree within GPU tolerance
 * (float32 SiLU and sums in another order: a channel at its threshold may flip).
 *
 * @example
 * const kept = await gatedSparseSwiGlu(k, wGate, wUp, wDownT, x, t, out, gate, inter, 64, 172);
 * // on a GPU, weights and scratch resident:
 * const gpu = await createKernels({ backend: 'webgpu' });
 * const up = (a: Float32Array) => { const d = gpu.allocF32(a.length); d.write(a); return d; };
 * await gatedSparseSwiGlu(gpu, up(wGate), up(wUp), up(wDownT), x, up(Float32Array.from(t)), out,
 *   gpu.allocF32(hidden), gpu.allocF32(hidden), dim, hidden);
 */
export async function gatedSparseSwiGlu(k: Kernels, wGate: F32Arg, wUp: F32Arg, wDownT: F32Arg, x: F32Arg,
  tGate: GateThresholds | ArrayLike<number>, out: F32Arg, gate: F32Arg, inter: F32Arg, dim: number, hidden: number,
  zeroCounts?: Float64Array): Promise<number> {
  checkKernels('k', k);
  const t = thresholdArray(tGate);
  checkShapes(dim, hidden, [['wGate', wGate, hidden * dim], ['wUp', wUp, hidden * dim], ['wDownT', wDownT, hidden * dim],
    ['x', x, dim], ['tGate', t, hidden], ['out', out, dim], ['gate', gate, hidden], ['inter', inter, hidden]]);
  if (zeroCounts !== undefined) checkFloat64('zeroCounts', zeroCounts, hidden);
  if (!isDeviceArray(t)) checkNoNaN('tGate', t as ArrayLike<number>, hidden);
  const [, , kept] = await issueCalls(isDeviceArray(gate) && isDeviceArray(inter), [
    () => k.gemv(wGate, x, gate, hidden, dim),
    () => k.siluThreshold(gate, t, hidden), // gate ← s(a_gate)
    () => k.vmmsp(x, wUp, gate, inter, hidden, dim), // inter ← s ⊙ a_up, rows of W_up read where s ≠ 0
    () => k.spvmm(inter, wDownT, out, hidden, dim),
  ]);
  if (zeroCounts) {
    // On the host, only when asked (a read-back on a GPU). A channel was zeroed by its threshold
    // iff its stored gate is 0 and t_i > 0: a kept SiLU stored as 0 has |SiLU| ≤ 2^−150, so with
    // t_i above that it cannot be kept (t_i in (0, 2^−150] or a NaN activation are the exceptions).
    const s = isDeviceArray(gate) ? await gate.read() : gate;
    const th = isDeviceArray(t) ? await t.read() : t;
    for (let i = 0; i < hidden; i++) if (s[i] === 0 && th[i] > 0) zeroCounts[i]++;
  }
  return kept;
}

// --- TEAL -------------------------------------------------------------------------------------

/**
 * TEAL SwiGLU: gate = W_gateᵀ-rows·s(x; t_gate), up = W_upᵀ-rows·s(x; t_up),
 * h = SiLU(gate) ⊙ up, out = W_downᵀ-rows·s(h; t_down), all three by spvmm, on any kernels with
 * host or device arrays (with device scratch the six kernels go out together, one submission on
 * webgpu). Resolves to zero counts { x: zeros in the gate input, h: zeros in the down input } (the
 * up input's zeros equal the gate input's when t_up = t_gate). Afterwards s.up holds s(h; t_down).
 *
 * @example const z = await tealSparseSwiGlu(k, wGateT, wUpT, wDownT, x, { gate: 0.3, up: 0.3, down: 0.05 }, out, s, 64, 172)
 */
export async function tealSparseSwiGlu(k: Kernels, wGateT: F32Arg, wUpT: F32Arg, wDownT: F32Arg, x: F32Arg,
  t: TealThresholdSet, out: F32Arg, s: TealScratch, dim: number, hidden: number): Promise<TealZeros> {
  checkKernels('k', k);
  if (typeof s !== 'object' || s === null) throw badArgument('s must be the scratch { xs, gate, up }');
  checkShapes(dim, hidden, [['wGateT', wGateT, dim * hidden], ['wUpT', wUpT, dim * hidden], ['wDownT', wDownT, hidden * dim],
    ['x', x, dim], ['out', out, dim], ['s.xs', s.xs, dim], ['s.gate', s.gate, hidden], ['s.up', s.up, hidden]]);
  if (typeof t !== 'object' || t === null) throw badArgument('t must be the thresholds { gate, up, down }');
  checkThreshold('t.gate', t.gate); checkThreshold('t.up', t.up); checkThreshold('t.down', t.down);
  const sameInput = t.up === t.gate; // then s(x; t_up) is already in xs
  const [gateInputZeros, , upZeros, , downInputZeros] = await issueCalls(
    isDeviceArray(s.xs) && isDeviceArray(s.gate) && isDeviceArray(s.up), [
      () => k.threshold(x, t.gate, s.xs, dim),
      () => k.spvmm(s.xs, wGateT, s.gate, dim, hidden),
      () => (sameInput ? undefined : k.threshold(x, t.up, s.xs, dim)),
      () => k.spvmm(s.xs, wUpT, s.up, dim, hidden),
      () => k.siluMulThreshold(s.gate, s.up, t.down, hidden), // gate ← h = SiLU(gate)·up, up ← s(h; t_down)
      () => k.spvmm(s.up, wDownT, out, hidden, dim),
    ]);
  return { gateInputZeros, upInputZeros: upZeros ?? gateInputZeros, downInputZeros };
}

// --- layout -----------------------------------------------------------------------------------

/** dst (cols×rows) = srcᵀ for src rows×cols, row-major. */
export function transpose(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[base + c];
  }
}
