/**
 * The wasm-threads kernels, cut into chunks (thresholds 0, so even tiny calls are split) and run
 * on 1, 2 and 3 threads, against two oracles:
 * - the single-thread wasm SIMD backend, bit for bit, for the kernels whose cut keeps every
 *   output's summation order (gemv by rows, l2sqrBatch/argminL2 by points) — so a chunk
 *   computed twice, skipped, misplaced or raced shows up as a differing bit;
 * - the reference backend within the usual float tolerance, for all of them (gemvT and spvmm
 *   add per-chunk partial sums, vmmsp's chunks change which rows take the one-row path).
 * Outputs start as NaN with sentinels past the end, so an unwritten chunk or a write out of
 * bounds cannot pass. And since the cut depends on the shape only, every kernel (sum and vmmsp
 * included) must give the same bits on every thread count. Both argument placements run: plain arrays (copied through the shared
 * scratch) and resident arrays (read in place by every thread).
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { floatSpec, floats, size, type FloatSpec } from '../_harness/arbitraries.js';
import { assertClose, closeRel } from '../_harness/tolerance.js';
import { PLACEMENTS, runPlaced, type Placement } from '../_harness/placement.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { createParallelKernels, type ParallelKernels } from '../../src/backends/wasm-threads/create-parallel-kernels.js';
import { expansionTerms } from '../kernels/_l2-terms.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { decoderLayerScratchLength, decoderLayerWeightLength } from '../../src/kernels/decoder-layer-layout.js';

const single = await createKernels({ backend: 'wasm', wasmVariant: 'simd' });
const pools: ParallelKernels[] = await Promise.all([1, 2, 3].map((threads) =>
  createParallelKernels({ threads, minStreamBytes: 0, minQuantizedBytes: 0, minFlops: 0 })));
afterAll(async () => { await Promise.all(pools.map((k) => k.dispose())); });

const SENTINELS = 3;

/** An output of n elements prefilled with NaN, plus sentinels. */
function output(n: number): Float32Array {
  const a = new Float32Array(n + SENTINELS).fill(NaN);
  a.fill(-7, n);
  return a;
}

function expectSameBits(got: Float32Array | Int32Array, want: Float32Array | Int32Array, n: number, what: string): void {
  const g = new Int32Array(got.buffer, got.byteOffset, n), w = new Int32Array(want.buffer, want.byteOffset, n);
  for (let i = 0; i < n; i++) {
    if (g[i] !== w[i]) throw new Error(`${what}[${i}]: ${got[i]} differs from the single-thread kernel's ${want[i]}`);
  }
}

function expectSentinels(a: Float32Array | Int32Array, n: number, what: string): void {
  expect(Array.from(a.subarray(n)), `${what} past the end`).toEqual(new Array(SENTINELS).fill(-7));
}

function dense(k: ParallelKernels, placement: Placement, kernel: 'gemv' | 'gemvT', rows: number, cols: number,
  sw: FloatSpec, sx: FloatSpec): void {
  const outLen = kernel === 'gemv' ? rows : cols;
  const W = floats(rows * cols, sw), x = floats(kernel === 'gemv' ? cols : rows, { ...sx, seed: sx.seed + 1 });
  const { after } = runPlaced(k, placement, [W, x, output(outLen)] as const, (w, xx, y) => k[kernel](w, xx, y, rows, cols));
  const want = output(outLen), expected = new Float32Array(outLen);
  // gemv keeps the single-thread bits; gemvT regroups its sum, but the same way on every thread count.
  (kernel === 'gemv' ? single : pools[0])[kernel](W, x, want, rows, cols);
  ref[kernel](W, x, expected, rows, cols);
  expectSameBits(after[2], want, outLen, `${kernel} ${rows}×${cols} y`);
  expectSentinels(after[2], outLen, 'y');
  for (let o = 0; o < outLen; o++) {
    let terms = 0;
    if (kernel === 'gemv') for (let c = 0; c < cols; c++) terms += Math.abs(W[o * cols + c] * x[c]);
    else for (let r = 0; r < rows; r++) terms += Math.abs(W[r * cols + o] * x[r]);
    assertClose(after[2][o], expected[o], terms, `${kernel} y[${o}]`);
  }
}

