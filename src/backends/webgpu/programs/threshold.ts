/**
 * threshold on the GPU (TEAL, arXiv 2408.14690): out[i] = v[i] where |v[i]| ≥ t and v[i] ≠ 0,
 * else 0, and the number of zeros written, added atomically into a u32 scalar slot (integer
 * counts are exact, so the order of the additions does not matter).
 *
 * One invocation per element. v is float32, so |v| ≥ t holds exactly when |v| ≥ t↑, the
 * smallest float32 not below t (`f32AtLeast`): the uniform carries t↑ and the GPU keeps and
 * counts exactly what the float64 reference does.
 */
import type { GpuCall, GpuRef, ScalarSlots } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';

export const WG = 256;

/** Workgroup counter of the elementwise threshold programs (with `flushCount`). */
export const COUNT_PRELUDE = 'var<workgroup> wgCount: atomic<u32>;';

/** Body prologue: clear the workgroup counter (every invocation must reach it). */
export const CLEAR_COUNT = `  if (lid == 0u) { atomicStore(&wgCount, 0u); }
  workgroupBarrier();`;

/** Body epilogue: add the workgroup's count into count[0] (every invocation must reach it). */
export const FLUSH_COUNT = `  workgroupBarrier();
  if (lid == 0u) {
    let c = atomicLoad(&wgCount);
    if (c > 0u) { atomicAdd(&count[P.countOff], c); }
  }`;

/** SiLU(v) = v/(1 + e^−v) with e^−|v| (exp never overflows float32; WGSL leaves overflow undefined). */
export const SILU_WGSL = `fn silu(v: f32) -> f32 {
  let e = exp(-abs(v));
  return select(v * e, v, v >= 0.0) / (1.0 + e);
}`;

/** The smallest float32 ≥ t (t itself when representable; NaN stays NaN). */
export function f32AtLeast(t: number): number {
  const f = Math.fround(t);
  if (!(f < t)) return f;
  if (f === 0) return 2 ** -149; // t is a positive number below the smallest subnormal
  const bits = new Int32Array(Float32Array.of(f).buffer);
  bits[0] += f > 0 ? 1 : -1; // one ulp towards +∞ (sign-magnitude: a negative float shrinks)
  return new Float32Array(bits.buffer)[0];
}

export const thresholdProgram: GpuProgram = {
  cacheKey: 'threshold',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }, { name: 't', type: 'f32' }],
  bindings: [
    { name: 'v', type: 'f32', access: 'read' },
    { name: 'out', type: 'f32', access: 'read_write' },
    { name: 'count', type: 'atomic<u32>', access: 'read_write' },
  ],
  prelude: COUNT_PRELUDE,
  body: `
${CLEAR_COUNT}
  if (gid < P.n) {
    let a = v[P.vOff + gid];
    if (abs(a) >= P.t && a != 0.0) {
      out[P.outOff + gid] = a;
    } else {
      out[P.outOff + gid] = 0.0;
      atomicAdd(&wgCount, 1u);
    }
  }
${FLUSH_COUNT}`,
};

/** Encode out = s(v; t) over n ≥ 1 elements; the zero count is `slots.u32(0)` after completion. */
export function encodeThreshold(call: GpuCall, v: GpuRef, t: number, out: GpuRef, n: number): ScalarSlots {
  const slots = call.scalars([0]);
  call.dispatch(thresholdProgram, { n, t: f32AtLeast(t) }, [v, out, slots.ref], Math.ceil(n / WG));
  return slots;
}
