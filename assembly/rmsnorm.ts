import { dot } from './dot';

/** out = w ⊙ x / sqrt(mean(x²) + eps). out may alias x. */
export function rmsnorm(x: usize, w: usize, out: usize, n: i32, eps: f32): void {
  const ss = dot(x, x, n);
  const scale = <f32>(1.0 / Math.sqrt(<f64>ss / <f64>n + <f64>eps));
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(scale);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.mul(v128.load(w + o), f32x4.mul(v128.load(x + o), vs)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(w + o) * (load<f32>(x + o) * scale));
  }
}
