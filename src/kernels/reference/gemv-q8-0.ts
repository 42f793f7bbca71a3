import { quantizedRowWords } from '../quantized-row-words.js';
import { f16Bits } from '../../core/f16-bits.js';
import { defineKernel, f32, i32, size, blockCols } from '../define-kernel.js';

/**
 * y = W·x with W in Q8_0 rows: W: rows·quantizedRowWords('Q8_0', cols) words (int8 quants,
 * then f16 block scales, per row); x: cols; y: rows; cols a multiple of 32.
 *
 * Reference: y = W·x with W in Q8_0 rows (cols int8 quants, then cols/32 f16 scales; layout:
 * quantized-row-words.ts). W: rows·quantizedRowWords('Q8_0', cols) words; x: cols; y: rows.
 * Float64 accumulation.
 */
export function gemvQ8_0(W: Int32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  const bytes = new Uint8Array(W.buffer, W.byteOffset, W.byteLength);
  const quants = new Int8Array(W.buffer, W.byteOffset, W.byteLength);
  const rowBytes = 4 * quantizedRowWords('Q8_0', cols);
  for (let r = 0; r < rows; r++) {
    const row = r * rowBytes;
    let s = 0;
    for (let b = 0; b < cols / 32; b++) {
      const at = row + cols + 2 * b;
      const d = f16Bits(bytes[at] | (bytes[at + 1] << 8));
      for (let j = 0; j < 32; j++) s += d * quants[row + 32 * b + j] * x[32 * b + j];
    }
    y[r] = s;
  }
}

/** gemvQ8_0: y = W·x, W in Q8_0 rows. */
export const gemvQ8_0Kernel = defineKernel('gemvQ8_0', gemvQ8_0, {
  args: [
    i32('W', 'rows·Q8_0 row words', ([, , , rows, cols]) => rows * quantizedRowWords('Q8_0', cols)),
    f32('x', 'cols', ([, , , , cols]) => cols), f32('y', 'rows', ([, , , rows]) => rows, { role: 'out' }),
    size('rows'), blockCols('Q8_0'),
  ],
  split: 'rows',
  work: ([, , , rows, cols]) => rows * cols,
});
