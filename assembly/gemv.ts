import { hsum } from './simd';
import { dot } from './dot';

/**
 * y = W·x; W rows*cols row-major, x: cols, y: rows.
 *
 * Streaming W from memory is latency-bound: its speed grows with the number of cache lines in
 * flight, and that grows with the number of rows streamed side by side (measured on Zen 4 /
 * V8: 4 rows reach ~62% of a plain streaming read, 7 rows ~75%). Seven is the most that fits
 * the 16 SIMD registers (7 accumulators, x, temporaries) without spills, and with a row
 * stride that is a multiple of 4 KB, seven rows plus x exactly fill the 8 ways of an L1 set.
 * Leftover rows go four at a time, then one at a time; leftover columns are scalar.
 *
 * Short rows (cols ≤ 2048, e.g. the 768-wide matrices of a 110M Llama) are the exception:
 * there a single linear stream per row wins (measured out of cache on 32000×768: 20 GB/s
 * one row at a time with `dot`, against 13 GB/s seven rows side by side), because the seven-row setup and
 * reductions are paid every 768 columns and the prefetcher follows one stream best.
 */
export function gemv(W: usize, x: usize, y: usize, rows: i32, cols: i32): void {
  let r = 0;
  const stride = <usize>cols << 2;
  if (ASC_FEATURE_SIMD && cols <= 2048) {
    for (; r < rows; r++) store<f32>(y + (<usize>r << 2), dot(W + <usize>r * stride, x, cols));
    return;
  }
  if (ASC_FEATURE_SIMD) {
    for (; r + 7 <= rows; r += 7) rows7(W + <usize>r * stride, stride, x, y + (<usize>r << 2), cols);
    for (; r + 4 <= rows; r += 4) rows4(W + <usize>r * stride, stride, x, y + (<usize>r << 2), cols);
  }
  for (; r < rows; r++) {
    store<f32>(y + (<usize>r << 2), dot(W + <usize>r * stride, x, cols));
  }
}

/** y[0..7) = rows w, w+stride, …, w+6·stride of W times x. */
function rows7(w: usize, stride: usize, x: usize, y: usize, cols: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const o = <usize>c << 2;
    const xv = v128.load(x + o);
    let p = w + o;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(p), xv)); p += stride;
    a1 = f32x4.add(a1, f32x4.mul(v128.load(p), xv)); p += stride;
    a2 = f32x4.add(a2, f32x4.mul(v128.load(p), xv)); p += stride;
    a3 = f32x4.add(a3, f32x4.mul(v128.load(p), xv)); p += stride;
    a4 = f32x4.add(a4, f32x4.mul(v128.load(p), xv)); p += stride;
    a5 = f32x4.add(a5, f32x4.mul(v128.load(p), xv)); p += stride;
    a6 = f32x4.add(a6, f32x4.mul(v128.load(p), xv));
  }
  let s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3), s4 = hsum(a4), s5 = hsum(a5), s6 = hsum(a6);
  for (; c < cols; c++) {
    const o = <usize>c << 2;
    const xc = load<f32>(x + o);
    let p = w + o;
    s0 += load<f32>(p) * xc; p += stride;
    s1 += load<f32>(p) * xc; p += stride;
    s2 += load<f32>(p) * xc; p += stride;
    s3 += load<f32>(p) * xc; p += stride;
    s4 += load<f32>(p) * xc; p += stride;
    s5 += load<f32>(p) * xc; p += stride;
    s6 += load<f32>(p) * xc;
  }
  store<f32>(y, s0); store<f32>(y, s1, 4); store<f32>(y, s2, 8); store<f32>(y, s3, 12);
  store<f32>(y, s4, 16); store<f32>(y, s5, 20); store<f32>(y, s6, 24);
}

/** y[0..4) = rows w, w+stride, w+2·stride, w+3·stride of W times x. */
function rows4(w: usize, stride: usize, x: usize, y: usize, cols: i32): void {
  const w1 = w + stride, w2 = w1 + stride, w3 = w2 + stride;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const o = <usize>c << 2;
    const xv = v128.load(x + o);
    a0 = f32x4.add(a0, f32x4.mul(v128.load(w + o), xv));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(w1 + o), xv));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(w2 + o), xv));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(w3 + o), xv));
  }
  let s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
  for (; c < cols; c++) {
    const o = <usize>c << 2;
    const xc = load<f32>(x + o);
    s0 += load<f32>(w + o) * xc;
    s1 += load<f32>(w1 + o) * xc;
    s2 += load<f32>(w2 + o) * xc;
    s3 += load<f32>(w3 + o) * xc;
  }
  store<f32>(y, s0); store<f32>(y, s1, 4); store<f32>(y, s2, 8); store<f32>(y, s3, 12);
}
