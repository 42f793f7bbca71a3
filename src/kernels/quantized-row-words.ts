/**
 * Resident layouts of the quantized matrices read by `gemvQ4_1` and `gemvQ8_0`: an Int32Array of
 * rows × quantizedRowWords(type, cols) words, row-major, each row self-contained (so kernels can
 * be split across threads by rows). cols must be a multiple of 32 (one ggml block).
 *
 *   Q4_1: ggml's own blocks, unchanged (20 bytes = 5 words per 32 columns): f16 d, f16 m, then
 *         16 bytes whose low nibbles are columns 0..15 of the block and high nibbles 16..31;
 *         W[r][c] = d·q + m.
 *   Q8_0: ggml's 34-byte blocks are not word-aligned, so a row is stored as its cols int8 quants,
 *         then its cols/32 f16 scales, padded to a whole word: W[r][c] = d[c/32]·q[c].
 *
 * @example
 * const W = kernels.allocI32(rows * quantizedRowWords('Q4_1', cols));
 * kernels.gemvQ4_1(W.view(), x, y, rows, cols);
 */
export type QuantizedType = 'Q4_1' | 'Q8_0';

/** Words (4 bytes) per row of a quantized matrix with `cols` columns. */
export function quantizedRowWords(type: QuantizedType, cols: number): number {
  return type === 'Q4_1' ? (cols / 32) * 5 : Math.ceil((cols + cols / 16) / 4);
}
