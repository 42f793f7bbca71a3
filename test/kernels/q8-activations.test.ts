/**
 * quantizeQ8_1 and the integer products gemvQ4_1Q8_1, gemvQ8_0Q8_1, gemmQ4_1Q8_1, gemmQ8_0Q8_1
 * (llama.cpp's int8-activation path) on every backend against the reference; the reference
 * against invariants and independent oracles: binary16 rounding against the library's f16
 * encoder, the quantizer's error bound, and each product against the float kernel (gemvQ4_1 /
 * gemvQ8_0, themselves checked against the GGUF dequantizer) applied to the dequantized
 * activations d·q.
 */
import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { quantizedRowWords } from '../../src/kernels/quantized-row-words.js';
import { q8ActivationWords, Q8_BLOCK_WORDS } from '../../src/kernels/q8-activation-words.js';
import { roundToF16 } from '../../src/kernels/reference/round-to-f16.js';
import { f16ToF32, f32ToF16 } from '../../src/llama/float-formats.js';
import { lcg, randomQuantizedRows } from '../_harness/quantized-rows.js';

/**
 * Activations with the shapes that matter: ordinary values, blocks of tiny values (d in the
 * binary16 subnormal range), all-zero blocks, exact ties of the rounding (x·127/amax = k + ½).
 */
function activations(length: number, rand: () => number): Float32Array {
  const x = new Float32Array(length);
  for (let b = 0; b < length / 32; b++) {
    const kind = rand();
    const scale = kind < 0.1 ? 1e-4 * rand() : kind < 0.15 ? 0 : 4 * rand() + 0.01;
    for (let j = 0; j < 32; j++) x[32 * b + j] = (rand() * 2 - 1) * scale;
    if (kind > 0.9) { // ties: amax = 127, so x·id = x exactly
      x[32 * b] = 127;
      for (let j = 1; j < 8; j++) x[32 * b + j] = Math.floor(rand() * 200 - 100) + 0.5;
    }
  }
  return x;
}

const view16 = (q: Int32Array) => new Int16Array(q.buffer, q.byteOffset, q.length * 2);
const viewF = (q: Int32Array) => new Float32Array(q.buffer, q.byteOffset, q.length);

it('roundToF16 equals the f16 encoder/decoder round trip (ties, subnormals, overflow)', () => {
  const rand = lcg(7);
  const values = [0, -0, 1, 65504, 65519, 65520, 70000, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -14, 1 + 2 ** -11, 1 + 3 * 2 ** -11,
    NaN, Infinity, -Infinity];
  for (let i = 0; i < 20000; i++) values.push((rand() - 0.5) * 2 ** Math.floor(rand() * 50 - 30));
  for (const v of values) {
    const want = f16ToF32(f32ToF16(v));
    expect(Object.is(roundToF16(v), want) || (Number.isNaN(want) && Number.isNaN(roundToF16(v))), `${v}`).toBe(true);
  }
});

it.each([32, 64, 576, 1536])('reference quantizeQ8_1 (length %i): |q| ≤ 127, the block max at ±127, |x − d·q| ≤ d/2 (+ d\'s f16 rounding), s = f16(d·Σq)', (length) => {
  const x = activations(length, lcg(length));
  const q = new Int32Array(q8ActivationWords(length));
  ref.quantizeQ8_1(x, q, length);
  const quants = view16(q), scales = viewF(q);
  for (let b = 0; b < length / 32; b++) {
    const at = b * Q8_BLOCK_WORDS;
    let amax = 0, sum = 0, maxQ = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[32 * b + j]));
    const d = scales[at + 16], dExact = Math.fround(amax / 127);
    expect(d).toBe(roundToF16(dExact));
    for (let j = 0; j < 32; j++) {
      const v = quants[2 * at + j];
      expect(Math.abs(v)).toBeLessThanOrEqual(127);
      maxQ = Math.max(maxQ, Math.abs(v));
      sum += v;
      expect(Math.abs(x[32 * b + j] - dExact * v)).toBeLessThanOrEqual(dExact * 0.5 * (1 + 1e-6) + 1e-30);
    }
    if (amax > 0) expect(maxQ).toBe(127);
    expect(scales[at + 17]).toBe(roundToF16(Math.fround(dExact * sum)));
  }
});

