/**
 * Standardise a Gaussian response before the sampler sees it: y ↦ (y − ȳ)/sd(y), computed
 * without overflow or underflow for any finite y (values near ±1.8e308 or 1e-300 included) by
 * working with y/max|y|. The knot posterior does not depend on it (the flat-intercept g-prior
 * is invariant to shifts and scales of y); it keeps every score, residual sum of squares and
 * log finite. Results are mapped back with `center + scale·value`.
 */
import { badArgument } from '../core/errors.js';

export interface ResponseScale {
  center: number;
  scale: number;
}

/** The standardised copy of y and the (center, scale) that undo it. Throws for a constant y. */
export function standardizeResponse(y: ArrayLike<number>): { y: Float64Array; transform: ResponseScale } {
  const m = y.length;
  let a = 0;
  for (let i = 0; i < m; i++) a = Math.max(a, Math.abs(y[i]));
  if (a === 0) throw badArgument('y is identically 0: a Gaussian fit needs a response that varies');
  let mean = 0;
  for (let i = 0; i < m; i++) mean += y[i] / a;
  mean /= m; // mean of y/a, in [−1, 1]
  let ss = 0;
  for (let i = 0; i < m; i++) ss += (y[i] / a - mean) ** 2;
  const sdOverA = Math.sqrt(ss / m);
  // Relative spread below ~1e-13 is rounding noise in y/a: y is constant for our purposes.
  if (!(sdOverA > 1e-13)) throw badArgument(`y is constant (every value ≈ ${a * mean}): a Gaussian fit needs a response that varies`);
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) out[i] = (y[i] / a - mean) / sdOverA;
  return { y: out, transform: { center: mean * a, scale: sdOverA * a } };
}
