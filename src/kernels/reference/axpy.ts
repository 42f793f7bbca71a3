/** y += a·x over n elements. */
export function axpy(a: number, x: Float32Array, y: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) y[i] += a * x[i];
}
