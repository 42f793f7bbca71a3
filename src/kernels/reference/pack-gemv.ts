import { packedGemvLength } from '../packed-gemv-length.js';
import { defineKernel, f32, size } from '../define-kernel.js';

/** Columns per block of the packed gemv layout (see KernelFunctions.packGemv). */
export const PACK_BLOCK = 256;

/**
 * Pack W (rows*cols, row-major) for gemvPacked: column blocks of 256; in each block,
 * ⌈rows/16⌉ panels of 16 rows stored column by column, the 16 row-lanes of a column side by
 * side (lanes past the last row are 0) — the kind of layout MLAS and XNNPACK prepack.
 * P: packedGemvLength(rows, cols), overwritten. Pack long-lived weights once; gemvPacked then
 * reads them as one stream (docs/benchmarks.md, peers).
 *
 * Reference: P ← W (rows*cols, row-major) in the packed gemv layout: column blocks of PACK_BLOCK; in each
 * block, panels of 16 rows stored column by column with the 16 row-lanes side by side; lanes
 * past the last row are 0.
 */
export function packGemv(W: Float32Array, P: Float32Array, rows: number, cols: number): void {
  let q = 0;
  for (let k0 = 0; k0 < cols; k0 += PACK_BLOCK) {
    const kc = Math.min(PACK_BLOCK, cols - k0);
    for (let r0 = 0; r0 < rows; r0 += 16) {
      for (let k = k0; k < k0 + kc; k++) {
        for (let j = 0; j < 16; j++) P[q++] = r0 + j < rows ? W[(r0 + j) * cols + k] : 0;
      }
    }
  }
}

/** packGemv: W into gemvPacked's layout. */
export const packGemvKernel = defineKernel('packGemv', packGemv, {
  args: [
    f32('W', 'rows*cols', ([, , rows, cols]) => rows * cols),
    f32('P', 'rows*cols (rows rounded up to 16)', ([, , rows, cols]) => packedGemvLength(rows, cols), { role: 'out' }),
    size('rows'), size('cols'),
  ],
  split: 'whole',
  work: ([, , rows, cols]) => rows * cols,
});
