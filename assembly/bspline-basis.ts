// Sparse B-spline basis rows by the Cox–de Boor recursion (Piegl & Tiller, The NURBS Book,
// Alg. A2.2), f64 throughout. Mirrors src/kernels/reference/bspline-basis.ts exactly (same
// operation order), so results agree to rounding. Degree ≤ 20 (the scratch below).

const LEFT = memory.data(8 * 24);
const RIGHT = memory.data(8 * 24);

// @ts-ignore: decorator
@inline function knot(t: usize, i: i32): f64 {
  return load<f64>(t + (<usize>i << 3));
}

/** Largest span μ in [degree, nt−degree−2] with t[μ] ≤ x; clamped outside the boundary. */
// @ts-ignore: decorator
@inline function findSpan(t: usize, nt: i32, degree: i32, x: f64): i32 {
  let lo = degree, hi = nt - degree - 2;
  if (x >= knot(t, hi)) return hi;
  if (x < knot(t, lo + 1)) return lo;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (knot(t, mid) <= x) lo = mid; else hi = mid;
  }
  return lo;
}

/**
 * x: n f64; t: nt f64 (full knot vector); first: n i32 (out); values: n*(degree+1) f64 (out).
 */
export function bsplineBasis(x: usize, n: i32, t: usize, nt: i32, degree: i32, first: usize, values: usize): void {
  const w = degree + 1;
  for (let i = 0; i < n; i++) {
    const xi = load<f64>(x + (<usize>i << 3));
    const span = findSpan(t, nt, degree, xi);
    store<i32>(first + (<usize>i << 2), span - degree);
    const out = values + (<usize>(i * w) << 3);
    store<f64>(out, 1.0);
    for (let j = 1; j <= degree; j++) {
      store<f64>(LEFT + (<usize>j << 3), xi - knot(t, span + 1 - j));
      store<f64>(RIGHT + (<usize>j << 3), knot(t, span + j) - xi);
      let saved: f64 = 0;
      for (let r = 0; r < j; r++) {
        const rr = load<f64>(RIGHT + (<usize>(r + 1) << 3));
        const ll = load<f64>(LEFT + (<usize>(j - r) << 3));
        const temp = load<f64>(out + (<usize>r << 3)) / (rr + ll);
        store<f64>(out + (<usize>r << 3), saved + rr * temp);
        saved = ll * temp;
      }
      store<f64>(out + (<usize>j << 3), saved);
    }
  }
}
