/**
 * One row of a resident quantized matrix (layout: kernels/quantized-row-words.ts) decoded to
 * float32: the embedding lookup of a model whose token embedding is kept quantized.
 */
import { quantizedRowWords, type QuantizedType } from '../kernels/quantized-row-words.js';
import { f16BitsToF32 } from './float-formats.js';

/** out[0..cols) = row `row` of W (rows × cols, `type`). */
export function decodeQuantizedRow(type: QuantizedType, W: Int32Array, row: number, cols: number, out: Float32Array): void {
  const words = quantizedRowWords(type, cols);
  const bytes = new Uint8Array(W.buffer, W.byteOffset + 4 * row * words, 4 * words);
  const f16 = (at: number) => f16BitsToF32(bytes[at] | (bytes[at + 1] << 8));
  for (let b = 0; b < cols / 32; b++) {
    if (type === 'Q4_1') {
      const d = f16(20 * b);
      const m = f16(20 * b + 2);
      for (let j = 0; j < 16; j++) {
        const q = bytes[20 * b + 4 + j];
        out[32 * b + j] = d * (q & 15) + m;
        out[32 * b + j + 16] = d * (q >> 4) + m;
      }
    } else {
      const d = f16(cols + 2 * b);
      for (let j = 0; j < 32; j++) out[32 * b + j] = d * ((bytes[32 * b + j] << 24) >> 24);
    }
  }
}
