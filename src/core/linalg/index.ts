/**
 * Dense linear algebra on Float64Array, row-major, with explicit sizes: Cholesky with jitter,
 * triangular solves, inverse of a triangular factor, least squares by pivoted QR, and small
 * matrix helpers.
 */
export { cholesky, type CholeskyOptions, type CholeskyResult } from './cholesky.js';
export { solveLower, solveUpper, solveLowerT } from './triangular.js';
export { choleskySolve, logDetFromCholesky } from './cholesky-solve.js';
export { inverseLower } from './inverse-lower.js';
export {
  leastSquares, DEFAULT_MAX_CONDITION, type LeastSquaresOptions, type LeastSquaresResult,
} from './least-squares.js';
export { matmul, transpose, gram } from './matrix.js';
export type { JitterOptions } from './jitter.js';
