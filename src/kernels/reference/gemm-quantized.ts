import { gemvQ4_1 } from './gemv-q4-1.js';
import { gemvQ8_0 } from './gemv-q8-0.js';

/** Y = X·Wᵀ, W in Q4_1 blocks (as gemvQ4_1); X: n*cols; Y: n*rows. One gemvQ4_1 per vector. */
export function gemmQ4_1(W: Int32Array, X: Float32Array, Y: Float32Array, rows: number, cols: number, n: number): void {
  for (let j = 0; j < n; j++) gemvQ4_1(W, X.subarray(j * cols, (j + 1) * cols), Y.subarray(j * rows, (j + 1) * rows), rows, cols);
}

/** Y = X·Wᵀ, W in Q8_0 rows (as gemvQ8_0); X: n*cols; Y: n*rows. One gemvQ8_0 per vector. */
export function gemmQ8_0(W: Int32Array, X: Float32Array, Y: Float32Array, rows: number, cols: number, n: number): void {
  for (let j = 0; j < n; j++) gemvQ8_0(W, X.subarray(j * cols, (j + 1) * cols), Y.subarray(j * rows, (j + 1) * rows), rows, cols);
}
