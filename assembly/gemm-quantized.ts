import { f16ToF32 } from './f16';
import { rowTimesVectors } from './gemm';

/**
 * Y = X·Wᵀ for n vectors with W quantized (layouts: src/kernels/quantized-row-words.ts):
 * each row is decoded once into `scratch` (cols floats, stays in L1) and multiplied by all n
 * vectors there, so decoding and weight traffic are shared by the whole block of vectors.
 * X n×cols, Y n×rows (Y[j][r] = W[r]·X[j]), cols a multiple of 32.
 */
export function gemmQ4_1(W: usize, X: usize, Y: usize, rows: i32, cols: i32, n: i32, scratch: usize): void {
  const blocks = cols >> 5;
  for (let r = 0; r < rows; r++) {
    decodeRowQ4_1(W + <usize>r * <usize>blocks * 20, scratch, blocks);
    rowTimesVectors(scratch, X, Y + (<usize>r << 2), rows, cols, n);
  }
}

export function gemmQ8_0(W: usize, X: usize, Y: usize, rows: i32, cols: i32, n: i32, scratch: usize): void {
  const rowBytes = <usize>(((cols + (cols >> 4)) + 3) & ~3);
  for (let r = 0; r < rows; r++) {
    const w = W + <usize>r * rowBytes;
    decodeRowQ8_0(w, w + <usize>cols, scratch, cols >> 5);
    rowTimesVectors(scratch, X, Y + (<usize>r << 2), rows, cols, n);
  }
}

/** out[32b + j] = d·q + m for each block b (low nibbles j < 16, high nibbles j ≥ 16). */
function decodeRowQ4_1(w: usize, out: usize, blocks: i32): void {
  for (let b = 0; b < blocks; b++) {
    const p = w + <usize>b * 20;
    const o = out + (<usize>b << 7);
    const d = f16ToF32(load<u16>(p));
    const m = f16ToF32(load<u16>(p, 2));
    if (ASC_FEATURE_SIMD) {
      const qs = v128.load(p + 4);
      const lo = v128.and(qs, i8x16.splat(0x0f));
      const hi = i8x16.shr_u(qs, 4);
      const dv = f32x4.splat(d), mv = f32x4.splat(m);
      const l0 = i16x8.extend_low_i8x16_u(lo), l1 = i16x8.extend_high_i8x16_u(lo);
      const h0 = i16x8.extend_low_i8x16_u(hi), h1 = i16x8.extend_high_i8x16_u(hi);
      v128.store(o, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(l0)), dv), mv));
      v128.store(o, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(l0)), dv), mv), 16);
      v128.store(o, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(l1)), dv), mv), 32);
      v128.store(o, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(l1)), dv), mv), 48);
      v128.store(o, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(h0)), dv), mv), 64);
      v128.store(o, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(h0)), dv), mv), 80);
      v128.store(o, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(h1)), dv), mv), 96);
      v128.store(o, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(h1)), dv), mv), 112);
    } else {
      for (let j = 0; j < 16; j++) {
        const q = <u32>load<u8>(p + 4 + j);
        store<f32>(o + (<usize>j << 2), d * <f32>(q & 15) + m);
        store<f32>(o + (<usize>(j + 16) << 2), d * <f32>(q >> 4) + m);
      }
    }
  }
}

/** out[32b + j] = d_b·q[32b + j]. */
function decodeRowQ8_0(q: usize, scales: usize, out: usize, blocks: i32): void {
  for (let b = 0; b < blocks; b++) {
    const d = f16ToF32(load<u16>(scales + (<usize>b << 1)));
    const p = q + (<usize>b << 5);
    const o = out + (<usize>b << 7);
    for (let j = 0; j < 32; j++) store<f32>(o + (<usize>j << 2), d * <f32>load<i8>(p + j));
  }
}