for (const k of pools) {
  describe(`wasm-threads, ${k.threads} threads`, () => {
    it('loaded the shared-memory SIMD build with its workers', () => {
      expect(k.backend).toBe('wasm');
      expect(k.variant).toBe('simd-shared');
      // The split kernels are derived from the descriptors, so their order is the registry's.
      expect([...k.parallel].sort()).toEqual(['sum', 'gemv', 'gemvT', 'spvmm', 'vmmsp', 'l2sqrBatch', 'argminL2', 'gemvQ4_1', 'gemvQ8_0',
        'gemvQ4_1Q8_1', 'gemvQ8_0Q8_1', 'gemmQ4_1Q8_1', 'gemmQ8_0Q8_1'].sort());
    });

    it('sum (split, partials added in float64) matches the reference within tolerance', () => {
      // Chunks hold at least 16384 floats: sizes past that are cut.
      fc.assert(fc.property(fc.oneof(size(5000), fc.integer({ min: 16385, max: 200_000 })), floatSpec, (n, spec) => {
        const x = floats(n, spec);
        let terms = 0;
        for (let i = 0; i < n; i++) terms += Math.abs(x[i]);
        assertClose(k.sum(x, n), ref.sum(x, n), terms, `sum n=${n}`);
        expect(Object.is(k.sum(x, n), Math.fround(k.sum(x, n)))).toBe(true); // a float32 value
      }), { numRuns: 40 });
    });

    it('serial runs the same kernels on the calling thread, over the same resident arrays', () => {
      const rows = 45, cols = 2060;
      const W = k.allocF32(rows * cols), x = k.allocF32(cols), y = k.allocF32(rows);
      W.view().set(floats(rows * cols, { seed: 21, kind: 'mixed', spread: 2 }));
      x.view().set(floats(cols, { seed: 22, kind: 'mixed', spread: 2 }));
      const want = new Float32Array(rows);
      single.gemv(W.view().slice(), x.view().slice(), want, rows, cols);
      k.serial.gemv(W.view(), x.view(), y.view(), rows, cols);
      expectSameBits(y.view(), want, rows, 'serial gemv y');
      expectBadArgument(() => k.serial.gemv(W.view(), x.view(), y.view(), rows + 1, cols), 'W');
      W.dispose(); x.dispose(); y.dispose();
    });

    for (const placement of PLACEMENTS) {
      it(`gemv matches the single-thread kernel bit for bit (${placement} arrays)`, () => {
        fc.assert(fc.property(size(600), size(300), floatSpec, floatSpec,
          (rows, cols, sw, sx) => dense(k, placement, 'gemv', rows, cols, sw, sx)), { numRuns: 40 });
      });

      it(`gemv with rows longer than 2048 (seven-row blocks) is bit-identical (${placement} arrays)`, () => {
        fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.constantFrom(2049, 2052, 2053, 2100), floatSpec,
          (rows, cols, sw) => dense(k, placement, 'gemv', rows, cols, sw, sw)), { numRuns: 15 });
      });

      it(`gemvT matches the reference, and gives the same bits on every thread count (${placement} arrays)`, () => {
        fc.assert(fc.property(size(600), size(300), floatSpec, floatSpec,
          (rows, cols, sw, sx) => dense(k, placement, 'gemvT', rows, cols, sw, sx)), { numRuns: 40 });
      });

      it(`spvmm matches the reference, gives the same bits on every thread count, counts the nonzeros (${placement} arrays)`, () => {
        fc.assert(fc.property(size(600), size(300), floatSpec, floatSpec, (rows, cols, sw, sx) => {
          const W = floats(rows * cols, sw), x = floats(rows, { ...sx, kind: 'zeros', seed: sx.seed + 1 });
          const { result, after } = runPlaced(k, placement, [x, W, output(cols)] as const,
            (xx, w, y) => k.spvmm(xx, w, y, rows, cols));
          const want = output(cols), expected = new Float32Array(cols);
          const wantNnz = pools[0].spvmm(x, W, want, rows, cols);
          ref.spvmm(x, W, expected, rows, cols);
          expect(result).toBe(wantNnz);
          expect(result).toBe(x.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0));
          expectSameBits(after[2], want, cols, `spvmm ${rows}×${cols} y`);
          expectSentinels(after[2], cols, 'y');
          for (let c = 0; c < cols; c++) {
            let terms = 0;
            for (let r = 0; r < rows; r++) terms += Math.abs(W[r * cols + c] * x[r]);
            assertClose(after[2][c], expected[c], terms, `spvmm y[${c}]`);
          }
        }), { numRuns: 40 });
      });

      it(`vmmsp matches the reference within tolerance and counts the gated rows (${placement} arrays)`, () => {
        fc.assert(fc.property(size(600), size(300), floatSpec, floatSpec, (rows, cols, sw, sx) => {
          const W = floats(rows * cols, sw), x = floats(cols, { ...sx, seed: sx.seed + 1 });
          const s = floats(rows, { ...sx, kind: 'zeros', seed: sx.seed + 2 });
          const { result, after } = runPlaced(k, placement, [x, W, s, output(rows)] as const,
            (xx, w, ss, out) => k.vmmsp(xx, w, ss, out, rows, cols));
          const expected = new Float32Array(rows);
          expect(result).toBe(ref.vmmsp(x, W, s, expected, rows, cols));
          expectSentinels(after[3], rows, 'out');
          for (let r = 0; r < rows; r++) {
            let terms = 0;
            for (let c = 0; c < cols; c++) terms += Math.abs(W[r * cols + c] * x[c]);
            assertClose(after[3][r], expected[r], terms * Math.abs(s[r]), `vmmsp out[${r}]`);
          }
        }), { numRuns: 40 });
      });

      it(`l2sqrBatch matches the single-thread kernel bit for bit (${placement} arrays)`, () => {
        fc.assert(fc.property(size(600), size(40), size(40), floatSpec, floatSpec, (n, kk, d, sx, sc) => {
          const X = floats(n * d, sx), C = floats(kk * d, { ...sc, seed: sc.seed + 1 });
          const { after } = runPlaced(k, placement, [X, C, output(n * kk)] as const,
            (x, c, out) => k.l2sqrBatch(x, c, out, n, kk, d));
          const want = output(n * kk), expected = new Float32Array(n * kk);
          single.l2sqrBatch(X, C, want, n, kk, d);
          ref.l2sqrBatch(X, C, expected, n, kk, d);
          expectSameBits(after[2], want, n * kk, `l2sqrBatch n=${n} k=${kk} d=${d} out`);
          expectSentinels(after[2], n * kk, 'out');
          for (let i = 0; i < n; i++) for (let j = 0; j < kk; j++) {
            assertClose(after[2][i * kk + j], expected[i * kk + j], expansionTerms(X, C, i, j, d), `out[${i},${j}]`);
          }
        }), { numRuns: 40 });
      });

      it(`argminL2 matches the single-thread kernel bit for bit (${placement} arrays)`, () => {
        fc.assert(fc.property(size(600), size(40), size(40), floatSpec, floatSpec, (n, kk, d, sx, sc) => {
          const X = floats(n * d, sx), C = floats(kk * d, { ...sc, seed: sc.seed + 1 });
          const codes = new Int32Array(n + SENTINELS).fill(-7);
          const { after } = runPlaced(k, placement, [X, C, codes, output(n)] as const,
            (x, c, co, di) => k.argminL2(x, c, co, di, n, kk, d));
          const wantCodes = new Int32Array(n), wantDist = new Float32Array(n);
          single.argminL2(X, C, wantCodes, wantDist, n, kk, d);
          expectSameBits(after[2], wantCodes, n, 'codes');
          expectSameBits(after[3], wantDist, n, 'dist');
          expectSentinels(after[2], n, 'codes');
          expectSentinels(after[3], n, 'dist');
          // And against the reference: the chosen centroid is (within rounding) the nearest one.
          const all = new Float32Array(n * kk), refCodes = new Int32Array(n), refDist = new Float32Array(n);
          ref.l2sqrBatch(X, C, all, n, kk, d);
          ref.argminL2(X, C, refCodes, refDist, n, kk, d);
          for (let i = 0; i < n; i++) {
            const got = after[2][i], terms = expansionTerms(X, C, i, refCodes[i], d);
            expect(got >= 0 && got < kk).toBe(true);
            if (!closeRel(all[i * kk + got], refDist[i], terms)) throw new Error(`codes[${i}] = ${got} is not nearest`);
            assertClose(after[3][i], refDist[i], terms, `dist[${i}]`);
          }
        }), { numRuns: 40 });
      });
    }

    it('l2sqrBatch and argminL2 stay bit-identical on calls long enough for the threads to overlap', () => {
      // Milliseconds per piece, so the threads really run side by side on shared C and scratch.
      // (The single-thread l2sqrBatch's static 32-byte block would be a data race here; its
      // write-then-read window is a few cycles, and V8 may forward the stores to the loads, so
      // no test can be relied on to catch it: the threaded kernels keep that block in globals.)
      const n = 1024, kk = 128, d = 64;
      const spec: FloatSpec = { seed: 11, kind: 'mixed', spread: 0 };
      const X = floats(n * d, spec), C = floats(kk * d, { ...spec, seed: 12 });
      const out = output(n * kk), want = output(n * kk);
      single.l2sqrBatch(X, C, want, n, kk, d);
      const codes = new Int32Array(n), dist = new Float32Array(n), wantCodes = new Int32Array(n), wantDist = new Float32Array(n);
      single.argminL2(X, C, wantCodes, wantDist, n, kk, d);
      // argminL2 first scans its inputs for NaN/Infinity with the backend's sum (its own jobs,
      // chunked by element count): measure what those scans add, to count the distance chunks apart.
      const s0 = k.stats();
      k.sum(X, n * d); k.sum(C, kk * d);
      const s1 = k.stats();
      const scanJobs = s1.jobs - s0.jobs, scanChunks = s1.chunks - s0.chunks;
      let argminCalls = 0;
      const before = k.stats();
      // Repeat until the workers have run some of these chunks (they may get no core for a
      // while on a loaded machine; then the calling thread runs every chunk).
      for (let rep = 0; rep < 40 && (rep < 3 || k.stats().chunksOnWorkers === before.chunksOnWorkers); rep++) {
        k.l2sqrBatch(X, C, out, n, kk, d);
        expectSameBits(out, want, n * kk, `l2sqrBatch repetition ${rep}`);
        k.argminL2(X, C, codes, dist, n, kk, d);
        argminCalls++;
        expectSameBits(codes, wantCodes, n, `codes repetition ${rep}`);
        expectSameBits(dist, wantDist, n, `dist repetition ${rep}`);
      }
      const after = k.stats();
      expect(after.jobs).toBeGreaterThan(before.jobs);
      const distanceJobs = after.jobs - before.jobs - argminCalls * scanJobs;
      const distanceChunks = after.chunks - before.chunks - argminCalls * scanChunks;
      expect(distanceChunks).toBe(32 * distanceJobs); // 1024 points in chunks of 32
      if (k.threads > 1) expect(after.chunksOnWorkers, 'chunks run by workers').toBeGreaterThan(before.chunksOnWorkers);
      else expect(after.chunksOnWorkers).toBe(0);
    });

    it('sum and vmmsp (cut-dependent) give the same bits as on one thread, call after call', () => {
      const one = pools[0];
      const rows = 517, cols = 300, n = 200_003;
      const spec: FloatSpec = { seed: 31, kind: 'mixed', spread: 4 };
      const x = floats(n, spec), W = floats(rows * cols, { ...spec, seed: 32 }), xv = floats(cols, { ...spec, seed: 33 });
      const s = floats(rows, { ...spec, kind: 'zeros', seed: 34 });
      const want = new Float32Array(rows);
      const wantCount = one.vmmsp(xv, W, s, want, rows, cols);
      const wantSum = one.sum(x, n);
      for (let rep = 0; rep < 3; rep++) {
        const out = new Float32Array(rows);
        expect(k.vmmsp(xv, W, s, out, rows, cols)).toBe(wantCount);
        expectSameBits(out, want, rows, `vmmsp out, repetition ${rep}`);
        expect(Object.is(k.sum(x, n), wantSum)).toBe(true);
      }
    });

    it('decoderLayer (split into separate calls on several threads) gives the single-thread fused kernel\'s bits', () => {
      const shape = Object.freeze({ dim: 48, hiddenDim: 70, nHeads: 6, nKvHeads: 2, normEps: 1e-5, ropeBase: 10000, ropePairing: 'half' as const });
      const pos = 5, rows = (pos + 1) * 16;
      const spec: FloatSpec = { seed: 11, kind: 'mixed', spread: 1 };
      const inputs = [floats(shape.dim, spec), floats(decoderLayerWeightLength(shape), { ...spec, seed: 12, spread: 0.3 }),
        floats(rows, { ...spec, seed: 13 }), floats(rows, { ...spec, seed: 14 }), floats(rows, { ...spec, seed: 15 }),
        new Float32Array(decoderLayerScratchLength(shape, pos + 1))] as const;
      const run = (kern: CpuKernels, placement: Placement) => runPlaced(kern, placement, inputs,
        (x, W, K, Kp, V, sc) => kern.decoderLayer(x, W, K, Kp, V, sc, pos, shape)).after;
      for (const placement of PLACEMENTS) {
        const want = run(single, placement), got = run(k, placement);
        for (const i of [0, 2, 3, 4]) expectSameBits(got[i], want[i], want[i].length, `argument ${i} (${placement})`);
      }
    });

    it('is deterministic: repeated calls and every thread count give the same bits', () => {
      const rows = 301, cols = 2101, n = 203, kk = 37, d = 19;
      const spec: FloatSpec = { seed: 5, kind: 'mixed', spread: 2 };
      const W = floats(rows * cols, spec), x = floats(cols, { ...spec, seed: 6 }), xt = floats(rows, { ...spec, seed: 7 });
      const X = floats(n * d, { ...spec, seed: 8 }), C = floats(kk * d, { ...spec, seed: 9 });
      const runAll = (kern: { gemv: typeof k.gemv; gemvT: typeof k.gemvT; spvmm: typeof k.spvmm; l2sqrBatch: typeof k.l2sqrBatch }) => {
        const y = new Float32Array(rows), yt = new Float32Array(cols), ys = new Float32Array(cols), out = new Float32Array(n * kk);
        kern.gemv(W, x, y, rows, cols);
        kern.gemvT(W, xt, yt, rows, cols);
        kern.spvmm(xt, W, ys, rows, cols);
        kern.l2sqrBatch(X, C, out, n, kk, d);
        return [y, yt, ys, out];
      };
      const base = runAll(pools[0]); // one thread, the same cut
      const plain = runAll(single);
      expectSameBits(base[0], plain[0], rows, 'gemv vs the single-thread kernel');
      expectSameBits(base[3], plain[3], n * kk, 'l2sqrBatch vs the single-thread kernel');
      for (let rep = 0; rep < 3; rep++) {
        for (const [i, a] of runAll(k).entries()) expectSameBits(a, base[i], a.length, `output ${i}, repetition ${rep}`);
      }
    });
  });
}
