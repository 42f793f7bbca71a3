import { quantizedRowWords } from '../quantized-row-words.js';
import { Q8_BLOCK_WORDS, checkActivationQuants, q8ActivationWords } from '../q8-activation-words.js';
import { f16Bits } from '../../core/f16-bits.js';
import { blockCols, defineKernel, f32, i32, size } from '../define-kernel.js';

/**
 * y = W·x, W in Q4_1 blocks (as gemvQ4_1), x quantized by quantizeQ8_1: ggml's
 * vec_dot_q4_1_q8_1, an integer dot product per block: Σ_b (d_w·d_x)·Σq_w·q_x + m_w·s_x.
 * xq: q8ActivationWords(cols) words; y: rows; cols a multiple of 32.
 *
 * Reference: y = W·x with W in ggml Q4_1 blocks (layout: quantized-row-words.ts) and x quantized by
 * quantizeQ8_1 (layout: q8-activation-words.ts) — ggml's vec_dot_q4_1_q8_1: per block,
 * (d_w·d_x)·Σ q_w·q_x + m_w·s_x, the quant sum in integers. W: rows·quantizedRowWords('Q4_1',
 * cols) words; xq: q8ActivationWords(cols); y: rows; cols a multiple of 32. Float64 sums.
 */
export function gemvQ4_1Q8_1(W: Int32Array, xq: Int32Array, y: Float32Array, rows: number, cols: number): void {
  const bytes = new Uint8Array(W.buffer, W.byteOffset, W.byteLength);
  const { quants, scales } = activationViews(xq);
  const rowBytes = 4 * quantizedRowWords('Q4_1', cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let b = 0; b < cols / 32; b++) {
      const at = r * rowBytes + 20 * b;
      const a = b * Q8_BLOCK_WORDS;
      let sumi = 0;
      for (let j = 0; j < 16; j++) {
        const q = bytes[at + 4 + j];
        sumi += (q & 15) * quants[2 * a + j] + (q >> 4) * quants[2 * a + j + 16];
      }
      const d = f16Bits(bytes[at] | (bytes[at + 1] << 8));
      const m = f16Bits(bytes[at + 2] | (bytes[at + 3] << 8));
      s += d * scales[a + 16] * sumi + m * scales[a + 17];
    }
    y[r] = s;
  }
}

/**
 * y = W·x, W in Q8_0 rows (as gemvQ8_0), x quantized by quantizeQ8_1: ggml's
 * vec_dot_q8_0_q8_0, Σ_b (d_w·d_x)·Σq_w·q_x. xq: q8ActivationWords(cols); y: rows.
 *
 * Reference: y = W·x with W in Q8_0 rows (layout: quantized-row-words.ts) and x quantized by quantizeQ8_1 —
 * ggml's vec_dot_q8_0_q8_0 (it reads only the quants and d, which Q8_0 and Q8_1 share): per
 * block, (d_w·d_x)·Σ q_w·q_x. W: rows·quantizedRowWords('Q8_0', cols) words; xq:
 * q8ActivationWords(cols); y: rows; cols a multiple of 32. Float64 sums.
 */
export function gemvQ8_0Q8_1(W: Int32Array, xq: Int32Array, y: Float32Array, rows: number, cols: number): void {
  const bytes = new Uint8Array(W.buffer, W.byteOffset, W.byteLength);
  const wq = new Int8Array(W.buffer, W.byteOffset, W.byteLength);
  const { quants, scales } = activationViews(xq);
  const rowBytes = 4 * quantizedRowWords('Q8_0', cols);
  for (let r = 0; r < rows; r++) {
    const row = r * rowBytes;
    let s = 0;
    for (let b = 0; b < cols / 32; b++) {
      const a = b * Q8_BLOCK_WORDS;
      let sumi = 0;
      for (let j = 0; j < 32; j++) sumi += wq[row + 32 * b + j] * quants[2 * a + j];
      const at = row + cols + 2 * b;
      s += f16Bits(bytes[at] | (bytes[at + 1] << 8)) * scales[a + 16] * sumi;
    }
    y[r] = s;
  }
}

/** The int16 quants and the float32 d, s words of quantized activations. */
function activationViews(xq: Int32Array): { quants: Int16Array; scales: Float32Array } {
  return {
    quants: new Int16Array(xq.buffer, xq.byteOffset, xq.length * 2),
    scales: new Float32Array(xq.buffer, xq.byteOffset, xq.length),
  };
}

/** gemvQ4_1Q8_1: y = W·x, W in Q4_1 blocks, x quantized by quantizeQ8_1. */
export const gemvQ4_1Q8_1Kernel = defineKernel('gemvQ4_1Q8_1', gemvQ4_1Q8_1, {
  args: [
    i32('W', 'rows·Q4_1 row words', ([, , , rows, cols]) => rows * quantizedRowWords('Q4_1', cols)),
    i32('xq', 'q8ActivationWords(cols)', ([, , , , cols]) => q8ActivationWords(cols)),
    f32('y', 'rows', ([, , , rows]) => rows, { role: 'out' }), size('rows'), blockCols('Q4_1'),
  ],
  split: 'rows',
  work: ([, , , rows, cols]) => rows * cols,
  verify: ([, xq, , , cols]) => checkActivationQuants('xq', xq, q8ActivationWords(cols)),
});

/** gemvQ8_0Q8_1: y = W·x, W in Q8_0 rows, x quantized by quantizeQ8_1. */
export const gemvQ8_0Q8_1Kernel = defineKernel('gemvQ8_0Q8_1', gemvQ8_0Q8_1, {
  args: [
    i32('W', 'rows·Q8_0 row words', ([, , , rows, cols]) => rows * quantizedRowWords('Q8_0', cols)),
    i32('xq', 'q8ActivationWords(cols)', ([, , , , cols]) => q8ActivationWords(cols)),
    f32('y', 'rows', ([, , , rows]) => rows, { role: 'out' }), size('rows'), blockCols('Q8_0'),
  ],
  split: 'rows',
  work: ([, , , rows, cols]) => rows * cols,
  verify: ([, xq, , , cols]) => checkActivationQuants('xq', xq, q8ActivationWords(cols)),
});
