import { quantizedRowWords } from '../quantized-row-words.js';
import { f16Bits } from '../../core/f16-bits.js';
import { defineKernel, f32, i32, size, blockCols } from '../define-kernel.js';

/**
 * y = W·x with W in ggml Q4_1 blocks: W: rows·quantizedRowWords('Q4_1', cols) words (layout in
 * quantized-row-words.ts); x: cols; y: rows; cols a multiple of 32. Weights are decoded on the
 * fly (d·q + m), activations stay float32.
 *
 * Reference: y = W·x with W in ggml Q4_1 blocks (layout: quantized-row-words.ts). W: rows·5·cols/32 words;
 * x: cols; y: rows. Each weight is decoded (d·q + m) and multiplied in float64.
 */
export function gemvQ4_1(W: Int32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  const bytes = new Uint8Array(W.buffer, W.byteOffset, W.byteLength);
  const rowBytes = 4 * quantizedRowWords('Q4_1', cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let b = 0; b < cols / 32; b++) {
      const at = r * rowBytes + 20 * b;
      const d = f16Bits(bytes[at] | (bytes[at + 1] << 8));
      const m = f16Bits(bytes[at + 2] | (bytes[at + 3] << 8));
      for (let j = 0; j < 16; j++) {
        const q = bytes[at + 4 + j];
        s += (d * (q & 15) + m) * x[32 * b + j];
        s += (d * (q >> 4) + m) * x[32 * b + j + 16];
      }
    }
    y[r] = s;
  }
}

/** gemvQ4_1: y = W·x, W in Q4_1 blocks. */
export const gemvQ4_1Kernel = defineKernel('gemvQ4_1', gemvQ4_1, {
  args: [
    i32('W', 'rows·Q4_1 row words', ([, , , rows, cols]) => rows * quantizedRowWords('Q4_1', cols)),
    f32('x', 'cols', ([, , , , cols]) => cols), f32('y', 'rows', ([, , , rows]) => rows, { role: 'out' }),
    size('rows'), blockCols('Q4_1'),
  ],
  split: 'rows',
  work: ([, , , rows, cols]) => rows * cols,
});
