/** out = softmax(x[0..n)); exp and the sum in f64 for accuracy. out may alias x. */
export function softmax(x: usize, out: usize, n: i32): void {
  let max: f32 = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v > max) max = v;
  }
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(<f64>load<f32>(x + (<usize>i << 2)) - <f64>max);
    store<f32>(out + (<usize>i << 2), <f32>e);
    sum += e;
  }
  const inv: f64 = 1.0 / sum;
  for (let i = 0; i < n; i++) {
    const o = out + (<usize>i << 2);
    store<f32>(o, <f32>(<f64>load<f32>(o) * inv));
  }
}
