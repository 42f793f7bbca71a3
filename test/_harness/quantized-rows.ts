/**
 * Random quantized weight rows in the resident layout, for the quantized-kernel tests: random
 * bytes, then every f16 scale (and Q4_1 minimum) set to a finite value, so products are finite.
 */
import { quantizedRowWords, type QuantizedType } from '../../src/kernels/quantized-row-words.js';
import { f32ToF16 } from '../../src/llama/float-formats.js';

/** A seeded linear congruential generator of uniforms in [0, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** rows×cols quantized rows; Q4_1 scales are drawn from ±q4ScaleSpan/2, Q8_0 scales from ±1/128. */
export function randomQuantizedRows(type: QuantizedType, rows: number, cols: number, rand: () => number,
  q4ScaleSpan = 1 / 8): Int32Array {
  const words = quantizedRowWords(type, cols);
  const W = new Int32Array(rows * words);
  const b = new Uint8Array(W.buffer);
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(rand() * 256);
  const dv = new DataView(W.buffer);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < cols / 32; k++) {
      if (type === 'Q4_1') {
        dv.setUint16(4 * r * words + 20 * k, f32ToF16((rand() - 0.5) * q4ScaleSpan), true);
        dv.setUint16(4 * r * words + 20 * k + 2, f32ToF16(rand() - 0.5), true);
      } else dv.setUint16(4 * r * words + cols + 2 * k, f32ToF16((rand() - 0.5) / 64), true);
    }
  }
  return W;
}
