/**
 * Weighted Gram matrix BᵀWB and vector BᵀWz of a design whose rows hold `width` consecutive
 * nonzeros (B-spline rows), in symmetric band storage (half-bandwidth width−1):
 *     band[i*width + d] = (BᵀWB)[i, i−d],  d = 0..width−1   (slots with i−d < 0 stay 0),
 * the layout of src/core/banded. Cost O(n·width²) instead of O(n·p²) for a dense Gram.
 *
 * first: n (Int32Array; first nonzero column of each row, first[i] + width ≤ p);
 * values: n*width; weights: n, or null for unit weights; z: n;
 * band: p*width (overwritten); btz: p (overwritten).
 * Returns −1, or the first row whose columns [first[i], first[i]+width) leave [0, p) (that row
 * and later ones are not accumulated).
 */
import { defineKernel, f64, f64OrNull, i32, size } from '../define-kernel.js';
import { badArgument } from '../../core/errors.js';
/**
 * Weighted banded Gram BᵀWB and BᵀWz of sparse rows with `width` consecutive nonzeros.
 * first: n (Int32Array); values: n*width; weights: n or null (unit); z: n;
 * band: p*width, overwritten with the lower band (band[i*width + d] = (BᵀWB)[i, i−d]);
 * btz: p, overwritten. Returns −1, or the index of the first row whose columns fall outside
 * [0, p) (nothing is written for that row or later ones).
 */
export function bandedGram(
  first: Int32Array, values: Float64Array, n: number, width: number,
  weights: Float64Array | null, z: Float64Array, p: number,
  band: Float64Array, btz: Float64Array,
): number {
  band.fill(0, 0, p * width);
  btz.fill(0, 0, p);
  for (let i = 0; i < n; i++) {
    const f = first[i];
    if (f < 0 || f + width > p) return i;
    const o = i * width;
    const wi = weights === null ? 1 : weights[i];
    const zi = wi * z[i];
    for (let a = 0; a < width; a++) {
      const va = wi * values[o + a];
      const row = (f + a) * width;
      btz[f + a] += values[o + a] * zi;
      // Lower band of row f+a: columns f+a−d for d = 0..a.
      for (let d = 0; d <= a; d++) band[row + d] += va * values[o + a - d];
    }
  }
  return -1;
}

/** bandedGram: BᵀWB and BᵀWz of sparse banded rows. */
export const bandedGramKernel = defineKernel('bandedGram', bandedGram, {
  args: [
    i32('first', 'n', ([, , n]) => n), f64('values', 'n*width', ([, , n, width]) => n * width), size('n'), size('width', 1),
    f64OrNull('weights', 'n', ([, , n]) => n), f64('z', 'n', ([, , n]) => n), size('p', ([, , , width]) => width),
    f64('band', 'p*width', ([, , , width, , , p]) => p * width, { role: 'out' }),
    f64('btz', 'p', ([, , , , , , p]) => p, { role: 'out' }),
  ],
  split: 'whole',
  work: ([, , n, width]) => n * width * width,
  after(bad, [first, , , , , , p]) {
    if (bad >= 0) throw badArgument(`first[${bad}] = ${first[bad]} puts row ${bad} outside columns [0, ${p})`);
  },
});
