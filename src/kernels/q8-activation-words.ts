import { badArgument } from '../core/errors.js';

/**
 * Resident layout of activations quantized to 8 bits (`quantizeQ8_1`), the right-hand side of
 * the integer products `gemvQ4_1Q8_1`, `gemvQ8_0Q8_1` and their gemm forms — what llama.cpp's CPU
 * backend does with Q4_1 and Q8_0 weights (it quantizes activations to ggml's block_q8_1 for Q4_1
 * and block_q8_0 for Q8_0; the quants and d of both are the same numbers, Q8_1 adds s).
 *
 * An Int32Array of (length/32)·18 words; per block of 32 values:
 *   words 0..15  the 32 quants q_j ∈ [−127, 127], as int16 (two per word, column j at int16 j) —
 *                widened from int8 once here, so SIMD dot products (i32x4.dot_i16x8_s) read them
 *                directly;
 *   word 16      d, float32 holding a binary16 value (ggml stores d as f16);
 *   word 17      s = d·Σq_j (d unrounded), float32 holding a binary16 value (ggml's Q8_1 `s`).
 * The block's values are x_j ≈ d·q_j. A block holding NaN or ±Infinity has d = s = NaN and q = 0.
 *
 * @example
 * const xq = kernels.allocI32(q8ActivationWords(cols));
 * kernels.quantizeQ8_1(x, xq.view(), cols);
 * kernels.gemvQ4_1Q8_1(W.view(), xq.view(), y, rows, cols);
 */
export const Q8_BLOCK_WORDS = 18;

/** Words (4 bytes) of quantized activations for `length` values (a multiple of 32). */
export function q8ActivationWords(length: number): number {
  return (length / 32) * Q8_BLOCK_WORDS;
}

/**
 * Throws unless every quant of `vectors` blocks-of-activations in xq lies in [−127, 127], the
 * range quantizeQ8_1 writes: the SIMD Q4_1 product forms x_{j+16} − 16·x_j in int16, which a
 * wider quant would overflow (the reference would still be exact, so the backends would disagree).
 * Device arrays of a GPU backend are not host memory and are left to that backend.
 */
export function checkActivationQuants(name: string, xq: Int32Array, words: number): void {
  if (!ArrayBuffer.isView(xq)) return;
  const quants = new Int16Array(xq.buffer, xq.byteOffset, words * 2);
  for (let block = 0; block < words; block += Q8_BLOCK_WORDS) {
    for (let j = 2 * block, end = j + 32; j < end; j++) {
      const q = quants[j];
      if (q < -127 || q > 127) {
        throw badArgument(`${name} holds quant ${q} at block ${block / Q8_BLOCK_WORDS}, element ${j - 2 * block}: quantized activations lie in [-127, 127] (write them with quantizeQ8_1)`);
      }
    }
  }
}
