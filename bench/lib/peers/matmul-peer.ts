/**
 * The common shape of a dense-product peer: Y[m,n] = X[m,k]·Bᵀ where the weights B (n×k,
 * output-major — the layout of our gemv's W and of l2sqrBatch's centroids C) are handed over
 * once and kept by the peer in whatever packed form it likes, and X is fixed per instance.
 */
export interface PeerProduct {
  /** One product with the instance's X (async for peers whose API is). */
  run(): void | Promise<void>;
  /** Y of a fresh run (m*n), for the cross-check against our kernels. */
  output(): Promise<Float32Array>;
  dispose(): void | Promise<void>;
}

export interface MatMulPeer {
  /** Backend label used in task names, e.g. 'tfjs-wasm', 'ort-wasm-gemm'. */
  name: string;
  /** What exactly runs, for the table's note. */
  description: string;
  /** X: m*k row-major; Bt: n*k row-major (output-major). */
  product(X: Float32Array, Bt: Float32Array, m: number, k: number, n: number): Promise<PeerProduct>;
}

/** B (n×k row-major) transposed to k×n row-major. */
export function transpose(Bt: Float32Array, n: number, k: number): Float32Array {
  const B = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) B[j * n + i] = Bt[i * k + j];
  return B;
}
