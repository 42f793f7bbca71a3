import { f16ToF32 } from './f16';
import { hsum } from './simd';

/**
 * y = W·x, W in ggml Q4_1 blocks (src/kernels/quantized-row-words.ts): per 32 columns, f16 d,
 * f16 m and 16 bytes whose low nibbles are columns 0..15 and high nibbles 16..31; W = d·q + m.
 * x: cols floats, y: rows floats, cols a multiple of 32.
 *
 * Per block, Σ_j (d·q_j + m)·x_j = d·Σ q_j·x_j + m·Σ x_j: the nibbles are widened to f32 and
 * multiplied by x, the x sum is kept beside, and both are scaled once per block.
 */
export function gemvQ4_1(W: usize, x: usize, y: usize, rows: i32, cols: i32): void {
  const blocks = cols >> 5;
  const rowBytes = <usize>blocks * 20;
  let r = 0;
  if (ASC_FEATURE_SIMD) {
    // Four rows at a time share each block's loads of x and its sum; every row's arithmetic is
    // rowQ4_1's, in the same order, so the result is the same to the bit.
    for (; r + 4 <= rows; r += 4) fourRowsQ4_1(W + <usize>r * rowBytes, rowBytes, x, blocks, y + (<usize>r << 2));
  }
  for (; r < rows; r++) {
    store<f32>(y + (<usize>r << 2), rowQ4_1(W + <usize>r * rowBytes, x, blocks));
  }
}

/** y[0..4) = rows w, w + stride, w + 2·stride, w + 3·stride of W times x (SIMD builds only). */
function fourRowsQ4_1(w: usize, stride: usize, x: usize, blocks: i32, y: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let b = 0; b < blocks; b++) {
    const xb = x + (<usize>b << 7);
    const x0 = v128.load(xb), x1 = v128.load(xb, 16), x2 = v128.load(xb, 32), x3 = v128.load(xb, 48);
    const x4 = v128.load(xb, 64), x5 = v128.load(xb, 80), x6 = v128.load(xb, 96), x7 = v128.load(xb, 112);
    let t = f32x4.add(x0, x1);
    t = f32x4.add(t, f32x4.add(x2, x3));
    t = f32x4.add(t, f32x4.add(x4, x5));
    t = f32x4.add(t, f32x4.add(x6, x7));
    const p = w + <usize>b * 20;
    a0 = f32x4.add(a0, blockQ4_1(p, t, x0, x1, x2, x3, x4, x5, x6, x7));
    a1 = f32x4.add(a1, blockQ4_1(p + stride, t, x0, x1, x2, x3, x4, x5, x6, x7));
    a2 = f32x4.add(a2, blockQ4_1(p + 2 * stride, t, x0, x1, x2, x3, x4, x5, x6, x7));
    a3 = f32x4.add(a3, blockQ4_1(p + 3 * stride, t, x0, x1, x2, x3, x4, x5, x6, x7));
  }
  store<f32>(y, hsum(a0)); store<f32>(y, hsum(a1), 4); store<f32>(y, hsum(a2), 8); store<f32>(y, hsum(a3), 12);
}

/** One block's s·d + t·m (as rowQ4_1 adds it), with x's eight vectors and their sum t given. */
// @ts-ignore: decorator
@inline function blockQ4_1(p: usize, t: v128, x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128,
  x6: v128, x7: v128): v128 {
  const qs = v128.load(p + 4);
  const lo = v128.and(qs, i8x16.splat(0x0f));
  const hi = i8x16.shr_u(qs, 4);
  let s = f32x4.mul(nibbles(lo, 0), x0);
  s = f32x4.add(s, f32x4.mul(nibbles(lo, 1), x1));
  s = f32x4.add(s, f32x4.mul(nibbles(lo, 2), x2));
  s = f32x4.add(s, f32x4.mul(nibbles(lo, 3), x3));
  s = f32x4.add(s, f32x4.mul(nibbles(hi, 0), x4));
  s = f32x4.add(s, f32x4.mul(nibbles(hi, 1), x5));
  s = f32x4.add(s, f32x4.mul(nibbles(hi, 2), x6));
  s = f32x4.add(s, f32x4.mul(nibbles(hi, 3), x7));
  const d = f32x4.splat(f16ToF32(load<u16>(p)));
  const m = f32x4.splat(f16ToF32(load<u16>(p, 2)));
  return f32x4.add(f32x4.mul(s, d), f32x4.mul(t, m));
}

