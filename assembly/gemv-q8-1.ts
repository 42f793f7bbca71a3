import { f16ToF32 } from './f16';
import { hsum } from './simd';

// Integer dot products of quantized weights with activations quantized by quantizeQ8_1
// (72-byte blocks: 32 int16 quants, f32 d, f32 s; src/kernels/q8-activation-words.ts), as
// llama.cpp's vec_dot_q4_1_q8_1 / vec_dot_q8_0_q8_0. Per block the 32 products are summed in
// integers (i32x4.dot_i16x8_s: eight int16 products added pairwise into four int32 lanes), and
// the sum is scaled once by d_w·d_x. Weight layouts: src/kernels/quantized-row-words.ts.
// The activation quants are within [−127, 127], as the layout promises: the SIMD Q4_1 product
// forms x_{j+16} − 16·x_j in int16 (intDotQ4_1), which other quants would overflow.
//
// SIMD builds work on four rows at a time: their four int32 block sums are added across lanes
// into one vector (lane r = row r), so the scaling, the Q4_1 m·s term and the accumulation are
// one vector operation each for the four rows.

/** Bytes of one quantized activation block; bytes of one block of four decoded rows (gemm scratch). */
const XB: usize = 72;
const DB: usize = 288;

/** y[r] = W[r]·x for r < rows. */
export function gemvQ4_1Q8_1(W: usize, xq: usize, y: usize, rows: i32, cols: i32): void {
  const blocks = cols >> 5;
  const rowBytes = <usize>blocks * 20;
  let r = 0;
  if (ASC_FEATURE_SIMD) {
    for (; r + 8 <= rows; r += 8) eightRowsQ4_1(W + <usize>r * rowBytes, rowBytes, xq, blocks, y + (<usize>r << 2));
    for (; r + 4 <= rows; r += 4) v128.store(y + (<usize>r << 2), fourRowsQ4_1(W + <usize>r * rowBytes, rowBytes, xq, blocks));
  }
  for (; r < rows; r++) store<f32>(y + (<usize>r << 2), rowQ4_1(W + <usize>r * rowBytes, xq, blocks));
}

export function gemvQ8_0Q8_1(W: usize, xq: usize, y: usize, rows: i32, cols: i32): void {
  const rowBytes = q8RowBytes(cols);
  let r = 0;
  if (ASC_FEATURE_SIMD) {
    for (; r + 8 <= rows; r += 8) eightRowsQ8_0(W + <usize>r * rowBytes, rowBytes, xq, cols, y + (<usize>r << 2));
    for (; r + 4 <= rows; r += 4) v128.store(y + (<usize>r << 2), fourRowsQ8_0(W + <usize>r * rowBytes, rowBytes, xq, cols));
  }
  for (; r < rows; r++) store<f32>(y + (<usize>r << 2), rowQ8_0(W + <usize>r * rowBytes, xq, cols));
}

/**
 * Y[j·ldy + r] = W[r]·X[j] for r < rows, j < n (ldy ≥ rows: the full matrix's rows when this
 * call computes a slice of them). SIMD: four rows are decoded once into `scratch` (int16 quants
 * and their scales, (cols/32)·288 bytes, in L1) and multiplied by every vector there, so the
 * nibbles are unpacked once per block of vectors, not once per vector.
 */
export function gemmQ4_1Q8_1(W: usize, Xq: usize, Y: usize, rows: i32, cols: i32, n: i32, ldy: i32, scratch: usize): void {
  const blocks = cols >> 5;
  const rowBytes = <usize>blocks * 20;
  const xBytes = <usize>blocks * XB;
  let r = 0;
  if (ASC_FEATURE_SIMD) {
    for (; r + 4 <= rows; r += 4) {
      decodeFourQ4_1(W + <usize>r * rowBytes, rowBytes, blocks, scratch);
      for (let j = 0; j < n; j++) {
        v128.store(Y + ((<usize>j * <usize>ldy + <usize>r) << 2), fourRowsDecoded(scratch, Xq + <usize>j * xBytes, blocks, true));
      }
    }
  }
  for (; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      store<f32>(Y + ((<usize>j * <usize>ldy + <usize>r) << 2), rowQ4_1(W + <usize>r * rowBytes, Xq + <usize>j * xBytes, blocks));
    }
  }
}

