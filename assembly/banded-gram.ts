// Weighted banded Gram matrix BᵀWB (lower band, row-major: band[i*width + d] = G[i, i−d]) and
// BᵀWz of sparse rows with `width` consecutive nonzeros, f64. Mirrors
// src/kernels/reference/banded-gram.ts. Returns −1, or the first row whose columns leave [0, p).

export function bandedGram(first: usize, values: usize, n: i32, width: i32, weights: usize, hasWeights: i32,
  z: usize, p: i32, band: usize, btz: usize): i32 {
  memory.fill(band, 0, <usize>(p * width) << 3);
  memory.fill(btz, 0, <usize>p << 3);
  if (width == 4) return cubicRuns(first, values, n, weights, hasWeights, z, p, band, btz);
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

/**
 * Width 4 (cubic rows), the knot sampler's common case. Rows sorted by x share their first
 * column in runs; a run's 10 band and 4 btz sums are kept in locals and added to memory once,
 * instead of a load-add-store per row that waits on the previous row's store.
 */
function cubicRuns(first: usize, values: usize, n: i32, weights: usize, hasWeights: i32,
  z: usize, p: i32, band: usize, btz: usize): i32 {
  let i = 0;
  while (i < n) {
    const f = load<i32>(first + (<usize>i << 2));
    if (f < 0 || f > p - 4) return i;
    let g00: f64 = 0, g10: f64 = 0, g11: f64 = 0, g20: f64 = 0, g21: f64 = 0, g22: f64 = 0;
    let g30: f64 = 0, g31: f64 = 0, g32: f64 = 0, g33: f64 = 0;
    let b0: f64 = 0, b1: f64 = 0, b2: f64 = 0, b3: f64 = 0;
    do {
      const o = values + (<usize>(i << 2) << 3);
      const wi: f64 = hasWeights ? load<f64>(weights + (<usize>i << 3)) : 1.0;
      const zi = wi * load<f64>(z + (<usize>i << 3));
      const v0 = load<f64>(o), v1 = load<f64>(o, 8), v2 = load<f64>(o, 16), v3 = load<f64>(o, 24);
      const w0 = wi * v0, w1 = wi * v1, w2 = wi * v2, w3 = wi * v3;
      b0 += v0 * zi; b1 += v1 * zi; b2 += v2 * zi; b3 += v3 * zi;
      // band cell (f+a, d) collects w_a·v_{a−d} (the same products, in the same order per row, as the loop above)
      g00 += w0 * v0;
      g10 += w1 * v1; g11 += w1 * v0;
      g20 += w2 * v2; g21 += w2 * v1; g22 += w2 * v0;
      g30 += w3 * v3; g31 += w3 * v2; g32 += w3 * v1; g33 += w3 * v0;
      i++;
    } while (i < n && load<i32>(first + (<usize>i << 2)) == f);
    const bt = btz + (<usize>f << 3);
    store<f64>(bt, load<f64>(bt) + b0);
    store<f64>(bt, load<f64>(bt, 8) + b1, 8);
    store<f64>(bt, load<f64>(bt, 16) + b2, 16);
    store<f64>(bt, load<f64>(bt, 24) + b3, 24);
    const r = band + (<usize>(f << 2) << 3); // row f; rows f+1.. follow 4 cells apart
    store<f64>(r, load<f64>(r) + g00);
    store<f64>(r, load<f64>(r, 32) + g10, 32);
    store<f64>(r, load<f64>(r, 40) + g11, 40);
    store<f64>(r, load<f64>(r, 64) + g20, 64);
    store<f64>(r, load<f64>(r, 72) + g21, 72);
    store<f64>(r, load<f64>(r, 80) + g22, 80);
    store<f64>(r, load<f64>(r, 96) + g30, 96);
    store<f64>(r, load<f64>(r, 104) + g31, 104);
    store<f64>(r, load<f64>(r, 112) + g32, 112);
    store<f64>(r, load<f64>(r, 120) + g33, 120);
  }
  return -1;
}
