import { hsum } from './simd';

/**
 * Σ x[i]·y[i] over n f32 elements at pointers x, y. Independent accumulators (4 vectors, or 4
 * scalars in the scalar build) hide add latency and shorten rounding-error chains.
 */
export function dot(x: usize, y: usize, n: i32): f32 {
  let i = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i << 2;
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(x + o, 32), v128.load(y + o, 32)));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(x + o, 48), v128.load(y + o, 48)));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
    }
    s = hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  } else {
    // Four scalar accumulators: shorter dependency chains and a quarter of the rounding error.
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      s0 += load<f32>(x + o) * load<f32>(y + o);
      s1 += load<f32>(x + o, 4) * load<f32>(y + o, 4);
      s2 += load<f32>(x + o, 8) * load<f32>(y + o, 8);
      s3 += load<f32>(x + o, 12) * load<f32>(y + o, 12);
    }
    s = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    s += load<f32>(x + o) * load<f32>(y + o);
  }
  return s;
}
