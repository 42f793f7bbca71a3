import { checkActivationQuants, q8ActivationWords } from '../q8-activation-words.js';
import { gemvQ4_1Q8_1, gemvQ8_0Q8_1 } from './gemv-q8-1.js';
import { quantizedRowWords } from '../quantized-row-words.js';
import { blockCols, defineKernel, f32, i32, size } from '../define-kernel.js';

/**
 * gemvQ4_1Q8_1 for n vectors in one weight pass: Xq: n·q8ActivationWords(cols) (vector j at j·that); Y: n*rows.
 *
 * Reference: Y = X·Wᵀ, W in Q4_1 blocks, the n rows of X quantized by quantizeQ8_1 (Xq: n·q8ActivationWords(cols),
 * vector j at j·q8ActivationWords(cols)); Y: n*rows. One gemvQ4_1Q8_1 per vector.
 */
export function gemmQ4_1Q8_1(W: Int32Array, Xq: Int32Array, Y: Float32Array, rows: number, cols: number, n: number): void {
  const words = q8ActivationWords(cols);
  for (let j = 0; j < n; j++) gemvQ4_1Q8_1(W, Xq.subarray(j * words, (j + 1) * words), Y.subarray(j * rows, (j + 1) * rows), rows, cols);
}

/**
 * gemvQ8_0Q8_1 for n vectors in one weight pass: Xq as gemmQ4_1Q8_1; Y: n*rows.
 *
 * Reference: Y = X·Wᵀ, W in Q8_0 rows, X quantized as for gemmQ4_1Q8_1. One gemvQ8_0Q8_1 per vector.
 */
export function gemmQ8_0Q8_1(W: Int32Array, Xq: Int32Array, Y: Float32Array, rows: number, cols: number, n: number): void {
  const words = q8ActivationWords(cols);
  for (let j = 0; j < n; j++) gemvQ8_0Q8_1(W, Xq.subarray(j * words, (j + 1) * words), Y.subarray(j * rows, (j + 1) * rows), rows, cols);
}

/** gemmQ4_1Q8_1: gemvQ4_1Q8_1 for n vectors in one weight pass. */
export const gemmQ4_1Q8_1Kernel = defineKernel('gemmQ4_1Q8_1', gemmQ4_1Q8_1, {
  args: [
    i32('W', 'rows·Q4_1 row words', ([, , , rows, cols]) => rows * quantizedRowWords('Q4_1', cols)),
    i32('Xq', 'n*q8ActivationWords(cols)', ([, , , , cols, n]) => n * q8ActivationWords(cols)),
    f32('Y', 'n*rows', ([, , , rows, , n]) => n * rows, { role: 'out' }), size('rows'), blockCols('Q4_1'), size('n'),
  ],
  split: 'rows',
  work: ([, , , rows, cols, n]) => rows * cols * n,
  verify: ([, Xq, , , cols, n]) => checkActivationQuants('Xq', Xq, n * q8ActivationWords(cols)),
});

/** gemmQ8_0Q8_1: gemvQ8_0Q8_1 for n vectors in one weight pass. */
export const gemmQ8_0Q8_1Kernel = defineKernel('gemmQ8_0Q8_1', gemmQ8_0Q8_1, {
  args: [
    i32('W', 'rows·Q8_0 row words', ([, , , rows, cols]) => rows * quantizedRowWords('Q8_0', cols)),
    i32('Xq', 'n*q8ActivationWords(cols)', ([, , , , cols, n]) => n * q8ActivationWords(cols)),
    f32('Y', 'n*rows', ([, , , rows, , n]) => n * rows, { role: 'out' }), size('rows'), blockCols('Q8_0'), size('n'),
  ],
  split: 'rows',
  work: ([, , , rows, cols, n]) => rows * cols * n,
  verify: ([, Xq, , , cols, n]) => checkActivationQuants('Xq', Xq, n * q8ActivationWords(cols)),
});
