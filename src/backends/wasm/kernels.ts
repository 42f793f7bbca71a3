/**
 * The wasm backend: binds each AssemblyScript export to its kernel. Arrays that live in WASM
 * memory (from allocF32/allocI32) are passed by pointer; others are copied through the call
 * scratch (correct, but 3–6x slower on small kernels — keep hot data resident).
 *
 * Most kernels need no code here: an export whose parameters are the kernel's own, arrays as
 * pointers, a choice as its index (rope's pairing: 'adjacent' 0, 'half' 1), then any scratch
 * listed in SCRATCH, is bound from the kernel's descriptor (which arrays it reads and writes, and
 * how long they are). Only the kernels whose export differs are written out in CUSTOM. A kernel
 * the build does not export (no function of its name in assembly/) runs on the reference.
 */
import type { KernelFunctions, KernelName } from '../../kernels/kernels.js';
import type { AnyKernelDescriptor } from '../../kernels/define-kernel.js';
import { KERNEL_DESCRIPTORS } from '../../kernels/reference/index.js';
import { type WasmExports } from './loader.js';
import { WasmHeap, marshal, type Arg } from './memory.js';
import { SparseInferenceError, badArgument } from '../../core/errors.js';
import { decoderLayerScratchLength, decoderLayerWeightLength } from '../../kernels/decoder-layer-layout.js'; // llama
import { quantizedRowWords } from '../../kernels/quantized-row-words.js';
import { q8ActivationWords } from '../../kernels/q8-activation-words.js';

type Typed = Float32Array | Float64Array | Int32Array;

/** A Float64Array argument as an Int32 view over the same bytes (marshal copies words). */
function f64Arg(a: Float64Array, length: number): Arg {
  return { a: new Int32Array(a.buffer, a.byteOffset, length * 2), length: length * 2 };
}

/**
 * Scratch the exports take after the kernel's own arguments (elements of 4 bytes each), from the
 * call's arguments; it lives in the call scratch.
 */
const SCRATCH: { [K in KernelName]?: (a: Parameters<KernelFunctions[K]>) => number[] } = {
  spvmm: ([, , , rows]) => [rows], // the compacted nonzero rows
  vmmsp: ([, , , , rows]) => [rows],
  gemmQ4_1: ([, , , , cols]) => [cols], // one decoded row
  gemmQ8_0: ([, , , , cols]) => [cols],
  l2sqrBatch: ([, , , , k]) => [k], // centroid norms
  argminL2: ([, , , , , k]) => [k],
  // two k-word heaps, and for n ≥ 16384 topKSelect's 2048 + 2n words
  topK: ([, n, k]) => [k, k, n >= 16384 ? 2048 + 2 * n : 0],
  topKSelect: ([, n]) => [2048 + 2 * n], // histogram + candidate indices and values
};

const NO_SCRATCH: readonly number[] = [];

