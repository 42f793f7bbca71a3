/**
 * softmax on the GPU: out = exp(x − max x) / Σ exp(x − max x) over n elements (the
 * attention weights and the sampling distribution of a decode step; n up to the vocabulary,
 * e.g. 32000). `out` may be `x` itself (the same device array): the program then reads and
 * writes that one binding, with no copy.
 *
 * One workgroup of 256 invocations per vector (a vector is a few hundred KB at most, so a
 * single workgroup streams it from cache), three sweeps with strided, coalesced loads
 * (16-byte ones when n and the offsets are multiples of 4):
 * 1. the maximum (tree max in workgroup memory);
 * 2. Σ exp(x − max) in float32 (tree sum);
 * 3. out[i] = exp(x[i] − max) / Σ — the exponentials are recomputed (the same expression
 *    as in sweep 2, so Σ out = 1 to rounding) rather than stored and re-read.
 * In place, sweep 3 of an invocation reads and writes only its own elements after every
 * read of sweeps 1–2 has passed the reductions' barriers, so aliasing is safe.
 *
 * WGSL's exp may be 3 + 2|x| ULP off, so outputs are compared with a relative bound that grows
 * with |x_i − max| (docs/backends.md).
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram, StorageType } from '../program.js';
import { treeReduce } from './snippets.js';

const WG = 256;
const LOWEST = '-3.4028234663852886e38';

function program(vec4: boolean, inPlace: boolean): GpuProgram {
  const t: StorageType = vec4 ? 'vec4<f32>' : 'f32';
  const v = vec4 ? 4 : 1;
  const X = inPlace ? 'out' : 'x'; // where x is read from
  const lanes = (e: string, op: '+' | 'max') => (!vec4 ? e
    : op === '+' ? `(${e}.x + ${e}.y) + (${e}.z + ${e}.w)` : `max(max(${e}.x, ${e}.y), max(${e}.z, ${e}.w))`);
  return {
    cacheKey: `softmax:${vec4 ? 'vec4' : 'f32'}:${inPlace ? 'inplace' : 'copy'}`,
    workgroupSize: [WG, 1],
    uniforms: [{ name: 'n', type: 'u32' }],
    bindings: [
      ...(inPlace ? [] : [{ name: 'x', type: t, access: 'read' as const }]),
      { name: 'out', type: t, access: 'read_write' },
    ],
    prelude: `var<workgroup> red: array<f32, ${WG}>;`,
    body: `
  let m = P.n / ${v}u;
  let x0 = P.${X}Off / ${v}u;
  let o0 = P.outOff / ${v}u;
  var mx4 = ${t}(${LOWEST});
  for (var i = lid; i < m; i = i + ${WG}u) { mx4 = max(mx4, ${X}[x0 + i]); }
  red[lid] = ${lanes('mx4', 'max')};
${treeReduce('red', WG, 'max')}
  let mx = red[0];
  workgroupBarrier();
  var s4 = ${t}(0.0);
  for (var i = lid; i < m; i = i + ${WG}u) { s4 = s4 + exp(${X}[x0 + i] - mx); }
  red[lid] = ${lanes('s4', '+')};
${treeReduce('red', WG, '+')}
  let total = red[0];
  for (var i = lid; i < m; i = i + ${WG}u) { out[o0 + i] = exp(${X}[x0 + i] - mx) / total; }`,
  };
}

const PROGRAMS = [false, true].flatMap((vec4) => [false, true].map((inPlace) => program(vec4, inPlace)));

/** Encode out = softmax(x[0..n)) (n ≥ 1); `x` null: in place, x is `out`. */
export function encodeSoftmax(call: GpuCall, x: GpuRef | null, out: GpuRef, n: number): void {
  const vec4 = n % 4 === 0 && out.offset % 4 === 0 && (x === null || x.offset % 4 === 0);
  const p = PROGRAMS[(vec4 ? 2 : 0) + (x === null ? 1 : 0)];
  call.dispatch(p, { n }, x === null ? [out] : [x, out], 1);
}
