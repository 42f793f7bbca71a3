/**
 * Rotary embedding in place over nHeads heads of headDim (even). Pair t turns by
 * pos·base^(−2t/headDim); half = 0 rotates adjacent pairs (2t, 2t+1), half = 1 rotates
 * (t, t + headDim/2). Angles in f64, the rotation in f32.
 */
export function rope(x: usize, nHeads: i32, headDim: i32, pos: f64, base: f64, half: i32): void {
  const h2 = headDim >> 1;
  for (let t = 0; t < h2; t++) {
    const angle = pos * Math.pow(base, <f64>(-2 * t) / <f64>headDim);
    const c = <f32>Math.cos(angle);
    const s = <f32>Math.sin(angle);
    const off0 = half ? t : 2 * t;
    const off1 = half ? t + h2 : 2 * t + 1;
    for (let h = 0; h < nHeads; h++) {
      const p0 = x + (<usize>(h * headDim + off0) << 2);
      const p1 = x + (<usize>(h * headDim + off1) << 2);
      const a = load<f32>(p0), b = load<f32>(p1);
      store<f32>(p0, a * c - b * s);
      store<f32>(p1, a * s + b * c);
    }
  }
}
