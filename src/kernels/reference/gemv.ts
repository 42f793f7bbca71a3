import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * y = W·x. W: rows*cols, row-major (rows = output channels); x: cols; y: rows.
 *
 * Reference: y = W·x. W: rows*cols row-major; x: cols; y: rows. Float64 accumulation.
 */
export function gemv(W: Float32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) s += W[base + c] * x[c];
    y[r] = s;
  }
}

/** gemv: y = W·x. */
export const gemvKernel = defineKernel('gemv', gemv, {
  args: [
    f32('W', 'rows*cols', ([, , , rows, cols]) => rows * cols), f32('x', 'cols', ([, , , , cols]) => cols),
    f32('y', 'rows', ([, , , rows]) => rows, { role: 'out' }), size('rows'), size('cols'),
  ],
  split: 'rows',
  work: ([, , , rows, cols]) => rows * cols,
});
