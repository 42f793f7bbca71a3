/**
 * argminL2 on the GPU: the k-means assignment step — for each of n points, the nearest of k
 * centroids (ties to the lower index) and its squared distance.
 *
 * A 16×16 workgroup owns 16 points and sweeps the centroids 16 at a time with the tiled
 * distance of l2sqrBatch; after each tile, one invocation per point scans the tile's 16
 * distances in increasing centroid order with a strict `<`, so an exact tie keeps the lower
 * index, as the reference does.
 *
 * NaN (device arrays are not scanned on the host): a NaN distance never wins, so a point gets
 * the nearest centroid at a non-NaN distance, or code −1 and distance NaN when every distance
 * is NaN (NaN in its row of X). Two scalar slots record, by atomic min, the first such point
 * and the first point with some NaN distance (NaN in C, or ±Infinity meeting ±Infinity), so
 * the call fails with BAD_ARGUMENT as the CPU kernels do; the outputs are written either way.
 * NaN is tested on the bits: WGSL lets compilers assume floats are never NaN.
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
var<workgroup> Ds: array<f32, ${TILE * TILE}>;`,
  body: `
  var best = 0.0;
  var bestJ = -1;
  var sawNaN = false;
  var nanD = 0.0; // a NaN seen (a NaN literal is a WGSL compile error)
  let tiles = (P.k + ${TILE - 1}u) / ${TILE}u;
  for (var tj = 0u; tj < tiles; tj = tj + 1u) {
${tileDistance('wid', 'tj')}
    Ds[lid3.y * ${TILE}u + lid3.x] = acc;
    workgroupBarrier();
    if (lid3.x == 0u) {
      let valid = min(${TILE}u, P.k - tj * ${TILE}u);
      for (var q = 0u; q < valid; q = q + 1u) {
        let dv = Ds[lid3.y * ${TILE}u + q];
        if ((bitcast<u32>(dv) & 0x7fffffffu) > 0x7f800000u) { sawNaN = true; nanD = dv; }
        else if (bestJ < 0 || dv < best) { best = dv; bestJ = i32(tj * ${TILE}u + q); }
      }
    }
    workgroupBarrier();
  }
  let i = wid * ${TILE}u + lid3.y;
  if (lid3.x == 0u && i < P.n) {
    if (bestJ < 0) { best = nanD; atomicMin(&bad[P.badOff], i); }
    else if (sawNaN) { atomicMin(&bad[P.badOff + 1u], i); }
    codes[P.codesOff + i] = bestJ;
    dist[P.distOff + i] = best;
  }`,
};

/**
 * Encode codes/dist = nearest centroid per point (n, k, d ≥ 1). `slots.u32(0)`: the first point
 * whose every distance is NaN, `slots.u32(1)`: the first point with some NaN distance
 * (0xFFFFFFFF: none).
 */
export function encodeArgminL2(call: GpuCall, X: GpuRef, C: GpuRef, codes: GpuRef, dist: GpuRef,
  n: number, k: number, d: number): ScalarSlots {
  const slots = call.scalars([0xFFFFFFFF, 0xFFFFFFFF]);
  call.dispatch(argminL2Program, { n, k, d }, [X, C, codes, dist, slots.ref], Math.ceil(n / TILE));
  return slots;
}
