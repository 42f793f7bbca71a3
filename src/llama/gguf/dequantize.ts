/**
 * Decoding ggml tensor data to float32 (the reference: plain loops, one block at a time).
 * Block layouts (ggml-common.h), 32 elements per block for the quantized types:
 *   Q4_0 (18 B): f16 d, 16 B nibbles          x[j] = d·(lo(q[j]) − 8),  x[j+16] = d·(hi(q[j]) − 8)
 *   Q4_1 (20 B): f16 d, f16 m, 16 B nibbles   x[j] = d·lo(q[j]) + m,    x[j+16] = d·hi(q[j]) + m
 *   Q8_0 (34 B): f16 d, 32 × int8             x[j] = d·q[j]
 * for j < 16 (Q8_0: j < 32); lo/hi are the low and high 4 bits of byte j. F32, F16 and BF16 are
 * plain little-endian arrays. The products d·q are exact in float32 (an 11-bit mantissa times a
 * small integer), so these decodings match ggml's bit for bit.
 *
 * @example
 * const w = new Float32Array(info.elements);
 * dequantizeInto(fileBytes, info.offset, info.type, w);
 */
import { SparseInferenceError } from '../../core/errors.js';
import { f16BitsToF32 } from '../float-formats.js';
import { decodeInto } from '../weight-io.js';

/** Types dequantizeInto reads. */
export const DEQUANTIZABLE = ['F32', 'F16', 'BF16', 'Q4_0', 'Q4_1', 'Q8_0'] as const;
export type DequantizableType = (typeof DEQUANTIZABLE)[number];

/**
 * Decode `dst.length` elements of `type` starting at `src[byteOffset]` into `dst` (for the
 * quantized types dst.length must be a multiple of 32). The caller has checked the bounds.
 */
export function dequantizeInto(src: Uint8Array, byteOffset: number, type: string, dst: Float32Array): void {
  switch (type) {
    case 'F32': case 'F16': case 'BF16': decodeInto(src, byteOffset, type, dst); return;
    case 'Q4_0': blocks(src, byteOffset, 18, dst, decodeQ4_0); return;
    case 'Q4_1': blocks(src, byteOffset, 20, dst, decodeQ4_1); return;
    case 'Q8_0': blocks(src, byteOffset, 34, dst, decodeQ8_0); return;
    default: throw new SparseInferenceError('UNAVAILABLE', `cannot dequantize ggml type ${type} (supported: ${DEQUANTIZABLE.join(', ')})`);
  }
}

type BlockDecoder = (b: Uint8Array, at: number, dst: Float32Array, out: number) => void;

function blocks(src: Uint8Array, byteOffset: number, blockBytes: number, dst: Float32Array, decode: BlockDecoder): void {
  if (dst.length % 32 !== 0) throw new SparseInferenceError('BAD_ARGUMENT', `dst.length must be a multiple of 32, got ${dst.length}`);
  for (let b = 0; b < dst.length / 32; b++) decode(src, byteOffset + b * blockBytes, dst, 32 * b);
}

const f16At = (b: Uint8Array, at: number) => f16BitsToF32(b[at] | (b[at + 1] << 8));

function decodeQ4_0(b: Uint8Array, at: number, dst: Float32Array, out: number): void {
  const d = f16At(b, at);
  for (let j = 0; j < 16; j++) {
    const q = b[at + 2 + j];
    dst[out + j] = d * ((q & 15) - 8);
    dst[out + j + 16] = d * ((q >> 4) - 8);
  }
}

function decodeQ4_1(b: Uint8Array, at: number, dst: Float32Array, out: number): void {
  const d = f16At(b, at);
  const m = f16At(b, at + 2);
  for (let j = 0; j < 16; j++) {
    const q = b[at + 4 + j];
    dst[out + j] = d * (q & 15) + m;
    dst[out + j + 16] = d * (q >> 4) + m;
  }
}

function decodeQ8_0(b: Uint8Array, at: number, dst: Float32Array, out: number): void {
  const d = f16At(b, at);
  for (let j = 0; j < 32; j++) dst[out + j] = d * ((b[at + 2 + j] << 24) >> 24);
}
