import { hsum } from './simd';
import { dot } from './dot';

/**
 * Exact attention of one query head over a chosen list of tokens of a resident K/V store
 * (A²ATS §3–4: the slow tier's "attention over the selected tokens in place"):
 *
 *   s_c = scale · q·K[idx_c],  p = softmax(s),  out = Σ_c p_c V[idx_c],  returns log Σ_c e^{s_c}.
 *
 * K, V: rows of `stride` floats; the head's d values start each row (pass a pointer at the
 * head's offset). scores: count f32 scratch. The log-sum-exp lets partial attentions over
 * disjoint token sets (fast tier: sinks + window, slow tier: retrieved far tokens) be merged
 * exactly. count = 0 writes zeros and returns -Infinity.
 */
export function selectiveAttention(q: usize, K: usize, V: usize, idx: usize, count: i32, d: i32,
  stride: i32, scale: f32, out: usize, scores: usize): f64 {
  memory.fill(out, 0, <usize>d << 2);
  if (count <= 0) return -Infinity;
  const row = <usize>stride << 2;

  // 1. Scores, four rows at a time so each load of q feeds four dot products.
  let max: f32 = -Infinity;
  let c = 0;
  for (; c + 4 <= count; c += 4) {
    const io = idx + (<usize>c << 2);
    dot4(q, K + <usize>load<i32>(io) * row, K + <usize>load<i32>(io, 4) * row,
      K + <usize>load<i32>(io, 8) * row, K + <usize>load<i32>(io, 12) * row, d);
    for (let j = 0; j < 4; j++) {
      const s = load<f32>(DOTS + (<usize>j << 2)) * scale;
      store<f32>(scores + (<usize>(c + j) << 2), s);
      if (s > max) max = s;
    }
  }
  for (; c < count; c++) {
    const s = dot(q, K + <usize>load<i32>(idx + (<usize>c << 2)) * row, d) * scale;
    store<f32>(scores + (<usize>c << 2), s);
    if (s > max) max = s;
  }

  // 2. p_c = exp(s_c − max) in place, and their sum.
  const sum = expShiftSum(scores, count, max);

  // 3. out = Σ p_c V[idx_c] / sum, four rows per pass over out.
  c = 0;
  for (; c + 4 <= count; c += 4) {
    const io = idx + (<usize>c << 2);
    const so = scores + (<usize>c << 2);
    axpy4(V + <usize>load<i32>(io) * row, V + <usize>load<i32>(io, 4) * row,
      V + <usize>load<i32>(io, 8) * row, V + <usize>load<i32>(io, 12) * row,
      load<f32>(so), load<f32>(so, 4), load<f32>(so, 8), load<f32>(so, 12), out, d);
  }
  for (; c < count; c++) {
    const v = V + <usize>load<i32>(idx + (<usize>c << 2)) * row;
    axpy4(v, v, v, v, load<f32>(scores + (<usize>c << 2)), 0, 0, 0, out, d);
  }
  const inv = <f32>(1.0 / sum);
  for (let t = 0; t < d; t++) {
    const o = out + (<usize>t << 2);
    store<f32>(o, load<f32>(o) * inv);
  }
  return <f64>max + Math.log(sum);
}

export const DOTS = memory.data(16);

/** DOTS[j] = q · r_j for four rows of length d. */
// @ts-ignore: decorator
@inline export function dot4(q: usize, r0: usize, r1: usize, r2: usize, r3: usize, d: i32): void {
  let t = 0;
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (; t + 4 <= d; t += 4) {
      const o = <usize>t << 2;
      const qv = v128.load(q + o);
      a0 = f32x4.add(a0, f32x4.mul(qv, v128.load(r0 + o)));
      a1 = f32x4.add(a1, f32x4.mul(qv, v128.load(r1 + o)));
      a2 = f32x4.add(a2, f32x4.mul(qv, v128.load(r2 + o)));
      a3 = f32x4.add(a3, f32x4.mul(qv, v128.load(r3 + o)));
    }
    s0 = hsum(a0); s1 = hsum(a1); s2 = hsum(a2); s3 = hsum(a3);
  }
  for (; t < d; t++) {
    const o = <usize>t << 2;
    const qs = load<f32>(q + o);
    s0 += qs * load<f32>(r0 + o); s1 += qs * load<f32>(r1 + o);
    s2 += qs * load<f32>(r2 + o); s3 += qs * load<f32>(r3 + o);
  }
  store<f32>(DOTS, s0); store<f32>(DOTS, s1, 4); store<f32>(DOTS, s2, 8); store<f32>(DOTS, s3, 12);
}

