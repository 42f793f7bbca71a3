/**
 * The point-cloud arguments of the manifold functions: n points of D coordinates, row-major in
 * a Float64Array of at least n·D finite values. Sizes are bounded so that the n×n matrices of
 * ISOMAP (and the D×D covariance of PCA) stay within the library's allocation limit.
 */
import { checkElements } from '../../core/limits.js';
import { checkFinite, checkFloat64, checkInt } from '../../core/validate.js';

/** Ambient dimensions (the covariance and eigenproblem are D×D). */
const MAX_AMBIENT = 4096;

export function checkPointCloud(points: unknown, n: unknown, D: unknown, squareInN = false): Float64Array {
  const count = checkInt('n', n, 2, 2 ** 31 - 1);
  const dim = checkInt('D', D, 1, MAX_AMBIENT);
  checkElements('n·D', count, dim);
  if (squareInN) checkElements('n·n', count, count);
  const p = checkFloat64('points', points, count * dim);
  checkFinite('points', p, count * dim);
  return p;
}