export function gemmQ8_0Q8_1(W: usize, Xq: usize, Y: usize, rows: i32, cols: i32, n: i32, ldy: i32, scratch: usize): void {
  const blocks = cols >> 5;
  const rowBytes = q8RowBytes(cols);
  const xBytes = <usize>blocks * XB;
  let r = 0;
  if (ASC_FEATURE_SIMD) {
    for (; r + 4 <= rows; r += 4) {
      decodeFourQ8_0(W + <usize>r * rowBytes, rowBytes, cols, scratch);
      for (let j = 0; j < n; j++) {
        v128.store(Y + ((<usize>j * <usize>ldy + <usize>r) << 2), fourRowsDecoded(scratch, Xq + <usize>j * xBytes, blocks, false));
      }
    }
  }
  for (; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      store<f32>(Y + ((<usize>j * <usize>ldy + <usize>r) << 2), rowQ8_0(W + <usize>r * rowBytes, Xq + <usize>j * xBytes, cols));
    }
  }
}

/** Bytes of one Q8_0 row: cols int8 quants, cols/32 f16 scales, padded to a word. */
// @ts-ignore: decorator
@inline function q8RowBytes(cols: i32): usize {
  return <usize>(((cols + (cols >> 4)) + 3) & ~3);
}

/** Lane r = the sum of the four lanes of s_r. */
// @ts-ignore: decorator
@inline function sumLanes(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  const a = i32x4.add(v128.shuffle<i32>(s0, s1, 0, 2, 4, 6), v128.shuffle<i32>(s0, s1, 1, 3, 5, 7));
  const b = i32x4.add(v128.shuffle<i32>(s2, s3, 0, 2, 4, 6), v128.shuffle<i32>(s2, s3, 1, 3, 5, 7));
  return i32x4.add(v128.shuffle<i32>(a, b, 0, 2, 4, 6), v128.shuffle<i32>(a, b, 1, 3, 5, 7));
}

/** Four binary16 values (the low 16 bits of each i32 lane) as f32x4 (f16.ts's decoding, lane-wise). */
// @ts-ignore: decorator
@inline function f16x4(h: v128): v128 {
  return f16HighX4(i32x4.shl(h, 16));
}

/**
 * Four binary16 values (the high 16 bits of each i32 lane) as f32x4. The arithmetic shift by 3
 * puts exponent and mantissa where f32 keeps them and copies the sign into bits 28..30, which
 * the mask clears with the low 16 bits' leftovers; the product by 2^112 then re-biases the
 * exponent, sign included — f16.ts's numbers in three operations instead of six.
 */
// @ts-ignore: decorator
@inline function f16HighX4(h: v128): v128 {
  return f32x4.mul(v128.and(i32x4.shr_s(h, 3), i32x4.splat(0x8fffe000)), f32x4.splat(reinterpret<f32>(0x77800000)));
}

/**
 * Σ q_w·q_x of one Q4_1 block (nibbles at p + 4) and an activation block, in four int32 lanes;
 * x2h = x2 − 16·x0 and x3h = x3 − 16·x1 (highNibbleActivations), shared by the rows of a pass.
 *
 * Byte j widened to int16 is lo_j + 16·hi_j (columns j and j + 16). Multiplying it by x_j
 * counts 16·hi_j·x_j too much, which the high nibbles' partner x_{j+16} − 16·x_j takes back:
 * two widenings and two shifts instead of masking and widening each nibble — the same integer
 * sum (all terms stay far inside int16/int32), so the result is unchanged to the bit.
 */
// @ts-ignore: decorator
@inline function intDotQ4_1(p: usize, x0: v128, x1: v128, x2h: v128, x3h: v128): v128 {
  const qs = v128.load(p + 4);
  const bytesLow = i16x8.extend_low_i8x16_u(qs); // bytes 0..7: columns 0..7 and 16..23
  const bytesHigh = i16x8.extend_high_i8x16_u(qs); // bytes 8..15: columns 8..15 and 24..31
  let s = i32x4.dot_i16x8_s(bytesLow, x0);
  s = i32x4.add(s, i32x4.dot_i16x8_s(bytesHigh, x1));
  s = i32x4.add(s, i32x4.dot_i16x8_s(i16x8.shr_u(bytesLow, 4), x2h));
  return i32x4.add(s, i32x4.dot_i16x8_s(i16x8.shr_u(bytesHigh, 4), x3h));
}

