/**
 * Floats of scratch the `causalAttention` kernel needs for n query rows of nHeads heads: a running
 * maximum and a running sum per (row, head), and the scores of one tile of 64 keys.
 */
export function causalAttentionScratchLength(n: number, nHeads: number): number {
  return 2 * n * nHeads + 64;
}

/**
 * Floats of scratch the `causalAttentionF16` kernel needs: causalAttention's, and one tile of 64
 * keys and 64 values of one KV head (64·d floats each) decoded to float32.
 */
export function causalAttentionF16ScratchLength(n: number, nHeads: number, d: number): number {
  return causalAttentionScratchLength(n, nHeads) + 2 * 64 * d;
}
