/**
 * Σ|terms| of the expansion ‖x‖² + ‖c‖² − 2x·c for point i of X and centroid j of C (rows of
 * length d): what the float32 rounding error of the fast l2 kernels scales with. Near x ≈ c
 * the expansion cancels, so the error is relative to these terms, not to the distance.
 */
export function expansionTerms(X: Float32Array, C: Float32Array, i: number, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const x = X[i * d + t], c = C[j * d + t];
    s += x * x + c * c + 2 * Math.abs(x * c);
  }
  return s;
}
