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

// Two points at once (f64x2): the same operations in the same order per lane, so the results
// are bit-identical to the scalar path; the divisions, which bound this kernel, are halved.
const LEFT2 = memory.data(16 * 24);
const RIGHT2 = memory.data(16 * 24);
const OUT2 = memory.data(16 * 24);

/** The span of x, trying `hint` first (x sorted, as the knot sampler passes it: the previous span usually holds). */
// @ts-ignore: decorator
@inline function spanFrom(hint: i32, t: usize, nt: i32, degree: i32, x: f64): i32 {
  if (hint < nt - degree - 2 && knot(t, hint) <= x && x < knot(t, hint + 1)) return hint;
  return findSpan(t, nt, degree, x);
}

/**
 * x: n f64; t: nt f64 (full knot vector); first: n i32 (out); values: n*(degree+1) f64 (out).
 */
export function bsplineBasis(x: usize, n: i32, t: usize, nt: i32, degree: i32, first: usize, values: usize): void {
  const w = degree + 1;
  let span = degree;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 1 < n; i += 2) {
      const x0 = load<f64>(x + (<usize>i << 3)), x1 = load<f64>(x + (<usize>(i + 1) << 3));
      const s0 = spanFrom(span, t, nt, degree, x0);
      const s1 = spanFrom(s0, t, nt, degree, x1);
      span = s1;
      store<i32>(first + (<usize>i << 2), s0 - degree);
      store<i32>(first + (<usize>(i + 1) << 2), s1 - degree);
      const xv = f64x2.replace_lane(f64x2.splat(x0), 1, x1);
      v128.store(OUT2, f64x2.splat(1.0));
      for (let j = 1; j <= degree; j++) {
        const lo = f64x2.replace_lane(f64x2.splat(knot(t, s0 + 1 - j)), 1, knot(t, s1 + 1 - j));
        const hi = f64x2.replace_lane(f64x2.splat(knot(t, s0 + j)), 1, knot(t, s1 + j));
        v128.store(LEFT2 + (<usize>j << 4), f64x2.sub(xv, lo));
        v128.store(RIGHT2 + (<usize>j << 4), f64x2.sub(hi, xv));
        let saved = f64x2.splat(0);
        for (let r = 0; r < j; r++) {
          const rr = v128.load(RIGHT2 + (<usize>(r + 1) << 4));
          const ll = v128.load(LEFT2 + (<usize>(j - r) << 4));
          const temp = f64x2.div(v128.load(OUT2 + (<usize>r << 4)), f64x2.add(rr, ll));
          v128.store(OUT2 + (<usize>r << 4), f64x2.add(saved, f64x2.mul(rr, temp)));
          saved = f64x2.mul(ll, temp);
        }
        v128.store(OUT2 + (<usize>j << 4), saved);
      }
      const out0 = values + (<usize>(i * w) << 3), out1 = out0 + (<usize>w << 3);
      for (let r = 0; r <= degree; r++) {
        const v = v128.load(OUT2 + (<usize>r << 4));
        store<f64>(out0 + (<usize>r << 3), f64x2.extract_lane(v, 0));
        store<f64>(out1 + (<usize>r << 3), f64x2.extract_lane(v, 1));
      }
    }
  }
  for (; i < n; i++) {
    const xi = load<f64>(x + (<usize>i << 3));
    span = spanFrom(span, t, nt, degree, xi);
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
