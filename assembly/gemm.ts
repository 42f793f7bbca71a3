import { hsum } from './simd';
import { dot } from './dot';

/**
 * Y = X·Wᵀ: n vectors at once. W rows×cols row-major, X n×cols (vector j at X + j·cols),
 * Y n×rows (Y[j][r] = W[r]·X[j]). A row of W is loaded once per four vectors and stays in L1
 * for the rest, so weights stream from memory once per call instead of once per vector — the
 * prefill of a block of prompt tokens.
 */
export function gemm(W: usize, X: usize, Y: usize, rows: i32, cols: i32, n: i32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) rowTimesVectors(W + <usize>r * stride, X, Y + (<usize>r << 2), rows, cols, n);
}

/** Y[j][0] (rows apart) = w · X[j] for j < n; w: cols floats. */
export function rowTimesVectors(w: usize, X: usize, y: usize, rows: i32, cols: i32, n: i32): void {
  const stride = <usize>cols << 2;
  const yStride = <usize>rows << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const x0 = X + <usize>j * stride;
      dot4(w, x0, x0 + stride, x0 + 2 * stride, x0 + 3 * stride, cols, y + <usize>j * yStride, yStride);
    }
  }
  for (; j < n; j++) store<f32>(y + <usize>j * yStride, dot(w, X + <usize>j * stride, cols));
}

/** y[k·yStride] = w · x_k for the four vectors x0..x3 (one load of w feeds four products). */
function dot4(w: usize, x0: usize, x1: usize, x2: usize, x3: usize, n: i32, y: usize, yStride: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const wv = v128.load(w + o);
    a0 = f32x4.add(a0, f32x4.mul(wv, v128.load(x0 + o)));
    a1 = f32x4.add(a1, f32x4.mul(wv, v128.load(x1 + o)));
    a2 = f32x4.add(a2, f32x4.mul(wv, v128.load(x2 + o)));
    a3 = f32x4.add(a3, f32x4.mul(wv, v128.load(x3 + o)));
  }
  let s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const wc = load<f32>(w + o);
    s0 += wc * load<f32>(x0 + o); s1 += wc * load<f32>(x1 + o);
    s2 += wc * load<f32>(x2 + o); s3 += wc * load<f32>(x3 + o);
  }
  store<f32>(y, s0); store<f32>(y + yStride, s1); store<f32>(y + 2 * yStride, s2); store<f32>(y + 3 * yStride, s3);
}
