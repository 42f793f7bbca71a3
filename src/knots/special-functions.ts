/**
 * The regularised incomplete beta function I_x(a, b), for the probability that a Beta-distributed
 * local proposal lands in a grid cell (log Γ and log C(n, k) come from src/core/stats).
 *
 * I_x(a, b): continued fraction by the modified Lentz method (Press et al., *Numerical Recipes*,
 * 3rd ed., §6.4), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where it converges faster.
 */
import { logGammaUnchecked } from '../core/stats/log-gamma.js';

export { logChoose } from '../core/stats/log-choose.js';

/** log B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGammaUnchecked(a) + logGammaUnchecked(b) - logGammaUnchecked(a + b);
}

/** Regularised incomplete beta I_x(a, b) = P(X ≤ x) for X ~ Beta(a, b); a, b > 0. */
export function betaCdf(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lfront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return Math.exp(lfront) * betaContinuedFraction(x, a, b) / a;
  return 1 - Math.exp(lfront) * betaContinuedFraction(1 - x, b, a) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const qab = a + b, qap = a + 1, qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}
