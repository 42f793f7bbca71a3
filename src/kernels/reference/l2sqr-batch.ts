import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * Squared L2 distances of n points to k centroids, via ‖x‖² − 2x·c + ‖c‖² (blocked).
 * X: n*d row-major; C: k*d row-major; out: n*k row-major (out[i*k + j] = ‖X_i − C_j‖²).
 * Results are clamped at 0 (the expansion can round slightly negative).
 *
 * Reference: out[i*k + j] = ‖X_i − C_j‖², computed directly as Σ (x − c)² in float64 — the oracle
 * for the blocked ‖x‖² − 2x·c + ‖c‖² kernels of the fast backends.
 */
export function l2sqrBatch(X: Float32Array, C: Float32Array, out: Float32Array, n: number, k: number, d: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = X[i * d + t] - C[j * d + t];
        s += diff * diff;
      }
      out[i * k + j] = s;
    }
  }
}

/** l2sqrBatch: squared distances of n points to k centroids. */
export const l2sqrBatchKernel = defineKernel('l2sqrBatch', l2sqrBatch, {
  args: [
    f32('X', 'n*d', ([, , , n, , d]) => n * d), f32('C', 'k*d', ([, , , , k, d]) => k * d),
    f32('out', 'n*k', ([, , , n, k]) => n * k, { role: 'out' }), size('n'), size('k'), size('d', 1),
  ],
  split: 'rows',
  work: ([, , , n, k, d]) => n * k * d,
});
