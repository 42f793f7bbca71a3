import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * Sparse input × input-major matrix (CHESS §4): y = x·W, reading only the rows W[k,:] whose
 * x_k ≠ 0 (their indices are compacted first). Same result as gemvT. x: rows; W: rows*cols,
 * row-major, input-major (row k = input channel k, e.g. W_downᵀ hidden×dim); y: cols,
 * overwritten, must not alias x or W. Returns the number of nonzero x_k. Correct for any shape.
 *
 * Reference: Sparse input vector × dense input-major matrix (CHESS §4, "spvmm"): y = x·W, reading only the
 * rows of W whose input x_k is nonzero. W: rows*cols, row-major and input-major (row k holds
 * input channel k's contribution to every output); x: rows; y: cols (overwritten).
 * Returns the number of nonzero inputs used. Float64 accumulation: this is the oracle.
 */
export function spvmm(x: Float32Array, W: Float32Array, y: Float32Array, rows: number, cols: number): number {
  const acc = new Float64Array(cols);
  let nnz = 0;
  for (let k = 0; k < rows; k++) {
    const xk = x[k];
    if (xk === 0) continue; // the whole point: a zero input never touches its weight row
    nnz++;
    const base = k * cols;
    for (let c = 0; c < cols; c++) acc[c] += xk * W[base + c];
  }
  for (let c = 0; c < cols; c++) y[c] = acc[c];
  return nnz;
}

/** spvmm: y = x·W over the nonzero x_k. */
export const spvmmKernel = defineKernel('spvmm', spvmm, {
  args: [
    f32('x', 'rows', ([, , , rows]) => rows), f32('W', 'rows*cols', ([, , , rows, cols]) => rows * cols),
    f32('y', 'cols', ([, , , , cols]) => cols, { role: 'out' }), size('rows'), size('cols'),
  ],
  split: 'partials',
  work: ([, , , rows, cols]) => rows * cols,
});
