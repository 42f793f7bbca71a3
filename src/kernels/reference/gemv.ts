/** y = W·x. W: rows*cols row-major; x: cols; y: rows. Float64 accumulation. */
export function gemv(W: Float32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) s += W[base + c] * x[c];
    y[r] = s;
  }
}
