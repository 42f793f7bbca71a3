// Activations to 8-bit blocks of 32, as ggml's x86 quantize_row_q8_1 (layout and contract:
// src/kernels/q8-activation-words.ts, reference: src/kernels/reference/quantize-q8-1.ts).

/**
 * q = quantized x[0..length), length a multiple of 32: per block 32 int16 quants, then d and
 * s = d·Σq as f32 holding binary16 values (72 bytes). Bit-identical to the reference: every
 * step is one float32 operation, rounding (f32.nearest) is ties-to-even as there.
 */
export function quantizeQ8_1(x: usize, q: usize, length: i32): void {
  for (let b = 0; b < length >> 5; b++) {
    const xb = x + (<usize>b << 7);
    const qb = q + <usize>b * 72;
    const amax = absMax(xb);
    if (!(amax - amax == 0)) { // NaN or ±Infinity in the block: its products become NaN
      memory.fill(qb, 0, 64);
      store<f32>(qb, NaN, 64);
      store<f32>(qb, NaN, 68);
      continue;
    }
    const d: f32 = amax / 127;
    const id: f32 = amax == 0 ? 0 : <f32>127 / amax;
    let sum: i32 = 0;
    if (ASC_FEATURE_SIMD) {
      const m = f32x4.splat(id);
      let s = i32x4.splat(0);
      for (let k = 0; k < 4; k++) { // 8 values → 8 int16 per step
        const lo = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(xb + (<usize>k << 5)), m)));
        const hi = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(xb + (<usize>k << 5), 16), m)));
        s = i32x4.add(s, i32x4.add(lo, hi));
        v128.store(qb + (<usize>k << 4), i16x8.narrow_i32x4_s(lo, hi));
      }
      sum = i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
    } else {
      for (let j = 0; j < 32; j++) {
        const v = <i32>nearest<f32>(load<f32>(xb + (<usize>j << 2)) * id);
        store<i16>(qb + (<usize>j << 1), <i16>v);
        sum += v;
      }
    }
    store<f32>(qb, roundToF16(d), 64);
    store<f32>(qb, roundToF16(d * <f32>sum), 68);
  }
}

/** max_j |x_j| over one block of 32 floats; NaN when any is NaN (wasm's max propagates it). */
function absMax(xb: usize): f32 {
  if (ASC_FEATURE_SIMD) {
    let m = f32x4.abs(v128.load(xb));
    for (let k = 1; k < 8; k++) m = f32x4.max(m, f32x4.abs(v128.load(xb + (<usize>k << 4))));
    return max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  }
  let m: f32 = 0;
  for (let j = 0; j < 32; j++) m = max(m, abs(load<f32>(xb + (<usize>j << 2))));
  return m;
}

/**
 * The binary16 value nearest to v (ties to even), as f32; ±Infinity from 65520 up. Normal
 * range: round the 23-bit mantissa to 10 bits. Below 2^-14 binary16 is fixed-point in steps of
 * 2^-24, and adding 0.5 (whose f32 ulp is 2^-24) rounds to that grid, ties to even.
 */
function roundToF16(v: f32): f32 {
  const a = abs(v);
  if (a != a) return v;
  if (a >= 65520) return copysign<f32>(Infinity, v);
  if (a < reinterpret<f32>(0x38800000)) return copysign<f32>((a + 0.5) - 0.5, v); // 2^-14
  let bits = reinterpret<u32>(a);
  bits = (bits + 0xfff + ((bits >> 13) & 1)) & ~<u32>0x1fff;
  return copysign<f32>(reinterpret<f32>(bits), v);
}
