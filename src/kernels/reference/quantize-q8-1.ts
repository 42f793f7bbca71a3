import { Q8_BLOCK_WORDS, q8ActivationWords } from '../q8-activation-words.js';
import { roundToF16 } from './round-to-f16.js';
import { blockCols, defineKernel, f32, i32 } from '../define-kernel.js';

/**
 * Quantize activations to 8-bit blocks of 32, as llama.cpp does before multiplying quantized
 * weights (ggml's quantize_row_q8_1): per block d = max|x|/127, q = round(x/d) ∈ [−127, 127],
 * d and s = d·Σq rounded to binary16. x: length floats (a multiple of 32); q:
 * q8ActivationWords(length) words (layout in q8-activation-words.ts), overwritten. A block
 * holding NaN/±Infinity gets d = s = NaN (the products that read it are NaN).
 *
 * Reference: Quantize x[0..length) to 8-bit blocks of 32 (layout: q8-activation-words.ts), as ggml's x86
 * quantize_row_q8_1 does: amax = max|x_j|, d = amax/127, q_j = round-half-even(x_j·(127/amax))
 * in float32, then d and s = d·Σq_j stored as binary16. length a multiple of 32; q:
 * q8ActivationWords(length) words.
 */
export function quantizeQ8_1(x: Float32Array, q: Int32Array, length: number): void {
  const quants = new Int16Array(q.buffer, q.byteOffset, q.length * 2);
  const scales = new Float32Array(q.buffer, q.byteOffset, q.length);
  for (let b = 0; b < length / 32; b++) {
    const at = b * Q8_BLOCK_WORDS;
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[32 * b + j])); // NaN propagates
    if (!Number.isFinite(amax)) { // the block's products become NaN (IEEE propagation)
      quants.fill(0, 2 * at, 2 * at + 32);
      scales[at + 16] = NaN;
      scales[at + 17] = NaN;
      continue;
    }
    const d = Math.fround(amax / 127);
    const id = amax === 0 ? 0 : Math.fround(127 / amax);
    let sum = 0;
    for (let j = 0; j < 32; j++) {
      const v = roundHalfEven(Math.fround(x[32 * b + j] * id));
      quants[2 * at + j] = v;
      sum += v;
    }
    scales[at + 16] = roundToF16(d);
    scales[at + 17] = roundToF16(Math.fround(d * sum));
  }
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  return v - f > 0.5 || (v - f === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** quantizeQ8_1: activations to 8-bit blocks of 32 (llama.cpp's block_q8_1). */
export const quantizeQ8_1Kernel = defineKernel('quantizeQ8_1', quantizeQ8_1, {
  args: [
    f32('x', 'length', ([, , length]) => length),
    i32('q', 'q8ActivationWords(length)', ([, , length]) => q8ActivationWords(length), { role: 'out' }),
    blockCols('Q8_1', 'length'),
  ],
  split: 'whole',
  work: ([, , length]) => length,
});