/** x_{j+16} − 16·x_j for one vector of eight activation quants (|q| ≤ 127: within int16). */
// @ts-ignore: decorator
@inline function highNibbleActivations(xHigh: v128, xLow: v128): v128 {
  return i16x8.sub(xHigh, i16x8.shl(xLow, 4));
}

/** Σ q_w·q_x of one Q8_0 block (32 int8 at p) and an activation block, in four int32 lanes. */
// @ts-ignore: decorator
@inline function intDotQ8_0(p: usize, x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const q0 = v128.load(p), q1 = v128.load(p, 16);
  let s = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(q0), x0);
  s = i32x4.add(s, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(q0), x1));
  s = i32x4.add(s, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(q1), x2));
  return i32x4.add(s, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(q1), x3));
}

/** Rows w, w + stride, w + 2·stride, w + 3·stride (Q4_1) times x: lane r = row r. */
function fourRowsQ4_1(w: usize, stride: usize, xq: usize, blocks: i32): v128 {
  let acc = f32x4.splat(0);
  for (let b = 0; b < blocks; b++) {
    const xb = xq + <usize>b * XB;
    const x0 = v128.load(xb), x1 = v128.load(xb, 16);
    const x2 = highNibbleActivations(v128.load(xb, 32), x0), x3 = highNibbleActivations(v128.load(xb, 48), x1);
    acc = blockOfFourQ4_1(acc, w + <usize>b * 20, stride, xb, x0, x1, x2, x3);
  }
  return acc;
}

/**
 * Eight rows (w, w + stride, …) times x into y[0..8): two groups of four sharing each block's
 * activation loads; each group's sums are fourRowsQ4_1's, in the same order.
 */
function eightRowsQ4_1(w: usize, stride: usize, xq: usize, blocks: i32, y: usize): void {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
  const second = w + 4 * stride;
  for (let b = 0; b < blocks; b++) {
    const xb = xq + <usize>b * XB;
    const x0 = v128.load(xb), x1 = v128.load(xb, 16);
    const x2 = highNibbleActivations(v128.load(xb, 32), x0), x3 = highNibbleActivations(v128.load(xb, 48), x1);
    acc0 = blockOfFourQ4_1(acc0, w + <usize>b * 20, stride, xb, x0, x1, x2, x3);
    acc1 = blockOfFourQ4_1(acc1, second + <usize>b * 20, stride, xb, x0, x1, x2, x3);
  }
  v128.store(y, acc0);
  v128.store(y, acc1, 16);
}

/** acc + one block of four rows (at p, p + stride, …) times activation block xb: lane r gets row r's (d·d_x)·Σq·q_x, then m·s_x. */
// @ts-ignore: decorator
@inline function blockOfFourQ4_1(acc: v128, p: usize, stride: usize, xb: usize, x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const sums = sumLanes(intDotQ4_1(p, x0, x1, x2, x3), intDotQ4_1(p + stride, x0, x1, x2, x3),
    intDotQ4_1(p + 2 * stride, x0, x1, x2, x3), intDotQ4_1(p + 3 * stride, x0, x1, x2, x3));
  // Each row's (d | m << 16) word, one per lane.
  let dm = i32x4.splat(load<u32>(p));
  dm = i32x4.replace_lane(dm, 1, load<u32>(p + stride));
  dm = i32x4.replace_lane(dm, 2, load<u32>(p + 2 * stride));
  dm = i32x4.replace_lane(dm, 3, load<u32>(p + 3 * stride));
  acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(sums), f32x4.mul(f16x4(dm), f32x4.splat(load<f32>(xb, 64)))));
  return f32x4.add(acc, f32x4.mul(f16HighX4(dm), f32x4.splat(load<f32>(xb, 68))));
}

/** Rows w, w + stride, … (Q8_0, cols columns) times x: lane r = row r. */
function fourRowsQ8_0(w: usize, stride: usize, xq: usize, cols: i32): v128 {
  let acc = f32x4.splat(0);
  for (let b = 0; b < cols >> 5; b++) {
    const xb = xq + <usize>b * XB;
    const x0 = v128.load(xb), x1 = v128.load(xb, 16), x2 = v128.load(xb, 32), x3 = v128.load(xb, 48);
    acc = blockOfFourQ8_0(acc, w, stride, cols, b, xb, x0, x1, x2, x3);
  }
  return acc;
}

