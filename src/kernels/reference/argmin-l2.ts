/** Nearest centroid (lowest index on ties) and its squared distance, per point. */
export function argminL2(X: Float32Array, C: Float32Array, codes: Int32Array, dist: Float32Array,
  n: number, k: number, d: number): void {
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = X[i * d + t] - C[j * d + t];
        s += diff * diff;
      }
      if (s < bestD) { bestD = s; best = j; }
    }
    codes[i] = best;
    dist[i] = bestD;
  }
}
