/**
 * The wasm backend: binds each AssemblyScript export to the Kernels signature. Arrays that
 * live in WASM memory (from allocF32/allocI32) are passed by pointer; others are copied
 * through the call scratch (correct, but 3–6x slower on small kernels — keep hot data resident).
 */
import type { KernelFunctions, KernelName, RopePairing } from '../../kernels/kernels.js';
import { type WasmExports } from './loader.js';
import { WasmHeap, marshal, type Arg } from './memory.js';

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
    axpy: (a, x, y, n) => call([{ a: x, length: n }, { a: y, length: n, out: true }], (p) => w.axpy(a, p[0], p[1], n)),
    gemv: (W, x, y, rows, cols) => call(
      [{ a: W, length: rows * cols }, { a: x, length: cols }, { a: y, length: rows, out: true, in: false }],
      (p) => w.gemv(p[0], p[1], p[2], rows, cols)),
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
    topK: (x, n, k, out) => call(
      [{ a: x, length: n }, { a: out, length: k, out: true, in: false }, { a: null, length: k }, { a: null, length: k }],
      (p) => w.topK(p[0], n, k, p[1], p[2], p[3])),
    softmax: (x, out, n) => call(
      [{ a: x, length: n }, { a: out, length: n, out: true, in: false }],
      (p) => w.softmax(p[0], p[1], n)),
    rmsnorm: (x, wt, out, n, eps) => call(
      [{ a: x, length: n }, { a: wt, length: n }, { a: out, length: n, out: true, in: false }],
      (p) => w.rmsnorm(p[0], p[1], p[2], n, eps)),
    rope: (x, nHeads, headDim, pos, base, pairing: RopePairing) => call(
      [{ a: x, length: nHeads * headDim, out: true }],
      (p) => w.rope(p[0], nHeads, headDim, pos, base, pairing === 'half' ? 1 : 0)),
  };
  return { fns, native: Object.keys(fns) as KernelName[] };
}
