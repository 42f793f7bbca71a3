/**
 * sum on the GPU: Σ x[0..n) — the plain streaming read, the memory roofline that the
 * benchmarks measure gemv, spvmm and lutGather against.
 *
 * Pass 1: G ≤ 4096 workgroups of 256 invocations; each invocation strides over the array
 * (coalesced: neighbours read neighbouring floats, 16 bytes at a time when n and the offset
 * are multiples of 4) and the workgroup tree-reduces into partial[wid]. Pass 2: one workgroup
 * sums the G partials. float32 accumulation.
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { treeReduce } from './snippets.js';

const WG = 256;

/**
 * A grid-stride reduction: each invocation runs `loop` (which leaves its partial in `acc`),
 * the workgroup tree-reduces, and invocation 0 writes out[wid]. Shared by sum and dot.
 */
export function gridReduceProgram(cacheKey: string, loop: string, inputs: GpuProgram['bindings']): GpuProgram {
  return {
    cacheKey,
    workgroupSize: [WG, 1],
    uniforms: [{ name: 'n', type: 'u32' }],
    bindings: [...inputs, { name: 'out', type: 'f32', access: 'read_write' }],
    prelude: `var<workgroup> red: array<f32, ${WG}>;`,
    body: `
  let stride = P.groups * ${WG}u;
${loop}
  red[lid] = acc;
${treeReduce('red', WG, '+')}
  if (lid == 0u) { out[P.outOff + wid] = red[0]; }`,
  };
}

function program(vec4: boolean): GpuProgram {
  const loop = vec4
    ? `  var acc4 = vec4<f32>(0.0);
  let x0 = P.xOff / 4u;
  for (var i = gid; i < P.n / 4u; i = i + stride) { acc4 = acc4 + x[x0 + i]; }
  let acc = acc4.x + acc4.y + acc4.z + acc4.w;`
    : `  var acc = 0.0;
  for (var i = gid; i < P.n; i = i + stride) { acc = acc + x[P.xOff + i]; }`;
  return gridReduceProgram(`sum:${vec4 ? 'vec4' : 'f32'}`, loop, [{ name: 'x', type: vec4 ? 'vec4<f32>' : 'f32', access: 'read' }]);
}

const SCALAR = program(false);
const VEC4 = program(true);

/**
 * Encode a grid-reduce program over n elements of `inputs` into the f32 at `out`: one pass
 * when a single workgroup suffices, else G ≤ 4096 partials and sum's second pass over them.
 */
export function encodeGridReduce(call: GpuCall, p: GpuProgram, inputs: GpuRef[], out: GpuRef, n: number): void {
  const groups = Math.min(4096, Math.ceil(n / (WG * 16)));
  if (groups === 1) {
    call.dispatch(p, { n }, [...inputs, out], 1);
    return;
  }
  const partial = { buffer: call.scratch(groups * 4), offset: 0 };
  call.dispatch(p, { n }, [...inputs, partial], groups);
  call.dispatch(SCALAR, { n: groups }, [partial, out], 1);
}

/** Encode Σ x[0..n) into the f32 at `out` (n ≥ 1). */
export function encodeSum(call: GpuCall, x: GpuRef, out: GpuRef, n: number): void {
  encodeGridReduce(call, n % 4 === 0 && x.offset % 4 === 0 ? VEC4 : SCALAR, [x], out, n);
}
