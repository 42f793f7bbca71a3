/**
 * gemvQ4_1 and gemvQ8_0 on every backend: against the reference kernel, and the reference
 * against an independent oracle — dequantize the same blocks with the GGUF decoder
 * (src/llama/gguf/dequantize.ts, bit-identical to gguf-py) and take a float64 dot product.
 */
import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { quantizedRowWords, type QuantizedType } from '../../src/kernels/quantized-row-words.js';
import { dequantizeInto } from '../../src/llama/gguf/dequantize.js';
import { f32ToF16 } from '../../src/llama/float-formats.js';

/** A rows×cols matrix as ggml blocks (file layout) and in the kernels' resident layout. */
function randomQuantized(type: QuantizedType, rows: number, cols: number, seed: number) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const blocks = (rows * cols) / 32;
  const blockBytes = type === 'Q4_1' ? 20 : 34;
  const file = new Uint8Array(blocks * blockBytes);
  const dv = new DataView(file.buffer);
  for (let b = 0; b < blocks; b++) {
    const at = b * blockBytes;
    // Scales include f16 subnormals (tiny d) and negative values.
    const d = rand() < 0.1 ? (rand() - 0.5) * 1e-6 : (rand() - 0.5) * 0.2;
    dv.setUint16(at, f32ToF16(d), true);
    if (type === 'Q4_1') dv.setUint16(at + 2, f32ToF16((rand() - 0.5) * 2), true);
    for (let j = type === 'Q4_1' ? 4 : 2; j < blockBytes; j++) file[at + j] = Math.floor(rand() * 256);
  }
  const words = quantizedRowWords(type, cols);
  const resident = new Int32Array(rows * words);
  const bytes = new Uint8Array(resident.buffer);
  const perRow = cols / 32;
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < perRow; b++) {
      const src = (r * perRow + b) * blockBytes;
      if (type === 'Q4_1') bytes.set(file.subarray(src, src + 20), r * words * 4 + b * 20);
      else {
        bytes.set(file.subarray(src + 2, src + 34), r * words * 4 + b * 32);
        bytes.set(file.subarray(src, src + 2), r * words * 4 + cols + 2 * b);
      }
    }
  }
  const x = Float32Array.from({ length: cols }, () => rand() * 2 - 1);
  return { file, resident, x };
}

const SHAPES: [number, number][] = [[1, 32], [3, 64], [7, 96], [8, 576], [9, 160], [17, 1536], [33, 32]];

for (const type of ['Q4_1', 'Q8_0'] as const) {
  const kernel = type === 'Q4_1' ? 'gemvQ4_1' : 'gemvQ8_0';

  it.each(SHAPES)(`reference ${kernel} equals dequantize-then-dot (rows %i, cols %i)`, (rows, cols) => {
    const { file, resident, x } = randomQuantized(type, rows, cols, rows * 1000 + cols);
    const W = new Float32Array(rows * cols);
    dequantizeInto(file, 0, type, W);
    const y = new Float32Array(rows);
    ref[kernel](resident, x, y, rows, cols);
    for (let r = 0; r < rows; r++) {
      let s = 0, mag = 0;
      for (let c = 0; c < cols; c++) { s += W[r * cols + c] * x[c]; mag += Math.abs(W[r * cols + c] * x[c]); }
      expect(Math.abs(y[r] - s)).toBeLessThanOrEqual(1e-6 * mag + 1e-7);
    }
  });

  describeEachCpuBackend(kernel, (k, info) => {
    test.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 24 }), fc.integer()], { numRuns: 40 })(
      'matches the reference within float tolerance', (rows, blocks, seed) => {
        const cols = 32 * blocks;
        const { resident, x } = randomQuantized(type, rows, cols, seed);
        const W = k.allocI32(resident.length);
        W.view().set(resident);
        const want = new Float32Array(rows);
        ref[kernel](resident, x, want, rows, cols);
        const got = new Float32Array(rows);
        k[kernel](W.view(), x, got, rows, cols);
        // Bound: 1e-5 of Σ|terms| ≤ 1e-5 · max|w| · Σ|x|.
        const sumAbsX = x.reduce((t, v) => t + Math.abs(v), 0);
        for (let r = 0; r < rows; r++) {
          expect(Math.abs(got[r] - want[r]), `${info.label} row ${r}`).toBeLessThanOrEqual(1e-5 * (maxBlockWeight(type) * sumAbsX) + 1e-6);
        }
        W.dispose();
      });
  });

  describeEachBackend(`${kernel}: bad input`, (k) => {
    it('rejects bad shapes, naming the argument', async () => {
      const W = new Int32Array(4 * quantizedRowWords(type, 64));
      const x = new Float32Array(64), y = new Float32Array(4);
      await expectBadArgumentAsync(() => k[kernel](W, x, y, 4, 48), 'cols');
      await expectBadArgumentAsync(() => k[kernel](W, x, y, 5, 64), 'W');
      await expectBadArgumentAsync(() => k[kernel](W, new Float32Array(32), y, 4, 64), 'x');
      await expectBadArgumentAsync(() => k[kernel](W, x, new Float32Array(3), 4, 64), 'y');
      await expectBadArgumentAsync(() => k[kernel](new Float32Array(W.length) as unknown as Int32Array, x, y, 4, 64), 'W');
    });
  });
}

/** Largest |weight| randomQuantized can produce: |d|·15 + |m| (Q4_1), |d|·128 (Q8_0). */
function maxBlockWeight(type: QuantizedType): number {
  return type === 'Q4_1' ? 0.1 * 15 + 1 : 0.1 * 128;
}
