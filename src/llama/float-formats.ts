/**
 * 16-bit float encodings used by checkpoints: bfloat16 (top half of an IEEE float32) and IEEE
 * binary16 ("F16"). Encoders round to nearest, ties to even, as numpy/PyTorch do; NaN stays
 * NaN (quiet), overflow goes to ±Infinity.
 *
 * @example
 * f32ToBf16(1.00390625)   // 0x3f80: the tie rounds to the even mantissa
 * bf16ToF32(0x3f80)       // 1
 */
import { checkInt } from '../core/validate.js';
import { f16Bits } from '../core/f16-bits.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** bfloat16 bits → number (exact). */
export function bf16ToF32(h: number): number {
  checkInt('h', h, 0, 0xffff); // 16 bits, not a float: a float here is f32ToBf16's job
  return bf16BitsToF32(h);
}

/** bf16ToF32 without the check, for loaders' inner loops (bits straight from a Uint16Array). */
export function bf16BitsToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/** number → bfloat16 bits, rounding the float32 value to nearest even. */
export function f32ToBf16(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0) return ((bits >>> 16) | 0x0040) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** IEEE binary16 bits → number (exact). */
export function f16ToF32(h: number): number {
  checkInt('h', h, 0, 0xffff);
  return f16BitsToF32(h);
}

/** f16ToF32 without the check, for loaders' inner loops (bits straight from the file); the quantized kernels' block-scale decoder. */
export const f16BitsToF32: (h: number) => number = f16Bits;

/** number → IEEE binary16 bits, rounding the float32 value to nearest even (subnormals included). */
export function f32ToF16(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    const m = mant | 0x800000;
    const shift = 14 - e;
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (r & 1))) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1))) r++;
  return sign | r;
}
