/**
 * rmsnorm on the GPU (Zhang & Sennrich, arXiv 1910.07467): out[i] = w[i]·(x[i]·r) with
 * r = 1/sqrt(mean(x²) + eps), over n elements (a Llama layer's input norm, n = dim).
 * `out` may be `x` itself (the same device array): the program then reads and writes that
 * one binding, with no copy.
 *
 * One workgroup of 256 invocations per vector, two sweeps with strided, coalesced loads
 * (16-byte ones when n and the offsets are multiples of 4): Σ x² (float32, tree sum in
 * workgroup memory), then the scaled product. In place, the second sweep of an invocation
 * reads and writes only its own elements after every read of the first has passed the
 * reduction's barriers.
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram, StorageType } from '../program.js';
import { treeReduce } from './snippets.js';

const WG = 256;

function program(vec4: boolean, inPlace: boolean): GpuProgram {
  const t: StorageType = vec4 ? 'vec4<f32>' : 'f32';
  const v = vec4 ? 4 : 1;
  const X = inPlace ? 'out' : 'x'; // where x is read from
  return {
    cacheKey: `rmsnorm:${vec4 ? 'vec4' : 'f32'}:${inPlace ? 'inplace' : 'copy'}`,
    workgroupSize: [WG, 1],
    uniforms: [{ name: 'n', type: 'u32' }, { name: 'eps', type: 'f32' }],
    bindings: [
      ...(inPlace ? [] : [{ name: 'x', type: t, access: 'read' as const }]),
      { name: 'w', type: t, access: 'read' },
      { name: 'out', type: t, access: 'read_write' },
    ],
    prelude: `var<workgroup> red: array<f32, ${WG}>;`,
    body: `
  let m = P.n / ${v}u;
  let x0 = P.${X}Off / ${v}u;
  let w0 = P.wOff / ${v}u;
  let o0 = P.outOff / ${v}u;
  var ss4 = ${t}(0.0);
  for (var i = lid; i < m; i = i + ${WG}u) { let a = ${X}[x0 + i]; ss4 = ss4 + a * a; }
  red[lid] = ${vec4 ? '(ss4.x + ss4.y) + (ss4.z + ss4.w)' : 'ss4'};
${treeReduce('red', WG, '+')}
  let r = 1.0 / sqrt(red[0] / f32(P.n) + P.eps);
  for (var i = lid; i < m; i = i + ${WG}u) { out[o0 + i] = w[w0 + i] * (${X}[x0 + i] * r); }`,
  };
}

const PROGRAMS = [false, true].flatMap((vec4) => [false, true].map((inPlace) => program(vec4, inPlace)));

/** Encode out = w ⊙ x / sqrt(mean(x²) + eps) (n ≥ 1); `x` null: in place, x is `out`. */
export function encodeRmsnorm(call: GpuCall, x: GpuRef | null, w: GpuRef, out: GpuRef, n: number, eps: number): void {
  const vec4 = n % 4 === 0 && w.offset % 4 === 0 && out.offset % 4 === 0 && (x === null || x.offset % 4 === 0);
  const p = PROGRAMS[(vec4 ? 2 : 0) + (x === null ? 1 : 0)];
  call.dispatch(p, { n, eps }, x === null ? [w, out] : [x, w, out], 1);
}
