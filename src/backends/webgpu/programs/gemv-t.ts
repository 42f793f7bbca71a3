/**
 * gemvT on the GPU: y = x·W (= Wᵀx), W rows×cols row-major, x: rows, y: cols. Also the
 * engine of spvmm (CHESS §4): rows whose x_r is 0 are skipped without reading W[r,:] — the
 * reference gemvT skips them too, so the two kernels are the same computation and differ
 * only in spvmm's returned count.
 *
 * Pass 1: the rows are split into chunks; a workgroup owns 256 columns (1024 with vec4
 * loads) of one chunk, each invocation one column (or 4), and walks down the chunk's rows
 * four at a time (four weight loads in flight) — neighbouring invocations read neighbouring
 * weights (coalesced), and the x_r = 0 test is
 * uniform across the workgroup, so a skipped row costs no weight traffic. Partial sums go
 * to a chunks×cols buffer; pass 2 (reduce-rows) adds the chunks in a fixed order. With one
 * chunk, pass 1 writes y directly.
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { vec4Aligned } from './gemv.js';
import { encodeReduceRows } from './reduce-rows.js';

const WG = 256;

function program(vec4: boolean): GpuProgram {
  const t = vec4 ? 'vec4<f32>' : 'f32';
  const v = vec4 ? 4 : 1;
  return {
    cacheKey: `gemvT:${vec4 ? 'vec4' : 'f32'}`,
    workgroupSize: [WG, 1],
    uniforms: [
      { name: 'rows', type: 'u32' }, { name: 'cols', type: 'u32' },
      { name: 'colGroups', type: 'u32' }, { name: 'chunkRows', type: 'u32' },
    ],
    bindings: [
      { name: 'W', type: t, access: 'read' },
      { name: 'x', type: 'f32', access: 'read' },
      { name: 'part', type: t, access: 'read_write' },
    ],
    body: `
  let cv = P.cols / ${v}u;
  let c = (wid % P.colGroups) * ${WG}u + lid;
  let chunk = wid / P.colGroups;
  if (c >= cv) { return; }
  let r0 = chunk * P.chunkRows;
  let r1 = min(r0 + P.chunkRows, P.rows);
  let w0 = P.WOff / ${v}u;
  // Four rows per step with independent accumulators, so four weight loads are in flight.
  var acc = ${t}(0.0);
  var a1 = ${t}(0.0);
  var a2 = ${t}(0.0);
  var a3 = ${t}(0.0);
  var r = r0;
  for (; r + 3u < r1; r = r + 4u) {
    let x0 = x[P.xOff + r];
    let x1 = x[P.xOff + r + 1u];
    let x2 = x[P.xOff + r + 2u];
    let x3 = x[P.xOff + r + 3u];
    if (x0 != 0.0) { acc = acc + x0 * W[w0 + r * cv + c]; }
    if (x1 != 0.0) { a1 = a1 + x1 * W[w0 + (r + 1u) * cv + c]; }
    if (x2 != 0.0) { a2 = a2 + x2 * W[w0 + (r + 2u) * cv + c]; }
    if (x3 != 0.0) { a3 = a3 + x3 * W[w0 + (r + 3u) * cv + c]; }
  }
  for (; r < r1; r = r + 1u) {
    let xr = x[P.xOff + r];
    if (xr != 0.0) { acc = acc + xr * W[w0 + r * cv + c]; }
  }
  part[P.partOff / ${v}u + chunk * cv + c] = (acc + a1) + (a2 + a3);`,
  };
}

const SCALAR = program(false);
const VEC4 = program(true);

/** Encode y = x·W skipping rows with x_r = 0 (rows ≥ 1, cols ≥ 1). */
export function encodeGemvT(call: GpuCall, W: GpuRef, x: GpuRef, y: GpuRef, rows: number, cols: number): void {
  const chunkRows = Math.max(16, Math.ceil(rows / 256));
  const chunks = Math.ceil(rows / chunkRows);
  const direct = chunks === 1;
  const vec4 = vec4Aligned(cols, W) && (!direct || y.offset % 4 === 0);
  const colGroups = Math.ceil(cols / (vec4 ? 4 : 1) / WG);
  const part = direct ? y : { buffer: call.scratch(chunks * cols * 4), offset: 0 };
  call.dispatch(vec4 ? VEC4 : SCALAR, { rows, cols, colGroups, chunkRows }, [W, x, part], colGroups * chunks);
  if (!direct) encodeReduceRows(call, part, y, chunks, cols);
}
