/**
 * l2sqrBatch on the GPU: out[i*k + j] = ‖X_i − C_j‖² for n points and k centroids of
 * dimension d. Tiled like a matrix product: a 16×16 workgroup computes a 16-point ×
 * 16-centroid block, staging 16×16 slices of X and C in workgroup memory, so each loaded
 * value is used 16 times. Distances are summed directly as Σ (x − c)² in float32, which (unlike
 * the ‖x‖² − 2x·c + ‖c‖² expansion of the CPU kernels) cannot cancel below zero.
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';

export const TILE = 16;

/**
 * WGSL that leaves in `acc` the squared distance between point `pi` (= tileRow·16 + ly) and
 * centroid `cj` (= tileCol·16 + lx); needs workgroup arrays Xs and Cs (16×17, padded
 * against bank conflicts). Points ≥ n and centroids ≥ k read as zeros.
 */
export function tileDistance(tileRow: string, tileCol: string): string {
  return `
  var acc = 0.0;
  for (var t0 = 0u; t0 < P.d; t0 = t0 + ${TILE}u) {
    let t = t0 + lid3.x;
    let xi = ${tileRow} * ${TILE}u + lid3.y;
    let cj = ${tileCol} * ${TILE}u + lid3.y;
    var xv = 0.0;
    var cv = 0.0;
    if (xi < P.n && t < P.d) { xv = X[P.XOff + xi * P.d + t]; }
    if (cj < P.k && t < P.d) { cv = C[P.COff + cj * P.d + t]; }
    Xs[lid3.y * 17u + lid3.x] = xv;
    Cs[lid3.y * 17u + lid3.x] = cv;
    workgroupBarrier();
    for (var u = 0u; u < ${TILE}u; u = u + 1u) {
      let diff = Xs[lid3.y * 17u + u] - Cs[lid3.x * 17u + u];
      acc = acc + diff * diff;
    }
    workgroupBarrier();
  }`;
}

export const TILE_PRELUDE = `var<workgroup> Xs: array<f32, ${TILE * 17}>;
var<workgroup> Cs: array<f32, ${TILE * 17}>;`;

export const l2sqrBatchProgram: GpuProgram = {
  cacheKey: 'l2sqrBatch',
  workgroupSize: [TILE, TILE],
  uniforms: [{ name: 'n', type: 'u32' }, { name: 'k', type: 'u32' }, { name: 'd', type: 'u32' }, { name: 'tilesK', type: 'u32' }],
  bindings: [
    { name: 'X', type: 'f32', access: 'read' },
    { name: 'C', type: 'f32', access: 'read' },
    { name: 'out', type: 'f32', access: 'read_write' },
  ],
  prelude: TILE_PRELUDE,
  body: `
  let ti = wid / P.tilesK;
  let tj = wid % P.tilesK;
${tileDistance('ti', 'tj')}
  let i = ti * ${TILE}u + lid3.y;
  let j = tj * ${TILE}u + lid3.x;
  if (i < P.n && j < P.k) { out[P.outOff + i * P.k + j] = acc; }`,
};

/** Encode out = all squared distances (n, k, d ≥ 1). */
export function encodeL2sqrBatch(call: GpuCall, X: GpuRef, C: GpuRef, out: GpuRef, n: number, k: number, d: number): void {
  const tilesK = Math.ceil(k / TILE);
  call.dispatch(l2sqrBatchProgram, { n, k, d, tilesK }, [X, C, out], Math.ceil(n / TILE) * tilesK);
}
