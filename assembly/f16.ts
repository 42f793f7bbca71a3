// IEEE binary16 → f32 for block scales of quantized weights. Moving the exponent and mantissa
// bits into f32 position and multiplying by 2^112 re-biases the exponent (15 → 127) and turns
// f16 subnormals into the right f32 normals; the sign is put back as a bit. Infinity and NaN are
// not mapped (the loader rejects weights whose scales hold them).

// @ts-ignore: decorator
@inline export function f16ToF32(h: u32): f32 {
  const magnitude = reinterpret<f32>((h & 0x7fff) << 13) * reinterpret<f32>(0x77800000); // × 2^112
  return reinterpret<f32>(reinterpret<u32>(magnitude) | ((h & 0x8000) << 16));
}
