/**
 * swiglu on the GPU (Shazeer, arXiv 2002.05202; llama2.c's order): gate[i] ← SiLU(gate[i])·up[i]
 * for i < n, SiLU(v) = v/(1 + e^−v), gate updated in place (a device array is read and
 * written where it lies; no copy).
 *
 * One invocation per element, or per 4 elements with 16-byte loads and stores when n and
 * both offsets are multiples of 4. SiLU is evaluated as v·e/(1 + e) with e = exp(−|v|) for
 * v < 0, so exp never overflows float32 (WGSL leaves overflow undefined); mathematically it
 * is the same v/(1 + e^−v). WGSL's exp may be 3 + 2|v| ULP off, so the result is compared
 * with a bound that grows with |v| (docs/backends.md).
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';

const WG = 256;

function program(vec4: boolean): GpuProgram {
  const t = vec4 ? 'vec4<f32>' : 'f32';
  const v = vec4 ? 4 : 1;
  return {
    cacheKey: `swiglu:${vec4 ? 'vec4' : 'f32'}`,
    workgroupSize: [WG, 1],
    uniforms: [{ name: 'n', type: 'u32' }],
    bindings: [
      { name: 'gate', type: t, access: 'read_write' },
      { name: 'up', type: t, access: 'read' },
    ],
    prelude: `fn silu(v: ${t}) -> ${t} {
  let e = exp(-abs(v));
  return select(v * e, v, v >= ${t}(0.0)) / (1.0 + e);
}`,
    body: `
  let i = gid;
  if (i >= P.n / ${v}u) { return; }
  let gi = P.gateOff / ${v}u + i;
  gate[gi] = silu(gate[gi]) * up[P.upOff / ${v}u + i];`,
  };
}

const SCALAR = program(false);
const VEC4 = program(true);

/** Encode gate ← SiLU(gate)·up over n ≥ 1 elements (`gate` bound read-write). */
export function encodeSwiglu(call: GpuCall, gate: GpuRef, up: GpuRef, n: number): void {
  const vec4 = n % 4 === 0 && gate.offset % 4 === 0 && up.offset % 4 === 0;
  call.dispatch(vec4 ? VEC4 : SCALAR, { n }, [gate, up], Math.ceil(n / (vec4 ? 4 * WG : WG)));
}
