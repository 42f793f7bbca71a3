/** x[i] ← SiLU(x[i]) = x/(1 + e^−x) in f64, rounded to f32 (as the reference silu and swiglu). */
export function silu(x: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = <f64>load<f32>(x + o);
    store<f32>(x + o, <f32>(v / (1.0 + Math.exp(-v))));
  }
}
