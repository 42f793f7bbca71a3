/**
 * Greedy sampling on the GPU: out[0] = the index of the largest of n values (ties to the lower
 * index, as the host sampler's argmax), out[1] = the first NaN's index or 0xFFFFFFFF. One
 * workgroup: invocation i scans i, i + WG, … in increasing order, then a tree reduce over
 * (value, index) pairs keeps the larger value, the lower index on ties.
 */
import type { GpuProgram } from '../program.js';

const WG = 256;

export const argmaxProgram: GpuProgram = {
  cacheKey: 'decode:argmax',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }],
  bindings: [
    { name: 'v', type: 'f32', access: 'read' },
    { name: 'out', type: 'u32', access: 'read_write' },
  ],
  prelude: `var<workgroup> best: array<f32, ${WG}>;
var<workgroup> at: array<u32, ${WG}>;
var<workgroup> nan: array<u32, ${WG}>;`,
  body: `
  var b = -3.4e38;
  var bi = 0xFFFFFFFFu;
  var ni = 0xFFFFFFFFu;
  for (var i = lid; i < P.n; i = i + ${WG}u) {
    let x = v[P.vOff + i];
    if ((bitcast<u32>(x) & 0x7FFFFFFFu) > 0x7F800000u) { ni = min(ni, i); } // NaN (bits, not x != x: compilers may fold that)
    else if (bi == 0xFFFFFFFFu || x > b) { b = x; bi = i; }
  }
  best[lid] = b;
  at[lid] = bi;
  nan[lid] = ni;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let ob = best[lid + s];
      let oi = at[lid + s];
      if (oi != 0xFFFFFFFFu && (at[lid] == 0xFFFFFFFFu || ob > best[lid] || (ob == best[lid] && oi < at[lid]))) {
        best[lid] = ob;
        at[lid] = oi;
      }
      nan[lid] = min(nan[lid], nan[lid + s]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[P.outOff] = at[0];
    out[P.outOff + 1u] = nan[0];
  }`,
};
