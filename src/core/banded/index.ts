/**
 * Symmetric positive definite banded matrices (B-spline Gram matrices BᵀB): storage, O(n·bw²)
 * Cholesky, O(n·bw) solves and log-determinant, and the O(m q²) normal-equations builder.
 */
export { denseToBanded, bandedToDense, bandedMatVec } from './storage.js';
export { bandedCholesky, type BandedCholeskyResult } from './banded-cholesky.js';
export { bandedSolve, bandedSolveLower, bandedSolveLowerT } from './banded-solve.js';
export { bandedLogDet } from './banded-log-det.js';
export {
  bandedNormalEquations, sparseRowsRss, type BandedNormalEquations, type NormalEquationsOptions,
} from './sparse-rows.js';