/** A kernel bound from its descriptor (see the file comment). */
function derivedBinding(heap: WasmHeap, d: AnyKernelDescriptor, fn: (...a: unknown[]) => unknown,
  scratch: ((a: readonly unknown[]) => number[]) | undefined): (...a: unknown[]) => unknown {
  const arrays = d.args.flatMap((s, i) => (s.kind === 'array' ? [{ at: i, s }] : []));
  const choices = d.args.map((s) => (s.kind === 'choice' ? s.choices : null));
  const isArray = d.args.map((s) => s.kind === 'array');
  const arity = d.args.length;
  // An export with other parameters than the descriptor's (plus its scratch) would get its
  // arguments shifted: refuse it when the backend loads. The scratch functions only do arithmetic
  // on sizes, so all-zero arguments give their count.
  const expected = arity + (scratch?.(new Array<number>(arity).fill(0)).length ?? 0);
  if (fn.length !== expected) {
    throw new SparseInferenceError('UNAVAILABLE', `wasm export ${d.name} takes ${fn.length} parameters, but its descriptor and `
      + `scratch give ${expected}: bind it in CUSTOM or match the descriptor's arguments`);
  }
  /** The export's arguments: the kernel's, arrays as pointers, choices as indices, then scratch. */
  const exportArgs = (a: readonly unknown[], ptrs: number[], extra: number): unknown[] => {
    const call = new Array<unknown>(arity + extra);
    let p = 0;
    for (let i = 0; i < arity; i++) {
      const c = choices[i];
      call[i] = isArray[i] ? ptrs[p++] : c !== null ? c.indexOf(a[i] as string) : a[i];
    }
    for (let e = 0; e < extra; e++) call[arity + e] = ptrs[p++];
    return call;
  };
  const residentPtrs = new Array<number>(arrays.length);
  return (...a: unknown[]) => {
    // Every array resident and no scratch (a model's step): pointers in place, nothing to copy.
    if (scratch === undefined) {
      const buf = heap.buffer;
      let resident = true;
      for (let j = 0; j < arrays.length && resident; j++) {
        const v = a[arrays[j].at] as Typed | null;
        if (v === null || v.buffer !== buf) resident = false;
        else { heap.checkLive(v as Float32Array | Int32Array); residentPtrs[j] = v.byteOffset; }
      }
      if (resident) return fn.apply(undefined, exportArgs(a, residentPtrs, 0));
    }
    const args: Arg[] = [];
    for (let j = 0; j < arrays.length; j++) {
      const { at, s } = arrays[j];
      const v = a[at] as Typed, length = s.length(a);
      const arg: Arg = v instanceof Float64Array ? f64Arg(v, length) : { a: v as Float32Array | Int32Array, length };
      arg.out = s.role !== 'in';
      arg.in = s.role !== 'out';
      args.push(arg);
    }
    const extra = scratch === undefined ? NO_SCRATCH : scratch(a);
    for (let e = 0; e < extra.length; e++) args.push({ a: null, length: extra[e] });
    const { ptrs, finish } = marshal(heap, args);
    const result = fn.apply(undefined, exportArgs(a, ptrs, extra.length));
    finish();
    return result;
  };
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
  /** Kernels whose export takes other arguments than the kernel (loops, flags, return codes). */
  const CUSTOM: Partial<KernelFunctions> = {
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
    bandedGram: (first, values, n, width, weights, z, p, band, btz) => call( // knots
      [{ a: first, length: n }, f64Arg(values, n * width), weights === null ? { a: null, length: 2 } : f64Arg(weights, n), f64Arg(z, n),
        { ...f64Arg(band, p * width), out: true, in: false }, { ...f64Arg(btz, p), out: true, in: false }],
      (q) => w.bandedGram(q[0], q[1], n, width, q[2], weights === null ? 0 : 1, q[3], p, q[4], q[5])),
    // llama: int8 activations. Y's row stride (rows here), then scratch: four weight rows decoded
    // to int16 with their scales (288 bytes per 32 columns).
    gemmQ4_1Q8_1: (W, Xq, Y, rows, cols, n) => call(
      [{ a: W, length: rows * quantizedRowWords('Q4_1', cols) }, { a: Xq, length: n * q8ActivationWords(cols) },
        { a: Y, length: n * rows, out: true, in: false }, { a: null, length: (cols / 32) * 72 }],
      (p) => w.gemmQ4_1Q8_1(p[0], p[1], p[2], rows, cols, n, rows, p[3])),
    gemmQ8_0Q8_1: (W, Xq, Y, rows, cols, n) => call(
      [{ a: W, length: rows * quantizedRowWords('Q8_0', cols) }, { a: Xq, length: n * q8ActivationWords(cols) },
        { a: Y, length: n * rows, out: true, in: false }, { a: null, length: (cols / 32) * 72 }],
      (p) => w.gemmQ8_0Q8_1(p[0], p[1], p[2], rows, cols, n, rows, p[3])),
  };
  const fns: Record<string, unknown> = { ...CUSTOM };
  for (const d of KERNEL_DESCRIPTORS) {
    const fn = w[d.name];
    if (fns[d.name] !== undefined || typeof fn !== 'function') continue;
    fns[d.name] = derivedBinding(heap, d, fn as (...a: unknown[]) => unknown,
      SCRATCH[d.name] as ((a: readonly unknown[]) => number[]) | undefined);
  }
  return { fns: fns as Partial<KernelFunctions>, native: Object.keys(fns) as KernelName[] };
}
