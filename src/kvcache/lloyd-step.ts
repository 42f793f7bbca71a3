/**
 * One Lloyd iteration of k-means (Lloyd 1982) on resident buffers: assign every point to its
 * nearest centroid with kernels.argminL2 (the O(n·k·d) part), then recompute each centroid as
 * the mean of its points (O(n·d), float64 sums). Returns the exact objective of the centroids
 * *before* the update, Σ_i ‖x_i − c_{code_i}‖², the centroid shift Σ_c ‖Δc‖², and the clusters
 * left empty (their centroids are unchanged; the caller re-seeds them).
 *
 * @example
 * const { objective, shift, empty } = lloydStep(kernels, X, C, codes, dist, n, k, d, sums, counts);
 */
import type { Kernels, ResidentArray } from '../kernels/kernels.js';

/** Objective before the update, centroid shift, and empty clusters of one Lloyd step. */
export interface LloydStepResult {
  objective: number;
  shift: number;
  empty: number[];
}

/** X: n*d, C: k*d (updated in place), codes/dist: n; sums: k*d and counts: k are scratch. */
export function lloydStep(kernels: Kernels, X: ResidentArray<Float32Array>, C: ResidentArray<Float32Array>,
  codes: ResidentArray<Int32Array>, dist: ResidentArray<Float32Array>, n: number, k: number, d: number,
  sums: Float64Array, counts: Int32Array): LloydStepResult {
  kernels.argminL2(X.view(), C.view(), codes.view(), dist.view(), n, k, d);
  const x = X.view(), c = C.view(), cd = codes.view();
  sums.fill(0, 0, k * d); counts.fill(0, 0, k);
  let objective = 0;
  for (let i = 0; i < n; i++) {
    const j = cd[i];
    counts[j]++;
    const xo = i * d, co = j * d;
    for (let t = 0; t < d; t++) {
      const v = x[xo + t];
      const e = v - c[co + t];
      objective += e * e;
      sums[co + t] += v;
    }
  }
  let shift = 0;
  const empty: number[] = [];
  for (let j = 0; j < k; j++) {
    if (counts[j] === 0) { empty.push(j); continue; }
    const inv = 1 / counts[j];
    for (let t = 0; t < d; t++) {
      const nv = sums[j * d + t] * inv;
      const e = nv - c[j * d + t];
      shift += e * e;
      c[j * d + t] = nv;
    }
  }
  return { objective, shift, empty };
}
