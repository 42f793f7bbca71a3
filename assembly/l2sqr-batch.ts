import { hsum } from './simd';
import { dot } from './dot';

// The eight dot products of a 4-point × 2-centroid block. Globals, not a static memory block:
// globals belong to the instance, so in the shared-memory build (one instance per thread over
// one memory) threads cannot overwrite each other's block.
let b00: f32 = 0, b01: f32 = 0, b10: f32 = 0, b11: f32 = 0;
let b20: f32 = 0, b21: f32 = 0, b30: f32 = 0, b31: f32 = 0;

/**
 * Dots of points X0..X3 (rows of stride d at xp) with centroids C0, C1 (at cp):
 * bPC = X_P · C_C. 8 v128 accumulators + 5 operands fit the 16 SIMD registers.
 */
// @ts-ignore: decorator
@inline function dotBlock4x2(xp: usize, cp: usize, d: i32): void {
  const row = <usize>d << 2;
  const x0 = xp, x1 = xp + row, x2 = x1 + row, x3 = x2 + row;
  const c0 = cp, c1 = cp + row;
  let t = 0;
  let s00: f32 = 0, s01: f32 = 0, s10: f32 = 0, s11: f32 = 0;
  let s20: f32 = 0, s21: f32 = 0, s30: f32 = 0, s31: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    for (; t + 4 <= d; t += 4) {
      const o = <usize>t << 2;
      const v0 = v128.load(c0 + o), v1 = v128.load(c1 + o);
      let xv = v128.load(x0 + o);
      a00 = f32x4.add(a00, f32x4.mul(xv, v0)); a01 = f32x4.add(a01, f32x4.mul(xv, v1));
      xv = v128.load(x1 + o);
      a10 = f32x4.add(a10, f32x4.mul(xv, v0)); a11 = f32x4.add(a11, f32x4.mul(xv, v1));
      xv = v128.load(x2 + o);
      a20 = f32x4.add(a20, f32x4.mul(xv, v0)); a21 = f32x4.add(a21, f32x4.mul(xv, v1));
      xv = v128.load(x3 + o);
      a30 = f32x4.add(a30, f32x4.mul(xv, v0)); a31 = f32x4.add(a31, f32x4.mul(xv, v1));
    }
    s00 = hsum(a00); s01 = hsum(a01); s10 = hsum(a10); s11 = hsum(a11);
    s20 = hsum(a20); s21 = hsum(a21); s30 = hsum(a30); s31 = hsum(a31);
  }
  for (; t < d; t++) {
    const o = <usize>t << 2;
    const v0 = load<f32>(c0 + o), v1 = load<f32>(c1 + o);
    let xs = load<f32>(x0 + o); s00 += xs * v0; s01 += xs * v1;
    xs = load<f32>(x1 + o); s10 += xs * v0; s11 += xs * v1;
    xs = load<f32>(x2 + o); s20 += xs * v0; s21 += xs * v1;
    xs = load<f32>(x3 + o); s30 += xs * v0; s31 += xs * v1;
  }
  b00 = s00; b01 = s01; b10 = s10; b11 = s11; b20 = s20; b21 = s21; b30 = s30; b31 = s31;
}

/** ‖x‖² − 2x·c + ‖c‖², clamped at 0 (the expansion can round slightly negative). */
// @ts-ignore: decorator
@inline function expand(xn: f32, cn: f32, xc: f32): f32 {
  const v = xn + cn - 2 * xc;
  return v > 0 ? v : 0;
}

/** norms[j] = ‖row j‖² for `count` rows of length d. */
export function rowNorms(A: usize, norms: usize, count: i32, d: i32): void {
  const row = <usize>d << 2;
  for (let j = 0; j < count; j++) {
    const a = A + <usize>j * row;
    store<f32>(norms + (<usize>j << 2), dot(a, a, d));
  }
}

/**
 * out[i*k + j] = ‖X_i − C_j‖². X: n*d; C: k*d; out: n*k; cnorm: scratch of k f32.
 */
export function l2sqrBatch(X: usize, C: usize, out: usize, n: i32, k: i32, d: i32, cnorm: usize): void {
  rowNorms(C, cnorm, k, d);
  l2sqrBatchRows(X, C, out, n, k, d, cnorm);
}

/**
 * l2sqrBatch with the centroid norms already in cnorm. The multi-thread backend runs it on
 * blocks of points (starting at multiples of 4, so the blocking and the bits match).
 */