/** out += p0·r0 + p1·r1 + p2·r2 + p3·r3 over d floats. */
// @ts-ignore: decorator
@inline export function axpy4(r0: usize, r1: usize, r2: usize, r3: usize, p0: f32, p1: f32, p2: f32, p3: f32,
  out: usize, d: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    const v0 = f32x4.splat(p0), v1 = f32x4.splat(p1), v2 = f32x4.splat(p2), v3 = f32x4.splat(p3);
    for (; t + 4 <= d; t += 4) {
      const o = <usize>t << 2;
      let acc = v128.load(out + o);
      acc = f32x4.add(acc, f32x4.mul(v0, v128.load(r0 + o)));
      acc = f32x4.add(acc, f32x4.mul(v1, v128.load(r1 + o)));
      acc = f32x4.add(acc, f32x4.mul(v2, v128.load(r2 + o)));
      acc = f32x4.add(acc, f32x4.mul(v3, v128.load(r3 + o)));
      v128.store(out + o, acc);
    }
  }
  for (; t < d; t++) {
    const o = <usize>t << 2;
    store<f32>(out + o, load<f32>(out + o) + p0 * load<f32>(r0 + o) + p1 * load<f32>(r1 + o)
      + p2 * load<f32>(r2 + o) + p3 * load<f32>(r3 + o));
  }
}

// Cephes expf: e^x = 2^n · e^r with n = round(x·log2 e), |r| ≤ ln2/2, and a degree-5
// polynomial for e^r − 1 − r; relative error ≈ 1e-7. Inputs below −87 give ≈ 0.
const LOG2E: f32 = 1.44269504088896341;
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4, P1: f32 = 1.3981999507e-3, P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2, P4: f32 = 1.6666665459e-1, P5: f32 = 5.0000001201e-1;

// @ts-ignore: decorator
@inline function expScalar(x: f32): f32 {
  if (x < -87) x = -87;
  const n = Mathf.floor(x * LOG2E + 0.5);
  const r = x - n * C1 - n * C2;
  let y = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
  y = y * r * r + r + 1;
  return y * reinterpret<f32>((<i32>n + 127) << 23);
}

/** s[c] = exp(s[c] − max) for c < count; returns Σ s[c] (accumulated in f64 per block of 4). */
export function expShiftSum(s: usize, count: i32, max: f32): f64 {
  let sum: f64 = 0;
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    const mv = f32x4.splat(max), lo = f32x4.splat(-87), log2e = f32x4.splat(LOG2E), half = f32x4.splat(0.5);
    const c1 = f32x4.splat(C1), c2 = f32x4.splat(C2), one = f32x4.splat(1);
    const p0 = f32x4.splat(P0), p1 = f32x4.splat(P1), p2 = f32x4.splat(P2);
    const p3 = f32x4.splat(P3), p4 = f32x4.splat(P4), p5 = f32x4.splat(P5);
    const bias = i32x4.splat(127);
    let acc = f32x4.splat(0);
    for (; c + 4 <= count; c += 4) {
      const o = s + (<usize>c << 2);
      const x = f32x4.max(f32x4.sub(v128.load(o), mv), lo);
      const n = f32x4.floor(f32x4.add(f32x4.mul(x, log2e), half));
      const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, c1)), f32x4.mul(n, c2));
      let y = f32x4.add(f32x4.mul(p0, r), p1);
      y = f32x4.add(f32x4.mul(y, r), p2);
      y = f32x4.add(f32x4.mul(y, r), p3);
      y = f32x4.add(f32x4.mul(y, r), p4);
      y = f32x4.add(f32x4.mul(y, r), p5);
      y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), one);
      const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), bias), 23);
      const e = f32x4.mul(y, pow2);
      v128.store(o, e);
      acc = f32x4.add(acc, e);
      if ((c & 1023) == 1020) { sum += <f64>hsum(acc); acc = f32x4.splat(0); }
    }
    sum += <f64>hsum(acc);
  }
  for (; c < count; c++) {
    const o = s + (<usize>c << 2);
    const e = expScalar(load<f32>(o) - max);
    store<f32>(o, e);
    sum += <f64>e;
  }
  return sum;
}
