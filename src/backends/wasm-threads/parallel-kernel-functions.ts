/**
 * Kernels split across threads. Each call resolves its arguments to pointers in the shared
 * memory (resident arrays in place, others copied once into the call scratch, exactly as the
 * single-thread wasm backend does), does any once-per-call preparation on the calling thread,
 * then runs as a job of chunks (chunking.ts) on the calling thread and the workers
 * (thread-pool.ts). Calls below the size thresholds run the single-thread kernels directly.
 *
 * How each kernel is cut, and what that does to the result:
 * - gemv: by output rows, at multiples of 7 for rows longer than 2048 floats (assembly/gemv.ts
 *   streams seven rows side by side there) — every row is computed exactly as on one thread:
 *   bit-identical to the single-thread kernel.
 * - gemvT, spvmm: by input rows, each chunk running the single-thread kernel on its rows into a
 *   partial y of its own (spvmm lists the nonzero inputs of its rows itself); the calling thread
 *   then adds the partials in chunk order (y = p₀ + p₁ + …, float32). The sum is regrouped, so
 *   the result is within float tolerance of the single-thread kernel, not bit-identical — but it
 *   is the same on every thread count and every run. Cutting by output columns instead keeps the
 *   bits but streams W in slabs, and slabs stream badly: measured on one thread here, 4096×4096
 *   gemvT took 1.3x as long in 2048-column slabs and 1.7x in 256-column ones (spvmm
 *   14336×4096 at 50%: 1.2x and 2.2x), more than a second thread gains on a bandwidth-bound kernel.
 * - vmmsp: by output rows. Each chunk groups its surviving rows by eight as the single-thread
 *   kernel does, but the last nnz mod 4 rows of each chunk take the one-row path, whose four
 *   accumulators sum in another order: equal within float tolerance, not bit-identical.
 * - l2sqrBatch, argminL2: by points, at multiples of 4 (the kernels' 4-point blocks), with the
 *   k centroid norms computed once on the calling thread: bit-identical.
 * - gemvQ4_1, gemvQ8_0: by output rows (each quantized row is self-contained): bit-identical.
 * - gemvQ4_1Q8_1, gemvQ8_0Q8_1, gemmQ4_1Q8_1, gemmQ8_0Q8_1: by output rows, in multiples of four
 *   (the kernels' four-row groups), each gemm chunk with its own decode scratch: bit-identical.
 * - sum (the streaming-read roofline): by blocks of 16 floats; the chunks' float32 sums are added
 *   in float64 in chunk order and rounded once: within tolerance of the one-thread sum.
 * The cut depends on the shape only, so every kernel gives the same bits on any thread count.
 */
import type { KernelFunctions, KernelName } from '../../kernels/kernels.js';
import { marshal } from '../wasm/memory.js';
import type { SharedWasmHeap } from './shared-heap.js';
import type { ThreadPool } from './thread-pool.js';
import { WORKER_OPS, type SplitKernel } from './worker-source.js';
import { chunkSize } from './chunking.js';
import { quantizedRowWords, type QuantizedType } from '../../kernels/quantized-row-words.js';
import { q8ActivationWords } from '../../kernels/q8-activation-words.js';

/** assembly/gemv-q8-1.ts works on groups of four rows; its gemm scratch is 288 bytes per 32 columns. */
const Q8_ROW_GROUP = 4;
const Q8_SCRATCH_BYTES_PER_BLOCK = 288;

/** When a call is worth splitting (see CreateParallelKernelsOptions). */
export interface SplitThresholds {
  /** sum, gemv, gemvT, spvmm, vmmsp: bytes streamed (n·4 for sum, rows·cols·4 for the others). */
  minStreamBytes: number;
  /** gemvQ4_1, gemvQ8_0, gemvQ4_1Q8_1, gemvQ8_0Q8_1: bytes of weight blocks; gemmQ4_1Q8_1, gemmQ8_0Q8_1: those bytes times n. */
  minQuantizedBytes: number;
  /** l2sqrBatch, argminL2: 2·n·k·d. */
  minFlops: number;
}

/** The kernels this file splits: those WORKER_OPS gives worker exports. */
export const PARALLEL_KERNELS = (Object.keys(WORKER_OPS) as KernelName[])
  .filter((name): name is SplitKernel => WORKER_OPS[name] !== null);

