/**
 * Floats of scratch the `causalAttention` kernel needs for n query rows of nHeads heads: a running
 * maximum and a running sum per (row, head), and the scores of one tile of 64 keys.
 */
export function causalAttentionScratchLength(n: number, nHeads: number): number {
  return 2 * n * nHeads + 64;
}
