import { gemvQ4_1 } from './gemv-q4-1.js';
import { gemvQ8_0 } from './gemv-q8-0.js';
import { defineKernel, f32, i32, size, blockCols } from '../define-kernel.js';
import { quantizedRowWords } from '../quantized-row-words.js';

/**
 * gemm with W in Q4_1 blocks (as gemvQ4_1): X: n*cols; Y: n*rows; cols a multiple of 32.
 *
 * Reference: Y = X·Wᵀ, W in Q4_1 blocks (as gemvQ4_1); X: n*cols; Y: n*rows. One gemvQ4_1 per vector.
 */
export function gemmQ4_1(W: Int32Array, X: Float32Array, Y: Float32Array, rows: number, cols: number, n: number): void {
  for (let j = 0; j < n; j++) gemvQ4_1(W, X.subarray(j * cols, (j + 1) * cols), Y.subarray(j * rows, (j + 1) * rows), rows, cols);
}

/**
 * gemm with W in Q8_0 rows (as gemvQ8_0): X: n*cols; Y: n*rows; cols a multiple of 32.
 *
 * Reference: Y = X·Wᵀ, W in Q8_0 rows (as gemvQ8_0); X: n*cols; Y: n*rows. One gemvQ8_0 per vector.
 */
export function gemmQ8_0(W: Int32Array, X: Float32Array, Y: Float32Array, rows: number, cols: number, n: number): void {
  for (let j = 0; j < n; j++) gemvQ8_0(W, X.subarray(j * cols, (j + 1) * cols), Y.subarray(j * rows, (j + 1) * rows), rows, cols);
}

/** gemmQ4_1: gemm with W in Q4_1 blocks. */
export const gemmQ4_1Kernel = defineKernel('gemmQ4_1', gemmQ4_1, {
  args: [
    i32('W', 'rows·Q4_1 row words', ([, , , rows, cols]) => rows * quantizedRowWords('Q4_1', cols)),
    f32('X', 'n*cols', ([, , , , cols, n]) => n * cols), f32('Y', 'n*rows', ([, , , rows, , n]) => n * rows, { role: 'out' }),
    size('rows'), blockCols('Q4_1'), size('n'),
  ],
  split: 'whole',
  work: ([, , , rows, cols, n]) => rows * cols * n,
});

/** gemmQ8_0: gemm with W in Q8_0 rows. */
export const gemmQ8_0Kernel = defineKernel('gemmQ8_0', gemmQ8_0, {
  args: [
    i32('W', 'rows·Q8_0 row words', ([, , , rows, cols]) => rows * quantizedRowWords('Q8_0', cols)),
    f32('X', 'n*cols', ([, , , , cols, n]) => n * cols), f32('Y', 'n*rows', ([, , , rows, , n]) => n * rows, { role: 'out' }),
    size('rows'), blockCols('Q8_0'), size('n'),
  ],
  split: 'whole',
  work: ([, , , rows, cols, n]) => rows * cols * n,
});
