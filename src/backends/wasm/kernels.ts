/**
 * The wasm backend: binds each AssemblyScript export to the Kernels signature. Arrays that
 * live in WASM memory (from allocF32/allocI32) are passed by pointer; others are copied
 * through the call scratch (correct, but 3–6x slower on small kernels — keep hot data resident).
 */
import type { KernelFunctions, KernelName, RopePairing } from '../../kernels/kernels.js';
import { type WasmExports } from './loader.js';
import { WasmHeap, marshal, type Arg } from './memory.js';
import { badArgument } from '../../core/errors.js'; // kvcache
import { decoderLayerScratchLength, decoderLayerWeightLength } from '../../kernels/decoder-layer-layout.js'; // llama
import { quantizedRowWords } from '../../kernels/quantized-row-words.js';
import { q8ActivationWords } from '../../kernels/q8-activation-words.js';
import { causalAttentionScratchLength } from '../../kernels/causal-attention-scratch.js';

/** knots: a Float64Array argument as an Int32 view over the same bytes (marshal copies words). */
function f64Arg(a: Float64Array, length: number): Arg {
  return { a: new Int32Array(a.buffer, a.byteOffset, length * 2), length: length * 2 };
}

export function wasmKernelFunctions(heap: WasmHeap): { fns: Partial<KernelFunctions>; native: KernelName[] } {
  const w: WasmExports = heap.exports;
  /** Run fn with argument pointers, copying non-resident outputs back afterwards. */
  const call = <R>(args: Arg[], fn: (p: number[]) => R): R => {
    const { ptrs, finish } = marshal(heap, args);
    const r = fn(ptrs);
    finish();
    return r;
  };
  const fns: Partial<KernelFunctions> = {
    dot: (x, y, n) => call([{ a: x, length: n }, { a: y, length: n }], (p) => w.dot(p[0], p[1], n)),
    sum: (x, n) => call([{ a: x, length: n }], (p) => w.sum(p[0], n)),
    // Index scratch for the compacted nonzero rows comes from the call scratch (i32 = 4 bytes).
    spvmm: (x, W, y, rows, cols) => call(
      [{ a: x, length: rows }, { a: W, length: rows * cols }, { a: y, length: cols, out: true, in: false }, { a: null, length: rows }],
      (p) => w.spvmm(p[0], p[1], p[2], rows, cols, p[3])),
    vmmsp: (x, W, s, out, rows, cols) => call(
      [{ a: x, length: cols }, { a: W, length: rows * cols }, { a: s, length: rows },
        { a: out, length: rows, out: true, in: false }, { a: null, length: rows }],
      (p) => w.vmmsp(p[0], p[1], p[2], p[3], rows, cols, p[4])),
    axpy: (a, x, y, n) => call([{ a: x, length: n }, { a: y, length: n, out: true }], (p) => w.axpy(a, p[0], p[1], n)),
    gemv: (W, x, y, rows, cols) => call(
      [{ a: W, length: rows * cols }, { a: x, length: cols }, { a: y, length: rows, out: true, in: false }],
      (p) => w.gemv(p[0], p[1], p[2], rows, cols)),
    packGemv: (W, P, rows, cols) => call(
      [{ a: W, length: rows * cols }, { a: P, length: Math.ceil(rows / 16) * 16 * cols, out: true, in: false }],
      (p) => w.packGemv(p[0], p[1], rows, cols)),
    gemvPacked: (P, x, y, rows, cols) => call(
      [{ a: P, length: Math.ceil(rows / 16) * 16 * cols }, { a: x, length: cols }, { a: y, length: rows, out: true, in: false }],
      (p) => w.gemvPacked(p[0], p[1], p[2], rows, cols)),
    gemvQ4_1: (W, x, y, rows, cols) => call( // llama (GGUF)
      [{ a: W, length: rows * quantizedRowWords('Q4_1', cols) }, { a: x, length: cols }, { a: y, length: rows, out: true, in: false }],
      (p) => w.gemvQ4_1(p[0], p[1], p[2], rows, cols)),
    gemvQ8_0: (W, x, y, rows, cols) => call( // llama (GGUF)
      [{ a: W, length: rows * quantizedRowWords('Q8_0', cols) }, { a: x, length: cols }, { a: y, length: rows, out: true, in: false }],
      (p) => w.gemvQ8_0(p[0], p[1], p[2], rows, cols)),
    gemm: (W, X, Y, rows, cols, n) => call( // llama prefill
      [{ a: W, length: rows * cols }, { a: X, length: n * cols }, { a: Y, length: n * rows, out: true, in: false }],
      (p) => w.gemm(p[0], p[1], p[2], rows, cols, n)),
    // scratch: one decoded row (cols floats).
    gemmQ4_1: (W, X, Y, rows, cols, n) => call(
      [{ a: W, length: rows * quantizedRowWords('Q4_1', cols) }, { a: X, length: n * cols },
        { a: Y, length: n * rows, out: true, in: false }, { a: null, length: cols }],
      (p) => w.gemmQ4_1(p[0], p[1], p[2], rows, cols, n, p[3])),
    gemmQ8_0: (W, X, Y, rows, cols, n) => call(
      [{ a: W, length: rows * quantizedRowWords('Q8_0', cols) }, { a: X, length: n * cols },
        { a: Y, length: n * rows, out: true, in: false }, { a: null, length: cols }],
      (p) => w.gemmQ8_0(p[0], p[1], p[2], rows, cols, n, p[3])),
    // llama: int8 activations (llama.cpp's numerics).
    quantizeQ8_1: (x, q, length) => call(
      [{ a: x, length }, { a: q, length: q8ActivationWords(length), out: true, in: false }],
      (p) => w.quantizeQ8_1(p[0], p[1], length)),
    gemvQ4_1Q8_1: (W, xq, y, rows, cols) => call(
      [{ a: W, length: rows * quantizedRowWords('Q4_1', cols) }, { a: xq, length: q8ActivationWords(cols) },
        { a: y, length: rows, out: true, in: false }],
      (p) => w.gemvQ4_1Q8_1(p[0], p[1], p[2], rows, cols)),
    gemvQ8_0Q8_1: (W, xq, y, rows, cols) => call(
      [{ a: W, length: rows * quantizedRowWords('Q8_0', cols) }, { a: xq, length: q8ActivationWords(cols) },
        { a: y, length: rows, out: true, in: false }],
      (p) => w.gemvQ8_0Q8_1(p[0], p[1], p[2], rows, cols)),
    // scratch: four weight rows decoded to int16 with their scales (288 bytes per 32 columns).
    gemmQ4_1Q8_1: (W, Xq, Y, rows, cols, n) => call(
      [{ a: W, length: rows * quantizedRowWords('Q4_1', cols) }, { a: Xq, length: n * q8ActivationWords(cols) },
        { a: Y, length: n * rows, out: true, in: false }, { a: null, length: (cols / 32) * 72 }],
      (p) => w.gemmQ4_1Q8_1(p[0], p[1], p[2], rows, cols, n, rows, p[3])),
    gemmQ8_0Q8_1: (W, Xq, Y, rows, cols, n) => call(
      [{ a: W, length: rows * quantizedRowWords('Q8_0', cols) }, { a: Xq, length: n * q8ActivationWords(cols) },
        { a: Y, length: n * rows, out: true, in: false }, { a: null, length: (cols / 32) * 72 }],
      (p) => w.gemmQ8_0Q8_1(p[0], p[1], p[2], rows, cols, n, rows, p[3])),
    gemvT: (W, x, y, rows, cols) => call(
      [{ a: W, length: rows * cols }, { a: x, length: rows }, { a: y, length: cols, out: true, in: false }],
      (p) => w.gemvT(p[0], p[1], p[2], rows, cols)),
    l2sqrBatch: (X, C, out, n, k, d) => call(
      [{ a: X, length: n * d }, { a: C, length: k * d }, { a: out, length: n * k, out: true, in: false }, { a: null, length: k }],
      (p) => w.l2sqrBatch(p[0], p[1], p[2], n, k, d, p[3])),
    argminL2: (X, C, codes, dist, n, k, d) => call(
      [{ a: X, length: n * d }, { a: C, length: k * d }, { a: codes, length: n, out: true, in: false },
        { a: dist, length: n, out: true, in: false }, { a: null, length: k }],
      (p) => w.argminL2(p[0], p[1], p[2], p[3], n, k, d, p[4])),
    // scratch: two k-word heaps, and for n ≥ 16384 topKSelect's 2048 + 2n words.
    topK: (x, n, k, out) => call(
      [{ a: x, length: n }, { a: out, length: k, out: true, in: false }, { a: null, length: k }, { a: null, length: k },
        { a: null, length: n >= 16384 ? 2048 + 2 * n : 0 }],
      (p) => w.topK(p[0], n, k, p[1], p[2], p[3], p[4])),
    // kvcache: scratch = 2048-word histogram + candidate indices and values (2n words).
    topKSelect: (x, n, k, out) => call(
      [{ a: x, length: n }, { a: out, length: k, out: true, in: false }, { a: null, length: 2048 + 2 * n }],
      (p) => w.topKSelect(p[0], n, k, p[1], p[2])),
    // kvcache: topKSelect row by row, at byte offsets r·n·4 and r·k·4 (one copy in/out for all rows).
    topKSelectRows: (x, rows, n, k, out) => call(
      [{ a: x, length: rows * n }, { a: out, length: rows * k, out: true, in: false }, { a: null, length: 2048 + 2 * n }],
      (p) => { for (let r = 0; r < rows; r++) w.topKSelect(p[0] + r * n * 4, n, k, p[1] + r * k * 4, p[2]); }),
    lutGather: (table, tableSize, codes, n, out) => call( // kvcache
      [{ a: table, length: tableSize }, { a: codes, length: n }, { a: out, length: n, out: true, in: false }],
      (p) => {
        const bad = w.lutGather(p[0], tableSize, p[1], n, p[2]);
        if (bad > 0) throw badArgument(`codes holds ${bad} value(s) outside [0, ${tableSize})`);
      }),
    selectiveAttention: (q, K, V, idx, count, rows, d, stride, scale, out) => { // kvcache
      const span = rows === 0 ? 0 : (rows - 1) * stride + d;
      return call(
        [{ a: q, length: d }, { a: K, length: span }, { a: V, length: span }, { a: idx, length: count },
          { a: out, length: d, out: true, in: false }, { a: null, length: count }],
        (p) => w.selectiveAttention(p[0], p[1], p[2], p[3], count, d, stride, scale, p[4], p[5]));
    },
    // llama / kvcache: selectiveAttention head by head at byte offsets h·d·4 (q, out) and g·d·4 (K, V);
    // one copy in/out for all heads, the same per-head arithmetic as selectiveAttention.
    selectiveAttentionHeads: (q, K, V, idx, count, rows, d, stride, nHeads, group, scale, out, lse) => {
      const nKv = Math.ceil(nHeads / group);
      const span = rows === 0 || nHeads === 0 ? 0 : (rows - 1) * stride + nKv * d;
      call(
        [{ a: q, length: nHeads * d }, { a: K, length: span }, { a: V, length: span }, { a: idx, length: count },
          { a: out, length: nHeads * d, out: true, in: false }, { a: lse, length: nHeads, out: true, in: false },
          { a: null, length: count }],
        (p) => {
          const l = new Float32Array(heap.buffer, p[5], nHeads); // no allocation below: the view stays attached
          for (let h = 0; h < nHeads; h++) {
            const g = Math.floor(h / group) * d * 4;
            l[h] = w.selectiveAttention(p[0] + h * d * 4, p[1] + g, p[2] + g, p[3], count, d, stride, scale,
              p[4] + h * d * 4, p[6]);
          }
        });
    },
    causalAttention: (Q, K, V, pos0, n, d, stride, nHeads, group, scale, out, scratch) => { // llama prefill
      const rows = n * nHeads * d;
      const span = (pos0 + n - 1) * stride + (nHeads / group) * d;
      call(
        [{ a: Q, length: rows }, { a: K, length: span }, { a: V, length: span }, { a: out, length: rows, out: true, in: false },
          { a: scratch, length: causalAttentionScratchLength(n, nHeads), out: true, in: false }],
        (p) => w.causalAttention(p[0], p[1], p[2], pos0, n, d, stride, nHeads, group, scale, p[3], p[4]));
    },
    softmax: (x, out, n) => call(
      [{ a: x, length: n }, { a: out, length: n, out: true, in: false }],
      (p) => w.softmax(p[0], p[1], n)),
    rmsnorm: (x, wt, out, n, eps) => call(
      [{ a: x, length: n }, { a: wt, length: n }, { a: out, length: n, out: true, in: false }],
      (p) => w.rmsnorm(p[0], p[1], p[2], n, eps)),
    rope: (x, nHeads, headDim, pos, base, pairing: RopePairing) => call(
      [{ a: x, length: nHeads * headDim, out: true }],
      (p) => w.rope(p[0], nHeads, headDim, pos, base, pairing === 'half' ? 1 : 0)),
    swiglu: (gate, up, n) => call(
      [{ a: gate, length: n, out: true }, { a: up, length: n }],
      (p) => w.swiglu(p[0], p[1], n)),
    // llama: one decoder layer per call; resident operands (the model's) go by pointer, no copies.
    decoderLayer: (x, W, keys, keysPre, values, scratch, pos, s) => {
      const half = s.ropePairing === 'half' ? 1 : 0;
      const b = heap.buffer;
      if (x.buffer === b && W.buffer === b && keys.buffer === b && keysPre.buffer === b && values.buffer === b
        && scratch.buffer === b) { // all resident (a model's step): straight to WebAssembly
        w.decoderLayer(x.byteOffset, W.byteOffset, keys.byteOffset, keysPre.byteOffset, values.byteOffset,
          scratch.byteOffset, pos, s.dim, s.hiddenDim, s.nHeads, s.nKvHeads, s.normEps, s.ropeBase, half);
        return;
      }
      const rows = (pos + 1) * (s.dim / s.nHeads) * s.nKvHeads;
      call(
        [{ a: x, length: s.dim, out: true }, { a: W, length: decoderLayerWeightLength(s) },
          { a: keys, length: rows, out: true }, { a: keysPre, length: rows, out: true }, { a: values, length: rows, out: true },
          { a: scratch, length: decoderLayerScratchLength(s, pos + 1), out: true, in: false }],
        (p) => w.decoderLayer(p[0], p[1], p[2], p[3], p[4], p[5], pos, s.dim, s.hiddenDim, s.nHeads, s.nKvHeads,
          s.normEps, s.ropeBase, half));
    },
    // knots: Float64 arrays travel as their bits through Int32 views (marshal copies Int32 words).
    bsplineBasis: (x, n, t, nt, degree, first, values) => call(
      [f64Arg(x, n), f64Arg(t, nt), { a: first, length: n, out: true, in: false }, { ...f64Arg(values, n * (degree + 1)), out: true, in: false }],
      (p) => w.bsplineBasis(p[0], n, p[1], nt, degree, p[2], p[3])),
    bandedGram: (first, values, n, width, weights, z, p, band, btz) => call( // knots
      [{ a: first, length: n }, f64Arg(values, n * width), weights === null ? { a: null, length: 2 } : f64Arg(weights, n), f64Arg(z, n),
        { ...f64Arg(band, p * width), out: true, in: false }, { ...f64Arg(btz, p), out: true, in: false }],
      (q) => w.bandedGram(q[0], q[1], n, width, q[2], weights === null ? 0 : 1, q[3], p, q[4], q[5])),
  };
  return { fns, native: Object.keys(fns) as KernelName[] };
}
