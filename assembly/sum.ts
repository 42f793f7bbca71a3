/**
 * Σ x[i] over n f32 elements: the plain streaming-read kernel. Benchmarks use it as the
 * memory roofline (the GB/s any kernel that reads each byte once can hope for), so it reads
 * with eight independent accumulators to keep enough loads in flight.
 */
export function sum(x: usize, n: i32): f32 {
  let i = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
    for (; i + 32 <= n; i += 32) {
      const p = x + (<usize>i << 2);
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
      a4 = f32x4.add(a4, v128.load(p, 64));
      a5 = f32x4.add(a5, v128.load(p, 80));
      a6 = f32x4.add(a6, v128.load(p, 96));
      a7 = f32x4.add(a7, v128.load(p, 112));
    }
    for (; i + 4 <= n; i += 4) a0 = f32x4.add(a0, v128.load(x + (<usize>i << 2)));
    const v = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)),
      f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
    s = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
  } else {
    // Four scalar accumulators: shorter dependency chains and a smaller rounding error.
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (; i + 4 <= n; i += 4) {
      const p = x + (<usize>i << 2);
      s0 += load<f32>(p); s1 += load<f32>(p, 4); s2 += load<f32>(p, 8); s3 += load<f32>(p, 12);
    }
    s = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) s += load<f32>(x + (<usize>i << 2));
  return s;
}
