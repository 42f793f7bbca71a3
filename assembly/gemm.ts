import { dot } from './dot';

/**
 * Y = X·Wᵀ: n vectors at once. W rows×cols row-major, X n×cols (vector j at X + j·cols),
 * Y n×rows (Y[j][r] = W[r]·X[j]). A row of W is loaded from memory once and stays in L1 for
 * the other vectors, so weights stream once per call instead of once per vector — the prefill
 * of a block of prompt tokens.
 */
export function gemm(W: usize, X: usize, Y: usize, rows: i32, cols: i32, n: i32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) rowTimesVectors(W + <usize>r * stride, X, Y + (<usize>r << 2), rows, cols, n);
}

/**
 * Y[j][0] (rows apart) = w · X[j] for j < n; w: cols floats. Each product is `dot`, the very
 * function gemv uses for rows of up to 2048 floats, so a block prefill gives the bits of
 * token-by-token decoding there; w is read from memory once and from L1 for the other vectors.
 */
export function rowTimesVectors(w: usize, X: usize, y: usize, rows: i32, cols: i32, n: i32): void {
  const stride = <usize>cols << 2;
  const yStride = <usize>rows << 2;
  for (let j = 0; j < n; j++) store<f32>(y + <usize>j * yStride, dot(w, X + <usize>j * stride, cols));
}
