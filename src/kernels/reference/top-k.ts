/**
 * Indices of the k largest values, best first, ties to the lower index. The oracle is the
 * obvious one: a stable sort of all indices (the fast backends use selection instead).
 */
export function topK(x: Float32Array, n: number, k: number, out: Int32Array): void {
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (x[b] - x[a]) || (a - b));
  for (let i = 0; i < k; i++) out[i] = order[i];
}