export function l2sqrBatchRows(X: usize, C: usize, out: usize, n: i32, k: i32, d: i32, cnorm: usize): void {
  const row = <usize>d << 2;
  const outRow = <usize>k << 2;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xp = X + <usize>i * row;
    const xn0 = dot(xp, xp, d), xn1 = dot(xp + row, xp + row, d);
    const xn2 = dot(xp + 2 * row, xp + 2 * row, d), xn3 = dot(xp + 3 * row, xp + 3 * row, d);
    const o0 = out + <usize>i * outRow, o1 = o0 + outRow, o2 = o1 + outRow, o3 = o2 + outRow;
    let j = 0;
    for (; j + 2 <= k; j += 2) {
      dotBlock4x2(xp, C + <usize>j * row, d);
      const cn0 = load<f32>(cnorm + (<usize>j << 2)), cn1 = load<f32>(cnorm + (<usize>j << 2), 4);
      const jo = <usize>j << 2;
      store<f32>(o0 + jo, expand(xn0, cn0, b00));
      store<f32>(o0 + jo, expand(xn0, cn1, b01), 4);
      store<f32>(o1 + jo, expand(xn1, cn0, b10));
      store<f32>(o1 + jo, expand(xn1, cn1, b11), 4);
      store<f32>(o2 + jo, expand(xn2, cn0, b20));
      store<f32>(o2 + jo, expand(xn2, cn1, b21), 4);
      store<f32>(o3 + jo, expand(xn3, cn0, b30));
      store<f32>(o3 + jo, expand(xn3, cn1, b31), 4);
    }
    for (; j < k; j++) {
      const cp = C + <usize>j * row;
      const cn = load<f32>(cnorm + (<usize>j << 2));
      const jo = <usize>j << 2;
      store<f32>(o0 + jo, expand(xn0, cn, dot(xp, cp, d)));
      store<f32>(o1 + jo, expand(xn1, cn, dot(xp + row, cp, d)));
      store<f32>(o2 + jo, expand(xn2, cn, dot(xp + 2 * row, cp, d)));
      store<f32>(o3 + jo, expand(xn3, cn, dot(xp + 3 * row, cp, d)));
    }
  }
  for (; i < n; i++) {
    const xp = X + <usize>i * row;
    const xn = dot(xp, xp, d);
    const o = out + <usize>i * outRow;
    for (let j = 0; j < k; j++) {
      store<f32>(o + (<usize>j << 2), expand(xn, load<f32>(cnorm + (<usize>j << 2)), dot(xp, C + <usize>j * row, d)));
    }
  }
}

/**
 * Nearest centroid per point (ties to the lower index) with the same blocked dot products as
 * l2sqrBatch, keeping a running minimum instead of writing the n×k matrix.
 * X: n*d; C: k*d; codes: n i32; dist: n f32; cnorm: scratch of k f32.
 */
export function argminL2(X: usize, C: usize, codes: usize, dist: usize, n: i32, k: i32, d: i32, cnorm: usize): void {
  rowNorms(C, cnorm, k, d);
  argminL2Rows(X, C, codes, dist, n, k, d, cnorm);
}

/** argminL2 with the centroid norms already in cnorm (see l2sqrBatchRows). */
export function argminL2Rows(X: usize, C: usize, codes: usize, dist: usize, n: i32, k: i32, d: i32, cnorm: usize): void {
  const row = <usize>d << 2;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xp = X + <usize>i * row;
    const xn0 = dot(xp, xp, d), xn1 = dot(xp + row, xp + row, d);
    const xn2 = dot(xp + 2 * row, xp + 2 * row, d), xn3 = dot(xp + 3 * row, xp + 3 * row, d);
    let b0: f32 = Infinity, b1: f32 = Infinity, b2: f32 = Infinity, b3: f32 = Infinity;
    let i0 = -1, i1 = -1, i2 = -1, i3 = -1;
    let j = 0;
    for (; j + 2 <= k; j += 2) {
      dotBlock4x2(xp, C + <usize>j * row, d);
      const cn0 = load<f32>(cnorm + (<usize>j << 2)), cn1 = load<f32>(cnorm + (<usize>j << 2), 4);
      let v = expand(xn0, cn0, b00); if (v < b0) { b0 = v; i0 = j; }
      v = expand(xn0, cn1, b01); if (v < b0) { b0 = v; i0 = j + 1; }
      v = expand(xn1, cn0, b10); if (v < b1) { b1 = v; i1 = j; }
      v = expand(xn1, cn1, b11); if (v < b1) { b1 = v; i1 = j + 1; }
      v = expand(xn2, cn0, b20); if (v < b2) { b2 = v; i2 = j; }
      v = expand(xn2, cn1, b21); if (v < b2) { b2 = v; i2 = j + 1; }
      v = expand(xn3, cn0, b30); if (v < b3) { b3 = v; i3 = j; }
      v = expand(xn3, cn1, b31); if (v < b3) { b3 = v; i3 = j + 1; }
    }
    for (; j < k; j++) {
      const cp = C + <usize>j * row;
      const cn = load<f32>(cnorm + (<usize>j << 2));
      let v = expand(xn0, cn, dot(xp, cp, d)); if (v < b0) { b0 = v; i0 = j; }
      v = expand(xn1, cn, dot(xp + row, cp, d)); if (v < b1) { b1 = v; i1 = j; }
      v = expand(xn2, cn, dot(xp + 2 * row, cp, d)); if (v < b2) { b2 = v; i2 = j; }
      v = expand(xn3, cn, dot(xp + 3 * row, cp, d)); if (v < b3) { b3 = v; i3 = j; }
    }
    const io = <usize>i << 2;
    store<i32>(codes + io, i0); store<i32>(codes + io, i1, 4); store<i32>(codes + io, i2, 8); store<i32>(codes + io, i3, 12);
    store<f32>(dist + io, b0); store<f32>(dist + io, b1, 4); store<f32>(dist + io, b2, 8); store<f32>(dist + io, b3, 12);
  }
  for (; i < n; i++) {
    const xp = X + <usize>i * row;
    const xn = dot(xp, xp, d);
    let best: f32 = Infinity;
    let bi = -1;
    for (let j = 0; j < k; j++) {
      const v = expand(xn, load<f32>(cnorm + (<usize>j << 2)), dot(xp, C + <usize>j * row, d));
      if (v < best) { best = v; bi = j; }
    }
    store<i32>(codes + (<usize>i << 2), bi);
    store<f32>(dist + (<usize>i << 2), best);
  }
}
