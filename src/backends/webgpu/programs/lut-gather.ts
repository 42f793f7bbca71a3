/**
 * lutGather on the GPU (A²ATS §3): out[j] = table[codes[j]] — each token's approximate score
 * looked up by its centroid code. One invocation per token; the table (a few KB) stays in
 * cache, so the kernel streams the codes and the output: 8 bytes per token.
 *
 * A code outside [0, tableSize) is not read; the lowest such position is recorded with an
 * atomic min in a scalar slot (0xFFFFFFFF: none), so the call can fail with BAD_ARGUMENT
 * naming it, as the CPU kernels do.
 */
import type { GpuCall, GpuRef, ScalarSlots } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';

const WG = 256;

export const lutGatherProgram: GpuProgram = {
  cacheKey: 'lutGather',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }, { name: 'tableSize', type: 'u32' }],
  bindings: [
    { name: 'table', type: 'f32', access: 'read' },
    { name: 'codes', type: 'i32', access: 'read' },
    { name: 'out', type: 'f32', access: 'read_write' },
    { name: 'bad', type: 'atomic<u32>', access: 'read_write' },
  ],
  body: `
  let j = gid;
  if (j >= P.n) { return; }
  let c = codes[P.codesOff + j];
  if (c < 0 || u32(c) >= P.tableSize) {
    atomicMin(&bad[P.badOff], j);
    out[P.outOff + j] = 0.0;
    return;
  }
  out[P.outOff + j] = table[P.tableOff + u32(c)];`,
};

/** Encode out = table[codes]; `slots.u32(0)` is the first bad position (0xFFFFFFFF: none). */
export function encodeLutGather(call: GpuCall, table: GpuRef, tableSize: number, codes: GpuRef, n: number,
  out: GpuRef): ScalarSlots {
  const slots = call.scalars([0xFFFFFFFF]);
  call.dispatch(lutGatherProgram, { n, tableSize }, [table, codes, out, slots.ref], Math.ceil(n / WG));
  return slots;
}
