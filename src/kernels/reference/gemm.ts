import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * Y = X·Wᵀ: gemv for n vectors in one pass over W. W: rows*cols, row-major; X: n*cols
 * (vector j at j·cols); Y: n*rows (Y[j·rows + r] = W[r]·X[j]).
 *
 * Reference: Y = X·Wᵀ. W: rows*cols row-major; X: n*cols (n vectors); Y: n*rows. Float64 accumulation.
 */
export function gemm(W: Float32Array, X: Float32Array, Y: Float32Array, rows: number, cols: number, n: number): void {
  for (let j = 0; j < n; j++) {
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += W[r * cols + c] * X[j * cols + c];
      Y[j * rows + r] = s;
    }
  }
}

/** gemm: Y = X·Wᵀ, one pass over W for n vectors. */
export const gemmKernel = defineKernel('gemm', gemm, {
  args: [
    f32('W', 'rows*cols', ([, , , rows, cols]) => rows * cols), f32('X', 'n*cols', ([, , , , cols, n]) => n * cols),
    f32('Y', 'n*rows', ([, , , rows, , n]) => n * rows, { role: 'out' }), size('rows'), size('cols'), size('n'),
  ],
  split: 'whole',
  work: ([, , , rows, cols, n]) => rows * cols * n,
});
