import { hsum } from './simd';
import { dot } from './dot';

/**
 * y = W·x; W rows*cols row-major. Four rows at a time share each load of x, so the
 * kernel streams W once at close to memory bandwidth.
 */
export function gemv(W: usize, x: usize, y: usize, rows: i32, cols: i32): void {
  let r = 0;
  const stride = <usize>cols << 2;
  if (ASC_FEATURE_SIMD) {
    for (; r + 4 <= rows; r += 4) {
      const w0 = W + <usize>r * stride;
      const w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let c = 0;
      for (; c + 4 <= cols; c += 4) {
        const o = <usize>c << 2;
        const xv = v128.load(x + o);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(w0 + o), xv));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(w1 + o), xv));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(w2 + o), xv));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(w3 + o), xv));
      }
      let s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
      for (; c < cols; c++) {
        const o = <usize>c << 2;
        const xc = load<f32>(x + o);
        s0 += load<f32>(w0 + o) * xc;
        s1 += load<f32>(w1 + o) * xc;
        s2 += load<f32>(w2 + o) * xc;
        s3 += load<f32>(w3 + o) * xc;
      }
      const yo = y + (<usize>r << 2);
      store<f32>(yo, s0); store<f32>(yo, s1, 4); store<f32>(yo, s2, 8); store<f32>(yo, s3, 12);
    }
  }
  for (; r < rows; r++) {
    store<f32>(y + (<usize>r << 2), dot(W + <usize>r * stride, x, cols));
  }
}
