/**
 * Principal component embedding: project centred points onto the top-d eigenvectors of their
 * covariance (Pearson 1901; Jolliffe 2002). points: n*D row-major; returns n*d row-major scores.
 */
import { badArgument } from '../../core/errors.js';
import { checkInt } from '../../core/validate.js';
import { checkPointCloud } from './point-cloud.js';
import { symmetricEigen } from './symmetric-eigen.js';

/**
 * @example pcaEmbedding(points, n, 3, 2) // n*2 scores on the top two principal axes
 */
export function pcaEmbedding(points: Float64Array, n: number, D: number, d: number): Float64Array {
  checkPointCloud(points, n, D);
  checkInt('d', d, 1);
  if (d > D) throw badArgument(`embedding dimension ${d} exceeds the ambient dimension ${D}`);
  const mean = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let a = 0; a < D; a++) mean[a] += points[i * D + a] / n;
  const C = new Float64Array(D * D);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < D; a++) {
      const va = points[i * D + a] - mean[a];
      for (let b = 0; b < D; b++) C[a * D + b] += (va * (points[i * D + b] - mean[b])) / (n - 1);
    }
  }
  const { vectors } = symmetricEigen(C, D);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) {
      let s = 0;
      for (let a = 0; a < D; a++) s += (points[i * D + a] - mean[a]) * vectors[a * D + c];
      out[i * d + c] = s;
    }
  }
  return out;
}
