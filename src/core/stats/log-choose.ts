/**
 * log of the binomial coefficient, log C(n, k), accurate even when C(n, k) overflows and when
 * n is huge compared with the result (where log Γ(n+1) − log Γ(k+1) − log Γ(n−k+1) would lose
 * most digits to cancellation).
 *
 * With j = min(k, n−k):
 * - j ≤ 30: the exact product, as Σ_{i=1}^{j} log1p((n−j)/i);
 * - j > 30: log C(n, k) = −log(n+1) − log B(j+1, n−j+1), with log B from Stirling's series
 *   written so that the large terms cancel analytically (as in R's `lbeta`, nmath/lbeta.c):
 *   log B(a, b) = −½ log b + ½ log 2π + (a−½) log(a/(a+b)) + b·log1p(−a/(a+b))
 *                 + c(a) + c(b) − c(a+b),
 *   where c(x) = log Γ(x) − [(x−½) log x − x + ½ log 2π] is the Stirling correction
 *   (Abramowitz & Stegun 6.1.41), summed here to the x⁻¹⁵ term (error < 1e-17 for x ≥ 10).
 */
import { badArgument } from '../errors.js';
import { checkInt } from '../validate.js';

const HALF_LOG_2PI = 0.9189385332046728;

/**
 * log C(n, k) = log(n! / (k! (n−k)!)) for integers 0 ≤ k ≤ n. Used for the EBIC knot prior
 * π(ξ) ∝ C(n, |ξ|)^−γ (Chen & Chen 2008; knots spec §2).
 *
 * @param n - integer ≥ 0 (up to 2^53 − 1).
 * @param k - integer in [0, n].
 * @example
 * logChoose(5, 2);          // → log 10
 * logChoose(1000, 500);     // → 689.4672…  (C(1000, 500) ≈ 2.7e299)
 */
export function logChoose(n: number, k: number): number {
  checkInt('n', n, 0);
  checkInt('k', k, 0);
  if (k > n) throw badArgument(`k must be in [0, n] = [0, ${n}], got ${k}`);
  const j = Math.min(k, n - k);
  if (j === 0) return 0;
  if (j <= 30) {
    let s = 0;
    for (let i = 1; i <= j; i++) s += Math.log1p((n - j) / i);
    return s;
  }
  return -Math.log(n + 1) - logBetaLarge(j + 1, n - j + 1);
}

/** log B(a, b) for a, b ≥ 10 (Stirling form without cancellation). */
function logBetaLarge(a: number, b: number): number {
  const ab = a + b;
  const corr = stirlingCorrection(a) + stirlingCorrection(b) - stirlingCorrection(ab);
  return -0.5 * Math.log(b) + HALF_LOG_2PI + corr + (a - 0.5) * Math.log(a / ab) + b * Math.log1p(-a / ab);
}

/**
 * c(x) = log Γ(x) − (x−½) log x + x − ½ log 2π = Σ B₂ₖ / (2k(2k−1) x^(2k−1)), x ≥ 10
 * (Bernoulli numbers B₂ … B₁₆).
 */
function stirlingCorrection(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  return r * (1 / 12 + r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188
    + r2 * (-691 / 360360 + r2 * (1 / 156 + r2 * (-3617 / 122400))))))));
}