/** Eight Q8_0 rows times x into y[0..8): two groups of four sharing each block's activation loads, each as fourRowsQ8_0. */
function eightRowsQ8_0(w: usize, stride: usize, xq: usize, cols: i32, y: usize): void {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
  const second = w + 4 * stride;
  for (let b = 0; b < cols >> 5; b++) {
    const xb = xq + <usize>b * XB;
    const x0 = v128.load(xb), x1 = v128.load(xb, 16), x2 = v128.load(xb, 32), x3 = v128.load(xb, 48);
    acc0 = blockOfFourQ8_0(acc0, w, stride, cols, b, xb, x0, x1, x2, x3);
    acc1 = blockOfFourQ8_0(acc1, second, stride, cols, b, xb, x0, x1, x2, x3);
  }
  v128.store(y, acc0);
  v128.store(y, acc1, 16);
}

/** acc + block b of four Q8_0 rows (w, w + stride, …) times activation block xb: lane r gets row r's (d·d_x)·Σq·q_x. */
// @ts-ignore: decorator
@inline function blockOfFourQ8_0(acc: v128, w: usize, stride: usize, cols: i32, b: i32, xb: usize,
  x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const p = w + (<usize>b << 5);
  const sums = sumLanes(intDotQ8_0(p, x0, x1, x2, x3), intDotQ8_0(p + stride, x0, x1, x2, x3),
    intDotQ8_0(p + 2 * stride, x0, x1, x2, x3), intDotQ8_0(p + 3 * stride, x0, x1, x2, x3));
  const sc = w + <usize>cols + (<usize>b << 1);
  let d = i32x4.splat(load<u16>(sc));
  d = i32x4.replace_lane(d, 1, load<u16>(sc + stride));
  d = i32x4.replace_lane(d, 2, load<u16>(sc + 2 * stride));
  d = i32x4.replace_lane(d, 3, load<u16>(sc + 3 * stride));
  return f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(sums), f32x4.mul(f16x4(d), f32x4.splat(load<f32>(xb, 64)))));
}

/**
 * Four Q4_1 rows → scratch, per block (288 bytes): row r's 32 quants as int16 at 64·r, then
 * the rows' d (f32x4) at 256 and m (f32x4) at 272.
 */
function decodeFourQ4_1(w: usize, stride: usize, blocks: i32, out: usize): void {
  for (let b = 0; b < blocks; b++) {
    const o = out + <usize>b * DB;
    const p = w + <usize>b * 20;
    for (let r: usize = 0; r < 4; r++) {
      const qs = v128.load(p + r * stride, 4);
      const lo = v128.and(qs, i8x16.splat(0x0f)), hi = i8x16.shr_u(qs, 4);
      const at = o + (r << 6);
      v128.store(at, i16x8.extend_low_i8x16_u(lo));
      v128.store(at, i16x8.extend_high_i8x16_u(lo), 16);
      v128.store(at, i16x8.extend_low_i8x16_u(hi), 32);
      v128.store(at, i16x8.extend_high_i8x16_u(hi), 48);
    }
    let dm = i32x4.splat(load<u32>(p));
    dm = i32x4.replace_lane(dm, 1, load<u32>(p + stride));
    dm = i32x4.replace_lane(dm, 2, load<u32>(p + 2 * stride));
    dm = i32x4.replace_lane(dm, 3, load<u32>(p + 3 * stride));
    v128.store(o, f16x4(dm), 256);
    v128.store(o, f16HighX4(dm), 272);
  }
}

/** Four Q8_0 rows → scratch, as decodeFourQ4_1 (m = 0). */
function decodeFourQ8_0(w: usize, stride: usize, cols: i32, out: usize): void {
  const scales = w + <usize>cols;
  for (let b = 0; b < cols >> 5; b++) {
    const o = out + <usize>b * DB;
    const p = w + (<usize>b << 5);
    for (let r: usize = 0; r < 4; r++) {
      const q0 = v128.load(p + r * stride), q1 = v128.load(p + r * stride, 16);
      const at = o + (r << 6);
      v128.store(at, i16x8.extend_low_i8x16_s(q0));
      v128.store(at, i16x8.extend_high_i8x16_s(q0), 16);
      v128.store(at, i16x8.extend_low_i8x16_s(q1), 32);
      v128.store(at, i16x8.extend_high_i8x16_s(q1), 48);
    }
    const sc = scales + (<usize>b << 1);
    let d = i32x4.splat(load<u16>(sc));
    d = i32x4.replace_lane(d, 1, load<u16>(sc + stride));
    d = i32x4.replace_lane(d, 2, load<u16>(sc + 2 * stride));
    d = i32x4.replace_lane(d, 3, load<u16>(sc + 3 * stride));
    v128.store(o, f16x4(d), 256);
    v128.store(o, f32x4.splat(0), 272);
  }
}

