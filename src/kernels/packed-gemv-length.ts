/**
 * Length (floats) of W packed by `packGemv` for `gemvPacked`: rows rounded up to whole panels of
 * 16, times cols.
 * @example
 * const P = kernels.allocF32(packedGemvLength(rows, cols));
 * kernels.packGemv(W, P.view(), rows, cols);
 * kernels.gemvPacked(P.view(), x, y, rows, cols);
 */
import { checkInt } from '../core/validate.js';
export function packedGemvLength(rows: number, cols: number): number {
  checkInt('rows', rows, 0, 2 ** 31 - 1); checkInt('cols', cols, 0, 2 ** 31 - 1);
  return Math.ceil(rows / 16) * 16 * cols;
}