/** assembly/gemv.ts: rows up to this many floats are one linear stream each; longer ones go seven at a time. */
const GEMV_SHORT_ROW = 2048;
const GEMV_ROW_BLOCK = 7;
/** sum's chunks start at multiples of 16 floats (64 bytes). */
const SUM_BLOCK = 16;
/** gemvT and spvmm accumulate rows eight at a time; chunks of whole groups keep that path. */
const ROW_GROUP = 8;
/** Chunks (= partial y's to add up on the calling thread) of a gemvT or spvmm call, at most. */
const REDUCED_CHUNKS = 16;
/** assembly/l2sqr-batch.ts works on blocks of four points. */
const POINT_BLOCK = 4;
/** Work per chunk at least: 64 KiB streamed, or 2^18 flops (well above the ~0.1 µs claim). */
const MIN_CHUNK_BYTES = 1 << 16;
/**
 * The quantized products spend ~3 µs on 16 KiB of blocks (compute-bound, see
 * minQuantizedBytes), so their chunks may be that small: a 576×576 Q4_1 matrix (207 KB) is then
 * 12 chunks, not 4 of which the last is a tenth of the others, and two threads share it evenly.
 */
const MIN_QUANTIZED_CHUNK_BYTES = 1 << 14;
const MIN_CHUNK_FLOPS = 1 << 18;

const F = 4; // bytes per f32 / i32

/** A pointer that moves `perElement` bytes per element of the cut dimension. */
const at = (base: number, perElement: number) => ({ base, perElement });

