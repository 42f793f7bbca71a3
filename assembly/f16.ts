// IEEE binary16 → f32 for block scales of quantized weights. Moving the exponent and mantissa
// bits into f32 position and multiplying by 2^112 re-biases the exponent (15 → 127) and turns
// f16 subnormals into the right f32 normals; the sign is put back as a bit. Infinity and NaN are
// not mapped (the loader rejects weights whose scales hold them).

// @ts-ignore: decorator
@inline export function f16ToF32(h: u32): f32 {
  const magnitude = reinterpret<f32>((h & 0x7fff) << 13) * reinterpret<f32>(0x77800000); // × 2^112
  return reinterpret<f32>(reinterpret<u32>(magnitude) | ((h & 0x8000) << 16));
}

/** IEEE binary16 → f32 with Infinity and NaN mapped too (the KV cache may hold them). */
// @ts-ignore: decorator
@inline export function f16ToF32Full(h: u32): f32 {
  let magnitude = reinterpret<u32>(reinterpret<f32>((h & 0x7fff) << 13) * reinterpret<f32>(0x77800000));
  if ((h & 0x7c00) == 0x7c00) magnitude |= 0x7f800000; // exponent 31: Infinity or NaN, mantissa kept
  return reinterpret<f32>(magnitude | ((h & 0x8000) << 16));
}

/** Four binary16 values (the low 16 bits of each i32 lane) → f32x4, Infinity and NaN included. */
// @ts-ignore: decorator
@inline export function f16x4ToF32x4(h: v128): v128 {
  let magnitude = f32x4.mul(i32x4.shl(v128.and(h, i32x4.splat(0x7fff)), 13), f32x4.splat(reinterpret<f32>(0x77800000)));
  const top = i32x4.eq(v128.and(h, i32x4.splat(0x7c00)), i32x4.splat(0x7c00));
  magnitude = v128.or(magnitude, v128.and(top, i32x4.splat(0x7f800000)));
  return v128.or(magnitude, i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16));
}
