/**
 * out[i*k + j] = ‖X_i − C_j‖², computed directly as Σ (x − c)² in float64 — the oracle
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
