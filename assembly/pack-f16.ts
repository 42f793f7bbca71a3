// float32 → IEEE binary16, round to nearest even, subnormals included (ggml's FP32→FP16, the
// precision of llama.cpp's default KV cache). Integer arithmetic on the bits after F. Giesen's
// float_to_half_fast3_rtne: normal results round by adding 0xfff plus the lowest kept bit;
// subnormal results come from a float addition that lets the FPU round at the right place.

const F32_INFINITY: u32 = 255 << 23;
const F16_OVERFLOW: u32 = (127 + 16) << 23; // 65536: rounds to Infinity from here on
const SUBNORMAL_MAGIC: u32 = ((127 - 15) + (23 - 10) + 1) << 23; // 0.5 as the smallest f16 subnormal's ulp
const F16_NORMAL_MIN: u32 = 113 << 23; // 2^-14

/** The binary16 bits of the float32 x (NaN → 0x7e00). */
// @ts-ignore: decorator
@inline export function f32ToF16Bits(x: f32): u32 {
  let f = reinterpret<u32>(x);
  const sign = (f >> 16) & 0x8000;
  f &= 0x7fffffff;
  if (f > F32_INFINITY) return 0x7e00;
  let o: u32;
  if (f >= F16_OVERFLOW) o = 0x7c00;
  else if (f < F16_NORMAL_MIN) {
    o = reinterpret<u32>(reinterpret<f32>(f) + reinterpret<f32>(SUBNORMAL_MAGIC)) - SUBNORMAL_MAGIC;
  } else {
    const odd = (f >> 13) & 1;
    f += ((15 - 127) << 23) + 0xfff + odd;
    o = f >> 13;
  }
  return o | sign;
}

/** out[i] = binary16(x[2i]) | binary16(x[2i+1]) << 16 for 2i < n (n even). */
export function packF16(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i += 2) {
    const o = <usize>i << 2;
    store<u32>(out + (<usize>i << 1), f32ToF16Bits(load<f32>(x + o)) | (f32ToF16Bits(load<f32>(x + o, 4)) << 16));
  }
}