/** serial: the single-thread kernels over the same memory (used below the thresholds). */
export function parallelKernelFunctions(heap: SharedWasmHeap, pool: ThreadPool, thresholds: SplitThresholds,
  serial: Partial<KernelFunctions>): Pick<KernelFunctions, SplitKernel> {
  const w = heap.exports;
  const streams = (bytes: number) => bytes > 0 && bytes >= thresholds.minStreamBytes;
  const quantizedSplits = (bytes: number) => bytes > 0 && bytes >= thresholds.minQuantizedBytes;
  const computes = (flops: number) => flops > 0 && flops >= thresholds.minFlops;
  /** Rows (or points) per chunk for a cut along rows of `bytesPerRow`. */
  const rowChunk = (rows: number, unit: number, bytesPerRow: number, target?: number, minBytes = MIN_CHUNK_BYTES) =>
    chunkSize(rows, unit, Math.ceil(minBytes / Math.max(1, bytesPerRow)), target);
  const quantizedChunk = (rows: number, unit: number, bytesPerRow: number) =>
    rowChunk(rows, unit, bytesPerRow, undefined, MIN_QUANTIZED_CHUNK_BYTES);
  /** y[0..cols) = Σ_c partial c (cols floats each, at pParts), added in chunk order. */
  const reduce = (pParts: number, count: number, py: number, cols: number): void => {
    const buf = heap.buffer;
    new Float32Array(buf, py, cols).set(new Float32Array(buf, pParts, cols));
    for (let c = 1; c < count; c++) w.axpy(1, pParts + c * cols * F, py, cols); // 1·p is exact: y + p
  };

  /** gemvQ4_1 / gemvQ8_0 cut by output rows. */
  const quantizedGemv = (op: 'gemvQ4_1' | 'gemvQ8_0', type: QuantizedType, W: Int32Array, x: Float32Array, y: Float32Array,
    rows: number, cols: number): void => {
    const rowBytes = F * quantizedRowWords(type, cols);
    if (!quantizedSplits(rows * rowBytes)) return serial[op]!(W, x, y, rows, cols);
    const { ptrs: [pW, px, py], finish } = marshal(heap, [
      { a: W, length: rows * quantizedRowWords(type, cols) }, { a: x, length: cols }, { a: y, length: rows, out: true, in: false }]);
    pool.run({ op, total: rows, chunk: quantizedChunk(rows, 1, rowBytes), args: [at(pW, rowBytes), px, at(py, F), 'length', cols] });
    finish();
  };
  /** gemvQ4_1Q8_1 / gemvQ8_0Q8_1 cut by output rows (multiples of four). */
  const int8Gemv = (op: 'gemvQ4_1Q8_1' | 'gemvQ8_0Q8_1', type: QuantizedType, W: Int32Array, xq: Int32Array, y: Float32Array,
    rows: number, cols: number): void => {
    const rowBytes = F * quantizedRowWords(type, cols);
    if (!quantizedSplits(rows * rowBytes)) return serial[op]!(W, xq, y, rows, cols);
    const { ptrs: [pW, px, py], finish } = marshal(heap, [
      { a: W, length: rows * quantizedRowWords(type, cols) }, { a: xq, length: q8ActivationWords(cols) },
      { a: y, length: rows, out: true, in: false }]);
    pool.run({ op, total: rows, chunk: quantizedChunk(rows, Q8_ROW_GROUP, rowBytes), args: [at(pW, rowBytes), px, at(py, F), 'length', cols] });
    finish();
  };
  /** gemmQ4_1Q8_1 / gemmQ8_0Q8_1 cut by output rows (multiples of four): Y keeps its row stride. */
  const int8Gemm = (op: 'gemmQ4_1Q8_1' | 'gemmQ8_0Q8_1', type: QuantizedType, W: Int32Array, Xq: Int32Array, Y: Float32Array,
    rows: number, cols: number, n: number): void => {
    const rowBytes = F * quantizedRowWords(type, cols);
    // Every vector multiplies every block: a prefill block's small products (k, v) split too.
    if (!quantizedSplits(rows * rowBytes * n)) return serial[op]!(W, Xq, Y, rows, cols, n);
    const chunk = quantizedChunk(rows, Q8_ROW_GROUP, rowBytes);
    const scratchBytes = (cols / 32) * Q8_SCRATCH_BYTES_PER_BLOCK;
    const { ptrs: [pW, pX, pY, pScratch], finish } = marshal(heap, [
      { a: W, length: rows * quantizedRowWords(type, cols) }, { a: Xq, length: n * q8ActivationWords(cols) },
      { a: Y, length: n * rows, out: true, in: false }, { a: null, length: Math.ceil(rows / chunk) * scratchBytes / F }]);
    pool.run({
      op, total: rows, chunk,
      args: [at(pW, rowBytes), pX, at(pY, F), 'length', cols, n, rows, { base: pScratch, perChunk: scratchBytes }],
    });
    finish();
  };
  return {
    gemvQ4_1Q8_1: (W, xq, y, rows, cols) => int8Gemv('gemvQ4_1Q8_1', 'Q4_1', W, xq, y, rows, cols),
    gemvQ8_0Q8_1: (W, xq, y, rows, cols) => int8Gemv('gemvQ8_0Q8_1', 'Q8_0', W, xq, y, rows, cols),
    gemmQ4_1Q8_1: (W, Xq, Y, rows, cols, n) => int8Gemm('gemmQ4_1Q8_1', 'Q4_1', W, Xq, Y, rows, cols, n),
    gemmQ8_0Q8_1: (W, Xq, Y, rows, cols, n) => int8Gemm('gemmQ8_0Q8_1', 'Q8_0', W, Xq, Y, rows, cols, n),

    sum(x, n) {
      if (!streams(n * F)) return serial.sum!(x, n);
      const { ptrs: [px] } = marshal(heap, [{ a: x, length: n }]);
      const partials = pool.run({ op: 'sum', total: n, chunk: rowChunk(n, SUM_BLOCK, F), args: [at(px, F), 'length'] });
      let s = 0;
      for (let c = 0; c < partials.length; c++) s += partials[c];
      return Math.fround(s);
    },

    gemv(W, x, y, rows, cols) {
      if (!streams(rows * cols * F)) return serial.gemv!(W, x, y, rows, cols);
      const { ptrs: [pW, px, py], finish } = marshal(heap, [
        { a: W, length: rows * cols }, { a: x, length: cols }, { a: y, length: rows, out: true, in: false }]);
      const chunk = rowChunk(rows, cols > GEMV_SHORT_ROW ? GEMV_ROW_BLOCK : 1, cols * F);
      pool.run({ op: 'gemv', total: rows, chunk, args: [at(pW, cols * F), px, at(py, F), 'length', cols] });
      finish();
    },

    gemvQ4_1: (W, x, y, rows, cols) => quantizedGemv('gemvQ4_1', 'Q4_1', W, x, y, rows, cols),
    gemvQ8_0: (W, x, y, rows, cols) => quantizedGemv('gemvQ8_0', 'Q8_0', W, x, y, rows, cols),

    gemvT(W, x, y, rows, cols) {
      if (!streams(rows * cols * F)) return serial.gemvT!(W, x, y, rows, cols);
      const chunk = rowChunk(rows, ROW_GROUP, cols * F, REDUCED_CHUNKS);
      const count = Math.ceil(rows / chunk);
      const { ptrs: [pW, px, py, pParts], finish } = marshal(heap, [
        { a: W, length: rows * cols }, { a: x, length: rows }, { a: y, length: cols, out: true, in: false },
        { a: null, length: count * cols }]);
      pool.run({ op: 'gemvT', total: rows, chunk, args: [at(pW, cols * F), at(px, F), { base: pParts, perChunk: cols * F }, 'length', cols] });
      reduce(pParts, count, py, cols);
      finish();
    },

    spvmm(x, W, y, rows, cols) {
      if (!streams(rows * cols * F)) return serial.spvmm!(x, W, y, rows, cols);
      const chunk = rowChunk(rows, ROW_GROUP, cols * F, REDUCED_CHUNKS);
      const count = Math.ceil(rows / chunk);
      const { ptrs: [px, pW, py, pParts, pIdx], finish } = marshal(heap, [
        { a: x, length: rows }, { a: W, length: rows * cols }, { a: y, length: cols, out: true, in: false },
        { a: null, length: count * cols }, { a: null, length: rows }]); // chunks list nonzeros in disjoint parts
      const nnz = pool.run({
        op: 'spvmm', total: rows, chunk,
        args: [at(px, F), at(pW, cols * F), { base: pParts, perChunk: cols * F }, 'length', cols, at(pIdx, F)],
      });
      reduce(pParts, count, py, cols);
      finish();
      let total = 0;
      for (let c = 0; c < nnz.length; c++) total += nnz[c];
      return total;
    },

    vmmsp(x, W, s, out, rows, cols) {
      if (!streams(rows * cols * F)) return serial.vmmsp!(x, W, s, out, rows, cols);
      const { ptrs: [px, pW, ps, pOut, pIdx], finish } = marshal(heap, [
        { a: x, length: cols }, { a: W, length: rows * cols }, { a: s, length: rows },
        { a: out, length: rows, out: true, in: false }, { a: null, length: rows }]); // chunks use disjoint parts
      const counts = pool.run({
        op: 'vmmsp', total: rows, chunk: rowChunk(rows, 1, cols * F),
        args: [px, at(pW, cols * F), at(ps, F), at(pOut, F), 'length', cols, at(pIdx, F)],
      });
      finish();
      let total = 0;
      for (let c = 0; c < counts.length; c++) total += counts[c];
      return total;
    },

    l2sqrBatch(X, C, out, n, k, d) {
      if (!computes(2 * n * k * d)) return serial.l2sqrBatch!(X, C, out, n, k, d);
      const { ptrs: [pX, pC, pOut, pCn], finish } = marshal(heap, [
        { a: X, length: n * d }, { a: C, length: k * d }, { a: out, length: n * k, out: true, in: false },
        { a: null, length: k }]);
      w.rowNorms(pC, pCn, k, d);
      const chunk = chunkSize(n, POINT_BLOCK, Math.ceil(MIN_CHUNK_FLOPS / (2 * k * d)));
      pool.run({ op: 'l2sqrBatchRows', total: n, chunk, args: [at(pX, d * F), pC, at(pOut, k * F), 'length', k, d, pCn] });
      finish();
    },

    argminL2(X, C, codes, dist, n, k, d) {
      if (!computes(2 * n * k * d)) return serial.argminL2!(X, C, codes, dist, n, k, d);
      const { ptrs: [pX, pC, pCodes, pDist, pCn], finish } = marshal(heap, [
        { a: X, length: n * d }, { a: C, length: k * d }, { a: codes, length: n, out: true, in: false },
        { a: dist, length: n, out: true, in: false }, { a: null, length: k }]);
      w.rowNorms(pC, pCn, k, d);
      const chunk = chunkSize(n, POINT_BLOCK, Math.ceil(MIN_CHUNK_FLOPS / (2 * k * d)));
      pool.run({ op: 'argminL2Rows', total: n, chunk, args: [at(pX, d * F), pC, at(pCodes, F), at(pDist, F), 'length', k, d, pCn] });
      finish();
    },
  };
}
