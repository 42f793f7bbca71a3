import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * Dense input × output-major matrix with a sparse output gate (CHESS §4):
 * out_i = (x·W[i,:])·s_i where s_i ≠ 0, out_i = 0 (row i not read) where s_i = 0.
 * x: cols; W: rows*cols, row-major, output-major (e.g. W_up hidden×dim); s: rows;
 * out: rows, overwritten, must not alias x, W or s. Returns the number of rows computed.
 *
 * Reference: Dense input × output-major matrix with a sparse output gate (CHESS §4, "vmmsp"):
 * out_i = (x·W[i,:])·s_i, and out_i = 0 without reading row i when s_i = 0.
 * x: cols; W: rows*cols, row-major (rows = output channels, e.g. W_up hidden×dim); s: rows;
 * out: rows (overwritten). Returns the number of rows computed (nonzero s_i).
 * Float64 accumulation: this is the oracle.
 */
export function vmmsp(x: Float32Array, W: Float32Array, s: Float32Array, out: Float32Array,
  rows: number, cols: number): number {
  let nnz = 0;
  for (let i = 0; i < rows; i++) {
    const si = s[i];
    if (si === 0) { out[i] = 0; continue; }
    nnz++;
    let d = 0;
    const base = i * cols;
    for (let c = 0; c < cols; c++) d += x[c] * W[base + c];
    out[i] = d * si;
  }
  return nnz;
}

/** vmmsp: out_i = (x·W[i,:])·s_i where s_i ≠ 0. */
export const vmmspKernel = defineKernel('vmmsp', vmmsp, {
  args: [
    f32('x', 'cols', ([, , , , , cols]) => cols), f32('W', 'rows*cols', ([, , , , rows, cols]) => rows * cols),
    f32('s', 'rows', ([, , , , rows]) => rows), f32('out', 'rows', ([, , , , rows]) => rows, { role: 'out' }),
    size('rows'), size('cols'),
  ],
  split: 'rows',
  work: ([, , , , rows, cols]) => rows * cols,
});
