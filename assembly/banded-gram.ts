// Weighted banded Gram matrix BᵀWB (lower band, row-major: band[i*width + d] = G[i, i−d]) and
// BᵀWz of sparse rows with `width` consecutive nonzeros, f64. Mirrors
// src/kernels/reference/banded-gram.ts. Returns −1, or the first row whose columns leave [0, p).

export function bandedGram(first: usize, values: usize, n: i32, width: i32, weights: usize, hasWeights: i32,
  z: usize, p: i32, band: usize, btz: usize): i32 {
  memory.fill(band, 0, <usize>(p * width) << 3);
  memory.fill(btz, 0, <usize>p << 3);
  for (let i = 0; i < n; i++) {
    const f = load<i32>(first + (<usize>i << 2));
    // f > p − width, not f + width > p: the sum overflows i32 for f near 2³¹ and would let a
    // row write outside band/btz (p ≥ width ≥ 1, so p − width cannot overflow).
    if (f < 0 || f > p - width) return i;
    const o = values + (<usize>(i * width) << 3);
    const wi: f64 = hasWeights ? load<f64>(weights + (<usize>i << 3)) : 1.0;
    const zi = wi * load<f64>(z + (<usize>i << 3));
    for (let a = 0; a < width; a++) {
      const v = load<f64>(o + (<usize>a << 3));
      const va = wi * v;
      const bt = btz + (<usize>(f + a) << 3);
      store<f64>(bt, load<f64>(bt) + v * zi);
      const row = band + (<usize>((f + a) * width) << 3);
      for (let d = 0; d <= a; d++) {
        const cell = row + (<usize>d << 3);
        store<f64>(cell, load<f64>(cell) + va * load<f64>(o + (<usize>(a - d) << 3)));
      }
    }
  }
  return -1;
}
