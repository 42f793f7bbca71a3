// Shared SIMD helpers. Every kernel file holds a v128 path and a scalar path, chosen at
// compile time by ASC_FEATURE_SIMD, so one source yields both the simd and scalar builds.

/** Sum of the four f32 lanes. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)
       + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}
