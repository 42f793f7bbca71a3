/**
 * Moving weights from file bytes into resident Float32 memory, and the optional NaN/Inf scan.
 * Internal to the loaders. Little-endian float32 is what every supported format stores; WASM
 * memory and every platform this library runs on are little-endian too.
 */
import { SparseInferenceError } from '../core/errors.js';
import { bf16BitsToF32, f16BitsToF32 } from './float-formats.js';

/** Supported source encodings of one tensor. */
export type SourceDtype = 'F32' | 'F16' | 'BF16';

export const DTYPE_BYTES: Record<SourceDtype, number> = { F32: 4, F16: 2, BF16: 2 };

/**
 * Decode `dst.length` values of `dtype` starting at `src[byteOffset]` into `dst`. The caller
 * has checked the bounds. F32 is a byte copy (works at any alignment).
 */
export function decodeInto(src: Uint8Array, byteOffset: number, dtype: SourceDtype, dst: Float32Array): void {
  const n = dst.length;
  if (dtype === 'F32') {
    new Uint8Array(dst.buffer, dst.byteOffset, n * 4).set(src.subarray(byteOffset, byteOffset + n * 4));
    return;
  }
  const at = src.byteOffset + byteOffset;
  // 16-bit words: a direct Uint16Array view when aligned, else a DataView.
  if (at % 2 === 0) {
    const words = new Uint16Array(src.buffer, at, n);
    if (dtype === 'BF16') for (let i = 0; i < n; i++) dst[i] = bf16BitsToF32(words[i]);
    else for (let i = 0; i < n; i++) dst[i] = f16BitsToF32(words[i]);
  } else {
    const dv = new DataView(src.buffer, at, n * 2);
    const f = dtype === 'BF16' ? bf16BitsToF32 : f16BitsToF32;
    for (let i = 0; i < n; i++) dst[i] = f(dv.getUint16(2 * i, true));
  }
}

/** Throw BAD_FILE naming the tensor and element when `a` holds NaN or ±Infinity. */
export function scanFinite(where: string, tensor: string, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v - v !== 0) {
      throw new SparseInferenceError('BAD_FILE', `${where}: tensor ${tensor} has a non-finite value (${v}) at element ${i}`);
    }
  }
}
