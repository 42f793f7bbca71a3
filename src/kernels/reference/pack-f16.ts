/**
 * Round n float32 values to IEEE binary16 (nearest, ties to even, subnormals included: ggml's
 * FP32→FP16 conversion, the precision of llama.cpp's default KV cache) and pack them two per
 * word: value 2i in the low half of out[i], value 2i+1 in the high half (little-endian order, so
 * the words read as a Uint16Array are the values in order). |x| past 65504 (with the rounding
 * tie) becomes ±Infinity; NaN becomes 0x7e00. x: n; out: n/2 words (n even).
 * @example packF16(kRow, cacheWords.subarray(pos * kvDim / 2), kvDim); // one cache row
 */
import { roundToF16 } from './round-to-f16.js';
import { defineKernel, f32, i32, evenSize } from '../define-kernel.js';

/**
 * x[0..n) rounded to binary16 (nearest, ties to even, subnormals included: ggml's FP32→FP16)
 * and packed two per word, value 2i in the low half of out[i]. n even; out: n/2 words.
 * ±Infinity past 65504; NaN → 0x7e00.
 */
export function packF16(x: Float32Array, out: Int32Array, n: number): void {
  for (let i = 0; i < n; i += 2) out[i >> 1] = f16BitsOf(roundToF16(x[i])) | (f16BitsOf(roundToF16(x[i + 1])) << 16);
}

/** The binary16 bit pattern of v, a value binary16 holds exactly (roundToF16's result). */
function f16BitsOf(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | (a / 2 ** -24); // subnormal (or zero): a multiple of 2^-24
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  return sign | ((e + 15) << 10) | ((a / 2 ** e - 1) * 1024);
}

/** packF16: float32 → binary16 pairs. */
export const packF16Kernel = defineKernel('packF16', packF16, {
  args: [
    f32('x', 'n', ([, , n]) => n),
    i32('out', 'n/2', ([, , n]) => n / 2, { role: 'out' }),
    evenSize('n', 0),
  ],
  split: 'whole',
  work: ([, , n]) => n,
});
