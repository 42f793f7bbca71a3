import { f16ToF32 } from './f16';
import { hsum } from './simd';

/**
 * y = W·x, W in Q8_0 rows (src/kernels/quantized-row-words.ts): per row, cols int8 quants, then
 * cols/32 f16 scales, padded to 4 bytes; W[c] = d[c/32]·q[c]. x: cols floats, y: rows floats,
 * cols a multiple of 32. Per block, d·Σ q_j·x_j: the quants are widened to f32, multiplied by x,
 * and the block sum scaled once.
 */
export function gemvQ8_0(W: usize, x: usize, y: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>(((cols + (cols >> 4)) + 3) & ~3);
  for (let r = 0; r < rows; r++) {
    const w = W + <usize>r * rowBytes;
    store<f32>(y + (<usize>r << 2), rowQ8_0(w, w + <usize>cols, x, cols >> 5));
  }
}

function rowQ8_0(q: usize, scales: usize, x: usize, blocks: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (let b = 0; b < blocks; b++) {
      const p = q + (<usize>b << 5);
      const xb = x + (<usize>b << 7);
      const q0 = v128.load(p);
      const q1 = v128.load(p, 16);
      let s = f32x4.mul(bytes(q0, 0), v128.load(xb));
      s = f32x4.add(s, f32x4.mul(bytes(q0, 1), v128.load(xb, 16)));
      s = f32x4.add(s, f32x4.mul(bytes(q0, 2), v128.load(xb, 32)));
      s = f32x4.add(s, f32x4.mul(bytes(q0, 3), v128.load(xb, 48)));
      s = f32x4.add(s, f32x4.mul(bytes(q1, 0), v128.load(xb, 64)));
      s = f32x4.add(s, f32x4.mul(bytes(q1, 1), v128.load(xb, 80)));
      s = f32x4.add(s, f32x4.mul(bytes(q1, 2), v128.load(xb, 96)));
      s = f32x4.add(s, f32x4.mul(bytes(q1, 3), v128.load(xb, 112)));
      acc = f32x4.add(acc, f32x4.mul(s, f32x4.splat(f16ToF32(load<u16>(scales + (<usize>b << 1))))));
    }
    return hsum(acc);
  }
  let total: f32 = 0;
  for (let b = 0; b < blocks; b++) {
    const p = q + (<usize>b << 5);
    const xb = x + (<usize>b << 7);
    let s: f32 = 0;
    for (let j = 0; j < 32; j++) s += <f32>load<i8>(p + j) * load<f32>(xb + (<usize>j << 2));
    total += f16ToF32(load<u16>(scales + (<usize>b << 1))) * s;
  }
  return total;
}

/** Lanes 4k..4k+3 of sixteen i8 values as f32x4. */
// @ts-ignore: decorator
@inline function bytes(v: v128, k: i32): v128 {
  const half = k < 2 ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_high_i8x16_s(v);
  return f32x4.convert_i32x4_s((k & 1) == 0 ? i32x4.extend_low_i16x8_s(half) : i32x4.extend_high_i16x8_s(half));
}