it('reference quantizeQ8_1: a block with NaN or Infinity gets d = s = NaN and zero quants; other blocks are untouched', () => {
  const x = activations(96, lcg(3));
  x[40] = NaN;
  x[70] = -Infinity;
  const q = new Int32Array(q8ActivationWords(96)).fill(-1);
  ref.quantizeQ8_1(x, q, 96);
  const clean = new Int32Array(q8ActivationWords(32));
  ref.quantizeQ8_1(x.subarray(0, 32), clean, 32);
  expect([...q.subarray(0, Q8_BLOCK_WORDS)]).toEqual([...clean]);
  for (const b of [1, 2]) {
    expect(Number.isNaN(viewF(q)[b * Q8_BLOCK_WORDS + 16]) && Number.isNaN(viewF(q)[b * Q8_BLOCK_WORDS + 17])).toBe(true);
    expect([...view16(q).subarray(2 * b * Q8_BLOCK_WORDS, 2 * b * Q8_BLOCK_WORDS + 32)].every((v) => v === 0)).toBe(true);
  }
});

/** The activations the integer product really multiplies: d·q per block (float32). */
function dequantizedActivations(q: Int32Array, length: number): Float32Array {
  const x = new Float32Array(length);
  for (let b = 0; b < length / 32; b++) {
    for (let j = 0; j < 32; j++) x[32 * b + j] = viewF(q)[b * Q8_BLOCK_WORDS + 16] * view16(q)[2 * b * Q8_BLOCK_WORDS + j];
  }
  return x;
}

it.each([[1, 32], [5, 64], [9, 576], [17, 1536]])('reference gemvQ4_1Q8_1 / gemvQ8_0Q8_1 equal the float kernels on d·q (rows %i, cols %i)', (rows, cols) => {
  const rand = lcg(rows * 7 + cols);
  const x = activations(cols, rand);
  const q = new Int32Array(q8ActivationWords(cols));
  ref.quantizeQ8_1(x, q, cols);
  const xd = dequantizedActivations(q, cols);
  for (const type of ['Q4_1', 'Q8_0'] as const) {
    const W = randomQuantizedRows(type, rows, cols, rand);
    const got = new Float32Array(rows), want = new Float32Array(rows);
    if (type === 'Q4_1') { ref.gemvQ4_1Q8_1(W, q, got, rows, cols); ref.gemvQ4_1(W, xd, want, rows, cols); }
    else { ref.gemvQ8_0Q8_1(W, q, got, rows, cols); ref.gemvQ8_0(W, xd, want, rows, cols); }
    // Q4_1's m·Σx term uses s = f16(d·Σq) where d·q uses f16(d): they differ by ≤ 2·2^-11·d·|Σq| per block.
    const bytes = new Uint8Array(W.buffer);
    for (let r = 0; r < rows; r++) {
      let slack = 0, mag = 0;
      for (let b = 0; b < cols / 32; b++) {
        let sumq = 0, sumAbs = 0;
        for (let j = 0; j < 32; j++) { sumq += view16(q)[2 * b * Q8_BLOCK_WORDS + j]; sumAbs += Math.abs(xd[32 * b + j]); }
        const d = viewF(q)[b * Q8_BLOCK_WORDS + 16];
        if (type === 'Q4_1') {
          const at = 4 * r * quantizedRowWords('Q4_1', cols) + 20 * b;
          const m = Math.abs(f16ToF32(bytes[at + 2] | (bytes[at + 3] << 8)));
          slack += m * 2 ** -10 * d * Math.abs(sumq) * 1.01;
          mag += (Math.abs(f16ToF32(bytes[at] | (bytes[at + 1] << 8))) * 15 + m) * sumAbs;
        } else mag += (1 / 128) * 128 * sumAbs;
      }
      expect(Math.abs(got[r] - want[r]), `${type} row ${r}`).toBeLessThanOrEqual(slack + 1e-6 * mag + 1e-7);
    }
  }
});

it.each([[1, 32, 1], [5, 64, 3], [17, 160, 7]])('reference gemm q8 kernels equal one gemv per vector (rows %i, cols %i, n %i)', (rows, cols, n) => {
  const rand = lcg(rows + cols + n);
  const Xq = new Int32Array(n * q8ActivationWords(cols));
  ref.quantizeQ8_1(activations(n * cols, rand), Xq, n * cols);
  const words = q8ActivationWords(cols);
  for (const type of ['Q4_1', 'Q8_0'] as const) {
    const W = randomQuantizedRows(type, rows, cols, rand);
    const Y = new Float32Array(n * rows);
    (type === 'Q4_1' ? ref.gemmQ4_1Q8_1 : ref.gemmQ8_0Q8_1)(W, Xq, Y, rows, cols, n);
    for (let j = 0; j < n; j++) {
      const y = new Float32Array(rows);
      (type === 'Q4_1' ? ref.gemvQ4_1Q8_1 : ref.gemvQ8_0Q8_1)(W, Xq.subarray(j * words, (j + 1) * words), y, rows, cols);
      expect([...Y.subarray(j * rows, (j + 1) * rows)]).toEqual([...y]);
    }
  }
});