/** Four decoded rows (scratch) times one activation vector: lane r = row r. withM: add m·s (Q4_1). */
function fourRowsDecoded(s: usize, xq: usize, blocks: i32, withM: bool): v128 {
  let acc = f32x4.splat(0);
  for (let b = 0; b < blocks; b++) {
    const xb = xq + <usize>b * XB;
    const o = s + <usize>b * DB;
    const x0 = v128.load(xb), x1 = v128.load(xb, 16), x2 = v128.load(xb, 32), x3 = v128.load(xb, 48);
    const sums = sumLanes(decodedDot(o, x0, x1, x2, x3), decodedDot(o + 64, x0, x1, x2, x3),
      decodedDot(o + 128, x0, x1, x2, x3), decodedDot(o + 192, x0, x1, x2, x3));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(sums), f32x4.mul(v128.load(o, 256), f32x4.splat(load<f32>(xb, 64)))));
    if (withM) acc = f32x4.add(acc, f32x4.mul(v128.load(o, 272), f32x4.splat(load<f32>(xb, 68))));
  }
  return acc;
}

// @ts-ignore: decorator
@inline function decodedDot(q: usize, x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  let s = i32x4.dot_i16x8_s(v128.load(q), x0);
  s = i32x4.add(s, i32x4.dot_i16x8_s(v128.load(q, 16), x1));
  s = i32x4.add(s, i32x4.dot_i16x8_s(v128.load(q, 32), x2));
  return i32x4.add(s, i32x4.dot_i16x8_s(v128.load(q, 48), x3));
}

/** One Q4_1 row times x. */
function rowQ4_1(w: usize, xq: usize, blocks: i32): f32 {
  let total: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (let b = 0; b < blocks; b++) {
      const xb = xq + <usize>b * XB;
      const p = w + <usize>b * 20;
      const x0 = v128.load(xb), x1 = v128.load(xb, 16);
      const s = intDotQ4_1(p, x0, x1, highNibbleActivations(v128.load(xb, 32), x0), highNibbleActivations(v128.load(xb, 48), x1));
      acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(f16ToF32(load<u16>(p)) * load<f32>(xb, 64))));
      total += f16ToF32(load<u16>(p, 2)) * load<f32>(xb, 68);
    }
    return total + hsum(acc);
  }
  for (let b = 0; b < blocks; b++) {
    const xb = xq + <usize>b * XB;
    const p = w + <usize>b * 20;
    let sumi: i32 = 0;
    for (let j = 0; j < 16; j++) {
      const q = <i32>load<u8>(p + 4 + j);
      sumi += (q & 15) * <i32>load<i16>(xb + (<usize>j << 1)) + (q >> 4) * <i32>load<i16>(xb + (<usize>(j + 16) << 1));
    }
    total += f16ToF32(load<u16>(p)) * load<f32>(xb, 64) * <f32>sumi + f16ToF32(load<u16>(p, 2)) * load<f32>(xb, 68);
  }
  return total;
}

/** One Q8_0 row (cols quants, then the f16 scales) times x. */
function rowQ8_0(w: usize, xq: usize, cols: i32): f32 {
  const scales = w + <usize>cols;
  let total: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (let b = 0; b < cols >> 5; b++) {
      const xb = xq + <usize>b * XB;
      const s = intDotQ8_0(w + (<usize>b << 5), v128.load(xb), v128.load(xb, 16), v128.load(xb, 32), v128.load(xb, 48));
      acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(f16ToF32(load<u16>(scales + (<usize>b << 1))) * load<f32>(xb, 64))));
    }
    return hsum(acc);
  }
  for (let b = 0; b < cols >> 5; b++) {
    const xb = xq + <usize>b * XB;
    const p = w + (<usize>b << 5);
    let sumi: i32 = 0;
    for (let j = 0; j < 32; j++) sumi += <i32>load<i8>(p + j) * <i32>load<i16>(xb + (<usize>j << 1));
    total += f16ToF32(load<u16>(scales + (<usize>b << 1))) * load<f32>(xb, 64) * <f32>sumi;
  }
  return total;
}
