/**
 * Min–max scaling of each input coordinate to [0, 1] (He, Yang & Kang, arXiv 2405.13353, §1:
 * knots live on [0, 1]); the scaler is kept so that predictions and knots map back to the
 * original x.
 */
import { badArgument } from '../core/errors.js';

export interface MinMaxScaler {
  min: number[];
  max: number[];
}

/** Fit a scaler to d coordinate columns; a constant column is an error (nothing to fit on). */
export function fitMinMaxScaler(columns: ArrayLike<number>[], names?: string[]): MinMaxScaler {
  const min: number[] = [], max: number[] = [];
  columns.forEach((col, j) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < col.length; i++) { lo = Math.min(lo, col[i]); hi = Math.max(hi, col[i]); }
    if (!(hi > lo)) throw badArgument(`x column ${names?.[j] ?? j} is constant (${lo}); a spline in it cannot be fitted`);
    min.push(lo); max.push(hi);
  });
  return { min, max };
}

/** Scaled copy of column j. */
export function scaleColumn(s: MinMaxScaler, j: number, col: ArrayLike<number>): Float64Array {
  const lo = s.min[j], w = s.max[j] - s.min[j];
  return Float64Array.from({ length: col.length }, (_, i) => (col[i] - lo) / w);
}

/** Back to the original scale of coordinate j. */
export function unscale(s: MinMaxScaler, j: number, v: number): number {
  return s.min[j] + v * (s.max[j] - s.min[j]);
}
