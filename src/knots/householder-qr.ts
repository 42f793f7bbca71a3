/**
 * Householder QR exactly as LINPACK's dqrdc2/dqrsl compute it (the routines behind R's `qr()`
 * and `qr.qty()`). R's `splines::ns` builds its natural-spline basis from this factorisation, and
 * the basis depends on the sign and scaling conventions of the reflections, so we follow them
 * step by step (Dongarra et al. 1979, *LINPACK Users' Guide*, ch. 9).
 *
 * Column pivoting of dqrdc2 only moves near-zero columns; callers here pass full-rank matrices,
 * and a rank-deficient input is reported instead of pivoted.
 */
import { SparseInferenceError } from '../core/errors.js';

export interface HouseholderQr {
  /** n*p column-major: R on and above the diagonal, the reflection vectors below. */
  qr: Float64Array;
  qraux: Float64Array;
  n: number;
  p: number;
}

/** Factor the n×p matrix a (column-major, copied) as LINPACK dqrdc2 does (n > p). */
export function householderQr(a: ArrayLike<number>, n: number, p: number): HouseholderQr {
  const x = Float64Array.from(a);
  const qraux = new Float64Array(p);
  const norms = new Float64Array(p);
  for (let j = 0; j < p; j++) { norms[j] = norm2(x, j * n, n); qraux[j] = norms[j]; }
  for (let l = 0; l < Math.min(n, p); l++) {
    if (!(qraux[l] >= (norms[l] === 0 ? 1 : norms[l]) * 1e-7)) {
      throw new SparseInferenceError('NOT_CONVERGED', `householderQr: column ${l} is (numerically) dependent on earlier columns`);
    }
    if (l === n - 1) break;
    const ll = l * n + l;
    let nrmxl = norm2(x, ll, n - l);
    if (nrmxl === 0) continue;
    if (x[ll] !== 0) nrmxl = Math.sign(x[ll]) * Math.abs(nrmxl);
    for (let i = 0; i < n - l; i++) x[ll + i] /= nrmxl;
    x[ll] += 1;
    for (let j = l + 1; j < p; j++) {
      const lj = j * n + l;
      let dot = 0;
      for (let i = 0; i < n - l; i++) dot += x[ll + i] * x[lj + i];
      const t = -dot / x[ll];
      for (let i = 0; i < n - l; i++) x[lj + i] += t * x[ll + i];
      if (qraux[j] !== 0) {
        // Downdate the remaining column norm (dqrdc2's update, recomputed when it loses accuracy).
        let tt = 1 - (Math.abs(x[lj]) / qraux[j]) ** 2;
        tt = Math.max(tt, 0);
        if (Math.abs(tt) < 1e-6) qraux[j] = norm2(x, lj + 1, n - l - 1);
        else qraux[j] *= Math.sqrt(tt);
      }
    }
    qraux[l] = x[ll];
    x[ll] = -nrmxl;
  }
  return { qr: x, qraux, n, p };
}

/** y ← Qᵀ y in place (dqrsl with job 1000); y has n elements. */
export function householderQty(f: HouseholderQr, y: Float64Array): void {
  const { qr, qraux, n, p } = f;
  const ju = Math.min(p, n - 1);
  for (let j = 0; j < ju; j++) {
    if (qraux[j] === 0) continue;
    const jj = j * n + j;
    let dot = qraux[j] * y[j];
    for (let i = 1; i < n - j; i++) dot += qr[jj + i] * y[j + i];
    const t = -dot / qraux[j];
    y[j] += t * qraux[j];
    for (let i = 1; i < n - j; i++) y[j + i] += t * qr[jj + i];
  }
}

/** Euclidean norm of x[off..off+len) with scaling against overflow. */
function norm2(x: Float64Array, off: number, len: number): number {
  let scale = 0, ssq = 1;
  for (let i = 0; i < len; i++) {
    const v = x[off + i];
    if (v !== 0) {
      const a = Math.abs(v);
      if (scale < a) { ssq = 1 + ssq * (scale / a) ** 2; scale = a; } else ssq += (a / scale) ** 2;
    }
  }
  return scale * Math.sqrt(ssq);
}
