import { defineKernel, f32, i32, size } from '../define-kernel.js';
import { checkFinite } from '../../core/validate.js';
/**
 * Nearest centroid per point. X: n*d; C: k*d; codes: n (Int32Array); dist: n (squared distance,
 * clamped at 0). Ties go to the lower centroid index.
 *
 * Reference: Nearest centroid (lowest index on ties) and its squared distance, per point.
 */
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

/** argminL2: nearest centroid per point. */
export const argminL2Kernel = defineKernel('argminL2', argminL2, {
  args: [
    f32('X', 'n*d', ([, , , , n, , d]) => n * d), f32('C', 'k*d', ([, , , , , k, d]) => k * d),
    i32('codes', 'n', ([, , , , n]) => n, { role: 'out' }), f32('dist', 'n', ([, , , , n]) => n, { role: 'out' }),
    size('n'), size('k', 1), size('d', 1),
  ],
  split: 'rows',
  work: ([, , , , n, k, d]) => n * k * d,
  // Non-finite input has no nearest centroid, and backends would disagree on the code. The scan
  // is the backend's own streaming sum (NaN and ±Infinity survive summation), a fraction of the
  // kernel even for k = 1; only when a sum is not finite is the element found and named.
  verify([X, C, , , n, k, d], raw) {
    if (!Number.isFinite(raw.sum(C, k * d))) checkFinite('C', C, k * d);
    if (!Number.isFinite(raw.sum(X, n * d))) checkFinite('X', X, n * d);
  },
});