describeEachCpuBackend('quantizeQ8_1, gemvQ4_1Q8_1, gemvQ8_0Q8_1, gemmQ4_1Q8_1, gemmQ8_0Q8_1', (k, info) => {
  test.prop([fc.integer({ min: 1, max: 60 }), fc.integer()], { numRuns: 40 })('quantizeQ8_1 is bit-identical to the reference', (blocks, seed) => {
    const length = 32 * blocks;
    const x = activations(length, lcg(seed));
    if (seed % 5 === 0) x[Math.abs(seed) % length] = seed % 2 ? NaN : Infinity;
    const want = new Int32Array(q8ActivationWords(length));
    ref.quantizeQ8_1(x, want, length);
    const got = new Int32Array(q8ActivationWords(length) + 2).fill(-7);
    k.quantizeQ8_1(x, got, length);
    expect([...got.subarray(0, want.length)], info.label).toEqual([...want]);
    expect([...got.subarray(want.length)]).toEqual([-7, -7]);
  });

  test.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 9 }), fc.integer()], { numRuns: 30 })(
    'gemv and gemm products match the reference within float tolerance (resident operands)', (rows, blocks, n, seed) => {
      const cols = 32 * blocks;
      const rand = lcg(seed);
      const Xq = new Int32Array(n * q8ActivationWords(cols));
      ref.quantizeQ8_1(activations(n * cols, rand), Xq, n * cols);
      const words = q8ActivationWords(cols);
      // Bound: 1e-5 of Σ_b |d_w·d_x·Σq_w·q_x| + |m·s| ≤ 1e-5 · max|w| · Σ_j |d·q_j|.
      const sumAbsX = (j: number) => dequantizedActivations(Xq.subarray(j * words, (j + 1) * words), cols).reduce((t, v) => t + Math.abs(v), 0);
      for (const type of ['Q4_1', 'Q8_0'] as const) {
        const Wh = randomQuantizedRows(type, rows, cols, rand);
        const W = k.allocI32(Wh.length);
        W.view().set(Wh);
        const X = k.allocI32(Xq.length);
        X.view().set(Xq);
        const maxW = type === 'Q4_1' ? 1 / 16 * 15 + 0.5 : 1 / 128 * 128;
        const gemv = type === 'Q4_1' ? 'gemvQ4_1Q8_1' : 'gemvQ8_0Q8_1';
        const gemm = type === 'Q4_1' ? 'gemmQ4_1Q8_1' : 'gemmQ8_0Q8_1';
        const want = new Float32Array(n * rows);
        ref[gemm](Wh, Xq, want, rows, cols, n);
        const got = new Float32Array(n * rows + 2).fill(-7);
        k[gemm](W.view(), X.view(), got, rows, cols, n);
        const one = new Float32Array(rows);
        k[gemv](W.view(), X.view().subarray(0, words), one, rows, cols);
        for (let j = 0; j < n; j++) {
          for (let r = 0; r < rows; r++) {
            const tol = 1e-5 * maxW * sumAbsX(j) + 1e-6;
            expect(Math.abs(got[j * rows + r] - want[j * rows + r]), `${info.label} ${gemm} [${j}][${r}]`).toBeLessThanOrEqual(tol);
            if (j === 0) expect(Math.abs(one[r] - want[r]), `${info.label} ${gemv} [${r}]`).toBeLessThanOrEqual(tol);
          }
        }
        expect([...got.subarray(n * rows)]).toEqual([-7, -7]);
        W.dispose();
        X.dispose();
      }
    });

  it('gemv on copied (non-resident) operands equals the resident call', () => {
    const rand = lcg(11);
    const Xq = new Int32Array(q8ActivationWords(576));
    k.quantizeQ8_1(activations(576, rand), Xq, 576);
    const Wh = randomQuantizedRows('Q4_1', 9, 576, rand);
    const a = new Float32Array(9), b = new Float32Array(9);
    k.gemvQ4_1Q8_1(Wh, Xq, a, 9, 576);
    const W = k.allocI32(Wh.length);
    W.view().set(Wh);
    k.gemvQ4_1Q8_1(W.view(), Xq, b, 9, 576);
    expect([...a]).toEqual([...b]);
    W.dispose();
  });

  it('a NaN activation block makes exactly the products that read it NaN', () => {
    const x = activations(64, lcg(5));
    x[3] = NaN;
    const q = new Int32Array(q8ActivationWords(64));
    k.quantizeQ8_1(x, q, 64);
    const y = new Float32Array(3);
    k.gemvQ4_1Q8_1(randomQuantizedRows('Q4_1', 3, 64, lcg(6)), q, y, 3, 64);
    expect([...y].every(Number.isNaN), info.label).toBe(true);
  });

  it('rejects bad shapes, naming the argument', () => {
    const W = new Int32Array(4 * quantizedRowWords('Q4_1', 64));
    const xq = new Int32Array(q8ActivationWords(64)), y = new Float32Array(4);
    expectBadArgument(() => k.quantizeQ8_1(new Float32Array(48), new Int32Array(q8ActivationWords(64)), 48), 'length');
    expectBadArgument(() => k.quantizeQ8_1(new Float32Array(32), xq, 64), 'x');
    expectBadArgument(() => k.quantizeQ8_1(new Float32Array(64), new Int32Array(10), 64), 'q');
    expectBadArgument(() => k.gemvQ4_1Q8_1(W, xq, y, 4, 48), 'cols');
    expectBadArgument(() => k.gemvQ4_1Q8_1(W, xq, y, 5, 64), 'W');
    expectBadArgument(() => k.gemvQ4_1Q8_1(W, new Int32Array(17), y, 4, 64), 'xq');
    expectBadArgument(() => k.gemvQ8_0Q8_1(new Int32Array(4 * quantizedRowWords('Q8_0', 64)), xq, new Float32Array(3), 4, 64), 'y');
    expectBadArgument(() => k.gemmQ4_1Q8_1(W, xq, new Float32Array(8), 4, 64, 2), 'Xq');
    expectBadArgument(() => k.gemmQ8_0Q8_1(new Int32Array(4 * quantizedRowWords('Q8_0', 64)), xq, y, 4, 64, 1.5), 'n');
    expectBadArgument(() => k.gemvQ4_1Q8_1(W, new Float32Array(xq.length) as unknown as Int32Array, y, 4, 64), 'xq');
  });

  // The SIMD Q4_1 product relies on quants in [−127, 127] (it forms x_{j+16} − 16·x_j in int16):
  // a quant outside would give a silently different answer from the reference, so it is refused.
  it('rejects quantized activations outside [-127, 127], naming the argument', () => {
    const W4 = new Int32Array(4 * quantizedRowWords('Q4_1', 64)), W8 = new Int32Array(4 * quantizedRowWords('Q8_0', 64));
    const y = new Float32Array(4), y2 = new Float32Array(8);
    for (const [block, element, quant] of [[0, 0, 128], [1, 31, -128], [1, 16, 32767]]) {
      const xq = new Int32Array(2 * q8ActivationWords(64));
      new Int16Array(xq.buffer)[2 * Q8_BLOCK_WORDS * block + element] = quant;
      expectBadArgument(() => k.gemvQ4_1Q8_1(W4, xq, y, 4, 64), 'xq');
      expectBadArgument(() => k.gemvQ8_0Q8_1(W8, xq, y, 4, 64), 'xq');
      expectBadArgument(() => k.gemmQ4_1Q8_1(W4, xq, y2, 4, 64, 2), 'Xq');
      expectBadArgument(() => k.gemmQ8_0Q8_1(W8, xq, y2, 4, 64, 2), 'Xq');
    }
    // The scale words d and s (16 and 17 of each block) are floats, not quants: any bits pass.
    const xq = new Int32Array(q8ActivationWords(64));
    xq[16] = 0x7f7f7f7f; xq[17] = -1;
    expect(() => k.gemvQ4_1Q8_1(W4, xq, y, 4, 64)).not.toThrow();
    // -127 and 127 are in range.
    new Int16Array(xq.buffer)[0] = -127; new Int16Array(xq.buffer)[1] = 127;
    expect(() => k.gemvQ8_0Q8_1(W8, xq, y, 4, 64)).not.toThrow();
  });
});
