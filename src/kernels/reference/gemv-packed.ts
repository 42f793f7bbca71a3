import { PACK_BLOCK } from './pack-gemv.js';
import { packedGemvLength } from '../packed-gemv-length.js';
import { defineKernel, f32, size } from '../define-kernel.js';

/**
 * y = W·x with W packed by packGemv. P: packedGemvLength(rows, cols); x: cols; y: rows.
 * Same product as gemv (summation order differs: by column blocks of 256).
 *
 * Reference: y = W·x with W packed by packGemv (P holds ⌈rows/16⌉·16·cols floats). Float64 accumulation.
 */
export function gemvPacked(P: Float32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  const panels = Math.ceil(rows / 16);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k0 = 0; k0 < cols; k0 += PACK_BLOCK) {
      const kc = Math.min(PACK_BLOCK, cols - k0);
      const lane = k0 * panels * 16 + Math.floor(r / 16) * kc * 16 + (r % 16);
      for (let k = 0; k < kc; k++) s += P[lane + 16 * k] * x[k0 + k];
    }
    y[r] = s;
  }
}

/** gemvPacked: y = W·x with W packed by packGemv. */
export const gemvPackedKernel = defineKernel('gemvPacked', gemvPacked, {
  args: [
    f32('P', 'rows*cols (rows rounded up to 16)', ([, , , rows, cols]) => packedGemvLength(rows, cols)),
    f32('x', 'cols', ([, , , , cols]) => cols), f32('y', 'rows', ([, , , rows]) => rows, { role: 'out' }),
    size('rows'), size('cols'),
  ],
  split: 'whole',
  work: ([, , , rows, cols]) => rows * cols,
});
