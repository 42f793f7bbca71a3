import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * y = x·W (= Wᵀx). W: rows*cols, row-major; x: rows; y: cols.
 * Streams W row by row, so it is the dense counterpart of `spvmm`.
 *
 * Reference: y = x·W. W: rows*cols row-major; x: rows; y: cols. Float64 accumulation.
 */
export function gemvT(W: Float32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const xr = x[r];
    if (xr === 0) continue;
    const base = r * cols;
    for (let c = 0; c < cols; c++) acc[c] += xr * W[base + c];
  }
  for (let c = 0; c < cols; c++) y[c] = acc[c];
}

/** gemvT: y = x·W. */
export const gemvTKernel = defineKernel('gemvT', gemvT, {
  args: [
    f32('W', 'rows*cols', ([, , , rows, cols]) => rows * cols), f32('x', 'rows', ([, , , rows]) => rows),
    f32('y', 'cols', ([, , , , cols]) => cols, { role: 'out' }), size('rows'), size('cols'),
  ],
  split: 'partials',
  work: ([, , , rows, cols]) => rows * cols,
});
