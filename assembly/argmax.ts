/**
 * Index of the largest of x[0..n) (n ≥ 1), ties to the lower index; −1 when some x[i] is NaN.
 * SIMD: four lanes each keep their largest value and its index (a lane's indices grow, so a
 * strict comparison keeps its first maximum), and any NaN is remembered in a mask; the lanes are
 * then merged, equal values going to the lower index, and the tail runs as the scalar loop.
 */
export function argmax(x: usize, n: i32): i32 {
  let best: i32 = 0;
  let bestV = load<f32>(x);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (n >= 8) {
      let vals = v128.load(x);
      let idx = i32x4(0, 1, 2, 3);
      let at = i32x4(4, 5, 6, 7);
      let nan = f32x4.ne(vals, vals);
      const four = i32x4.splat(4);
      for (i = 4; i + 4 <= n; i += 4) {
        const v = v128.load(x + (<usize>i << 2));
        const larger = f32x4.gt(v, vals);
        vals = v128.bitselect(v, vals, larger);
        idx = v128.bitselect(at, idx, larger);
        nan = v128.or(nan, f32x4.ne(v, v));
        at = i32x4.add(at, four);
      }
      if (v128.any_true(nan)) return -1;
      bestV = f32x4.extract_lane(vals, 0);
      best = i32x4.extract_lane(idx, 0);
      best = winningIndex(f32x4.extract_lane(vals, 1), i32x4.extract_lane(idx, 1), bestV, best);
      bestV = load<f32>(x + (<usize>best << 2));
      best = winningIndex(f32x4.extract_lane(vals, 2), i32x4.extract_lane(idx, 2), bestV, best);
      bestV = load<f32>(x + (<usize>best << 2));
      best = winningIndex(f32x4.extract_lane(vals, 3), i32x4.extract_lane(idx, 3), bestV, best);
      bestV = load<f32>(x + (<usize>best << 2));
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v != v) return -1;
    if (v > bestV) { bestV = v; best = i; }
  }
  return best;
}

/** Merging lanes: the index of the winner of v at j against bestV at best (the larger; if equal, the earlier). */
@inline function winningIndex(v: f32, j: i32, bestV: f32, best: i32): i32 {
  return v > bestV || (v == bestV && j < best) ? j : best;
}
