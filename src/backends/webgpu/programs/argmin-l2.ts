/**
 * argminL2 on the GPU: the k-means assignment step — for each of n points, the nearest of k
 * centroids (ties to the lower index) and its squared distance.
 *
 * A 16×16 workgroup owns 16 points and sweeps the centroids 16 at a time with the tiled
 * distance of l2sqrBatch; after each tile, one invocation per point scans the tile's 16
 * distances in increasing centroid order with a strict `<`, so an exact tie keeps the lower
 * index, as the reference does.
 *
 * Non-finite data (device arrays are not scanned on the host): the CPU kernels reject NaN or
 * ±Infinity anywhere in X or C, naming the first such element, and so does this program. A
 * non-finite element makes every distance it enters non-finite, so a point only rescans its
 * row of X, and the row of C of each centroid, when that distance is NaN or ±Infinity — never
 * in the common case, and an overflow of finite data finds nothing. Two scalar slots record,
 * by atomic min, the first non-finite flat index in X and in C, so the call fails with
 * BAD_ARGUMENT naming the same element as the CPU kernels. The outputs are written either way
 * and defined: a NaN distance never wins, a point whose every distance is NaN gets code −1 and
 * distance NaN. Non-finite values are tested on the bits (exponent all ones): WGSL lets
 * compilers assume floats are finite.
 */
import type { GpuCall, GpuRef, ScalarSlots } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { TILE, TILE_PRELUDE, tileDistance } from './l2sqr-batch.js';

export const argminL2Program: GpuProgram = {
  cacheKey: 'argminL2',
  workgroupSize: [TILE, TILE],
  uniforms: [{ name: 'n', type: 'u32' }, { name: 'k', type: 'u32' }, { name: 'd', type: 'u32' }],
  bindings: [
    { name: 'X', type: 'f32', access: 'read' },
    { name: 'C', type: 'f32', access: 'read' },
    { name: 'codes', type: 'i32', access: 'read_write' },
    { name: 'dist', type: 'f32', access: 'read_write' },
    { name: 'bad', type: 'atomic<u32>', access: 'read_write' },
  ],
  prelude: `${TILE_PRELUDE}
var<workgroup> Ds: array<f32, ${TILE * TILE}>;
fn nonFinite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u; }
fn isNaN(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }`,
  body: `
  let i = wid * ${TILE}u + lid3.y;
  var best = 0.0;
  var bestJ = -1;
  var nanD = 0.0; // a NaN seen (a NaN literal is a WGSL compile error)
  var xScanned = false;
  let tiles = (P.k + ${TILE - 1}u) / ${TILE}u;
  for (var tj = 0u; tj < tiles; tj = tj + 1u) {
${tileDistance('wid', 'tj')}
    Ds[lid3.y * ${TILE}u + lid3.x] = acc;
    workgroupBarrier();
    if (lid3.x == 0u && i < P.n) {
      let valid = min(${TILE}u, P.k - tj * ${TILE}u);
      for (var q = 0u; q < valid; q = q + 1u) {
        let dv = Ds[lid3.y * ${TILE}u + q];
        let j = tj * ${TILE}u + q;
        if (nonFinite(dv)) { // find the non-finite element(s) behind it, if any
          if (!xScanned) {
            xScanned = true;
            for (var t = 0u; t < P.d; t = t + 1u) {
              if (nonFinite(X[P.XOff + i * P.d + t])) { atomicMin(&bad[P.badOff], i * P.d + t); break; }
            }
          }
          for (var t = 0u; t < P.d; t = t + 1u) {
            if (nonFinite(C[P.COff + j * P.d + t])) { atomicMin(&bad[P.badOff + 1u], j * P.d + t); break; }
          }
        }
        if (isNaN(dv)) { nanD = dv; }
        else if (bestJ < 0 || dv < best) { best = dv; bestJ = i32(j); }
      }
    }
    workgroupBarrier();
  }
  if (lid3.x == 0u && i < P.n) {
    if (bestJ < 0) { best = nanD; }
    codes[P.codesOff + i] = bestJ;
    dist[P.distOff + i] = best;
  }`,
};

/**
 * Encode codes/dist = nearest centroid per point (n, k, d ≥ 1). `slots.u32(0)`: the first flat
 * index of a non-finite element of X, `slots.u32(1)`: of C (0xFFFFFFFF: none).
 */
export function encodeArgminL2(call: GpuCall, X: GpuRef, C: GpuRef, codes: GpuRef, dist: GpuRef,
  n: number, k: number, d: number): ScalarSlots {
  const slots = call.scalars([0xFFFFFFFF, 0xFFFFFFFF]);
  call.dispatch(argminL2Program, { n, k, d }, [X, C, codes, dist, slots.ref], Math.ceil(n / TILE));
  return slots;
}