function rowQ4_1(w: usize, x: usize, blocks: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    const low = i8x16.splat(0x0f);
    for (let b = 0; b < blocks; b++) {
      const p = w + <usize>b * 20;
      const xb = x + (<usize>b << 7);
      const qs = v128.load(p + 4);
      const lo = v128.and(qs, low);
      const hi = i8x16.shr_u(qs, 4);
      let s = f32x4.mul(nibbles(lo, 0), v128.load(xb));
      s = f32x4.add(s, f32x4.mul(nibbles(lo, 1), v128.load(xb, 16)));
      s = f32x4.add(s, f32x4.mul(nibbles(lo, 2), v128.load(xb, 32)));
      s = f32x4.add(s, f32x4.mul(nibbles(lo, 3), v128.load(xb, 48)));
      s = f32x4.add(s, f32x4.mul(nibbles(hi, 0), v128.load(xb, 64)));
      s = f32x4.add(s, f32x4.mul(nibbles(hi, 1), v128.load(xb, 80)));
      s = f32x4.add(s, f32x4.mul(nibbles(hi, 2), v128.load(xb, 96)));
      s = f32x4.add(s, f32x4.mul(nibbles(hi, 3), v128.load(xb, 112)));
      let t = f32x4.add(v128.load(xb), v128.load(xb, 16));
      t = f32x4.add(t, f32x4.add(v128.load(xb, 32), v128.load(xb, 48)));
      t = f32x4.add(t, f32x4.add(v128.load(xb, 64), v128.load(xb, 80)));
      t = f32x4.add(t, f32x4.add(v128.load(xb, 96), v128.load(xb, 112)));
      const d = f32x4.splat(f16ToF32(load<u16>(p)));
      const m = f32x4.splat(f16ToF32(load<u16>(p, 2)));
      acc = f32x4.add(acc, f32x4.add(f32x4.mul(s, d), f32x4.mul(t, m)));
    }
    return hsum(acc);
  }
  let total: f32 = 0;
  for (let b = 0; b < blocks; b++) {
    const p = w + <usize>b * 20;
    const xb = x + (<usize>b << 7);
    let s: f32 = 0, t: f32 = 0;
    for (let j = 0; j < 16; j++) {
      const q = <u32>load<u8>(p + 4 + j);
      const x0 = load<f32>(xb + (<usize>j << 2));
      const x1 = load<f32>(xb + (<usize>(j + 16) << 2));
      s += <f32>(q & 15) * x0 + <f32>(q >> 4) * x1;
      t += x0 + x1;
    }
    total += f16ToF32(load<u16>(p)) * s + f16ToF32(load<u16>(p, 2)) * t;
  }
  return total;
}

/**
 * Lanes 4k..4k+3 of sixteen u8 values (each < 16) as f32x4. The values are small, so the signed
 * conversion gives the same floats as the unsigned one — and is one x86 instruction, where
 * engines expand the unsigned conversion into about eight (there is no SSE/AVX2 opcode for it).
 */
// @ts-ignore: decorator
@inline function nibbles(v: v128, k: i32): v128 {
  const half = k < 2 ? i16x8.extend_low_i8x16_u(v) : i16x8.extend_high_i8x16_u(v);
  return f32x4.convert_i32x4_s((k & 1) == 0 ? i32x4.extend_low_i16x8_u(half) : i32x4.extend_high_i16x8_u(half));
}
