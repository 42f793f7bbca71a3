/** out = w ⊙ x / sqrt(mean(x²) + eps). out may alias x. */
export function rmsnorm(x: Float32Array, w: Float32Array, out: Float32Array, n: number, eps: number): void {
  let ss = 0;
  for (let i = 0; i < n; i++) ss += x[i] * x[i];
  const scale = 1 / Math.sqrt(ss / n + eps);
  for (let i = 0; i < n; i++) out[i] = w[i] * (x[i] * scale);
}
