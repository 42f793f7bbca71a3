/**
 * Derivatives of the nonzero B-spline basis functions at one point (Piegl & Tiller 1997,
 * *The NURBS Book*, Alg. A2.3), as R's `splineDesign(..., derivs = r)` computes them.
 */
import { checkInt, checkNumber } from '../core/validate.js';
import { checkKnotVector, findSpan } from './bspline-basis.js';

/**
 * Derivatives 0..nDerivs of the degree+1 basis functions that are nonzero at x.
 * Returns { first, ders } with ders[r*(degree+1) + a] = d^r/dx^r B_{first+a}(x).
 * Derivatives above the degree are zero.
 *
 * @example
 * const t = bsplineKnotVector([0.5], 3);
 * bsplineDerivatives(t, 3, 0, 2) // second derivatives at the left boundary
 */
export function bsplineDerivatives(
  t: ArrayLike<number>, degree: number, x: number, nDerivs: number,
): { first: number; ders: Float64Array } {
  checkInt('degree', degree, 0, 20);
  checkKnotVector('t', t, degree);
  checkNumber('x', x);
  checkInt('nDerivs', nDerivs, 0, 64);
  const nt = t.length;
  const p = degree;
  const span = findSpan(t, nt, p, x);
  const w = p + 1;
  // ndu[j][r]: basis values (upper triangle) and knot differences (lower triangle).
  const ndu: number[][] = Array.from({ length: w }, () => new Array<number>(w).fill(0));
  const left = new Array<number>(w).fill(0);
  const right = new Array<number>(w).fill(0);
  ndu[0][0] = 1;
  for (let j = 1; j <= p; j++) {
    left[j] = x - t[span + 1 - j];
    right[j] = t[span + j] - x;
    let saved = 0;
    for (let r = 0; r < j; r++) {
      ndu[j][r] = right[r + 1] + left[j - r];
      const temp = ndu[r][j - 1] / ndu[j][r];
      ndu[r][j] = saved + right[r + 1] * temp;
      saved = left[j - r] * temp;
    }
    ndu[j][j] = saved;
  }
  const ders = new Float64Array((nDerivs + 1) * w);
  for (let j = 0; j <= p; j++) ders[j] = ndu[j][p];
  const a: number[][] = [new Array<number>(w).fill(0), new Array<number>(w).fill(0)];
  const top = Math.min(nDerivs, p);
  for (let r = 0; r <= p; r++) {
    let s1 = 0, s2 = 1;
    a[0][0] = 1;
    for (let k = 1; k <= top; k++) {
      let d = 0;
      const rk = r - k, pk = p - k;
      if (r >= k) {
        a[s2][0] = a[s1][0] / ndu[pk + 1][rk];
        d = a[s2][0] * ndu[rk][pk];
      }
      const j1 = rk >= -1 ? 1 : -rk;
      const j2 = r - 1 <= pk ? k - 1 : p - r;
      for (let j = j1; j <= j2; j++) {
        a[s2][j] = (a[s1][j] - a[s1][j - 1]) / ndu[pk + 1][rk + j];
        d += a[s2][j] * ndu[rk + j][pk];
      }
      if (r <= pk) {
        a[s2][k] = -a[s1][k - 1] / ndu[pk + 1][r];
        d += a[s2][k] * ndu[r][pk];
      }
      ders[k * w + r] = d;
      const tmp = s1; s1 = s2; s2 = tmp;
    }
  }
  let factor = p;
  for (let k = 1; k <= top; k++) {
    for (let j = 0; j <= p; j++) ders[k * w + j] *= factor;
    factor *= p - k;
  }
  return { first: span - p, ders };
}
