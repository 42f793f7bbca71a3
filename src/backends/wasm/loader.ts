/**
 * Loads the embedded AssemblyScript kernels: the SIMD build when the runtime validates it,
 * else the scalar build. Bytes come from the generated binary.ts, so no file paths or fetch
 * configuration are needed in Node, Deno or browsers.
 */
import { SparseInferenceError } from '../../core/errors.js';
import { SIMD_WASM_BASE64, SCALAR_WASM_BASE64 } from './binary.js';

/** The raw exports of assembly/index.ts (pointers are byte offsets into `memory`). */
export interface WasmExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number): void;
  simdEnabled(): number;
  // The exports bound by hand (backends/wasm/kernels.ts); the others are bound from the kernel
  // descriptors by name, with the kernel's own parameters (arrays as pointers).
  topKSelect(x: number, n: number, k: number, out: number, scratch: number): void; // kvcache
  lutGather(table: number, tableSize: number, codes: number, n: number, out: number): number; // kvcache
  selectiveAttention(q: number, K: number, V: number, idx: number, count: number, d: number, stride: number,
    scale: number, out: number, scores: number): number; // kvcache
  bandedGram(first: number, values: number, n: number, width: number, weights: number, hasWeights: number, // knots
    z: number, p: number, band: number, btz: number): number;
  decoderLayer(x: number, W: number, keys: number, keysPre: number, values: number, scratch: number, pos: number,
    dim: number, hiddenDim: number, nHeads: number, nKvHeads: number, eps: number, ropeBase: number, half: number): void; // llama
  /** ldy: Y's row stride in floats (rows, or more when a thread computes a slice of rows); scratch: (cols/32)·72 words. */
  gemmQ4_1Q8_1(W: number, Xq: number, Y: number, rows: number, cols: number, n: number, ldy: number, scratch: number): void;
  gemmQ8_0Q8_1(W: number, Xq: number, Y: number, rows: number, cols: number, n: number, ldy: number, scratch: number): void;
  /** The shared-memory build only (threads: argminL2's centroid norms, once per call). */
  rowNorms(C: number, norms: number, k: number, d: number): void;
  axpy(a: number, x: number, y: number, n: number): void;
  /** Every other export, by name. */
  [name: string]: unknown;
}

/** The exports bound by hand (see WasmExports), which a build must have; kernels are looked up by name. */
const HAND_BOUND_EXPORTS = ['alloc', 'free', 'simdEnabled', 'topKSelect', 'lutGather', 'selectiveAttention', 'bandedGram',
  'decoderLayer', 'gemmQ4_1Q8_1', 'gemmQ8_0Q8_1', 'axpy'] as const;

/** Every export WasmExports names is there: the memory and the functions bound by hand (and `also`). */
function isWasmExports(e: Record<string, unknown>, also: readonly string[]): e is WasmExports {
  return e.memory instanceof WebAssembly.Memory && [...HAND_BOUND_EXPORTS, ...also].every((name) => typeof e[name] === 'function');
}

/**
 * An instance's exports, checked to be WasmExports. `memory` is the imported memory of a build
 * that does not export its own (the shared-memory build); `also` names further exports the caller
 * binds (the shared build's rowNorms).
 */
export function wasmExports(exports: WebAssembly.Exports, memory?: WebAssembly.Memory, also: readonly string[] = []): WasmExports {
  const e: Record<string, unknown> = memory === undefined ? { ...exports } : { ...exports, memory };
  if (!isWasmExports(e, also)) {
    const missing = ['memory', ...HAND_BOUND_EXPORTS, ...also].filter((n) => (n === 'memory' ? !(e.memory instanceof WebAssembly.Memory) : typeof e[n] !== 'function'));
    throw new SparseInferenceError('UNAVAILABLE', `wasm build lacks the export(s) ${missing.join(', ')}: rebuild with npm run build:wasm`);
  }
  return e;
}

export type WasmVariant = 'simd' | 'scalar';

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** What this runtime can run; cheap, synchronous, no instantiation. */
export function wasmSupport(): { wasm: boolean; simd: boolean; relaxedSimd: boolean } {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') {
    return { wasm: false, simd: false, relaxedSimd: false };
  }
  return {
    wasm: WebAssembly.validate(decodeBase64(SCALAR_WASM_BASE64)),
    simd: WebAssembly.validate(decodeBase64(SIMD_WASM_BASE64)),
    relaxedSimd: WebAssembly.validate(RELAXED_SIMD_PROBE),
  };
}

// A minimal module using f32x4.relaxed_madd: (func (result v128) v128.const 0 ×3 relaxed_madd).
const RELAXED_SIMD_PROBE: Uint8Array<ArrayBuffer> = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 60, 1, 58, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 133, 2, 11,
]);

/** Instantiate the best build this runtime accepts (or the one asked for). */
export async function loadWasm(prefer?: WasmVariant): Promise<{ exports: WasmExports; variant: WasmVariant }> {
  const support = wasmSupport();
  if (!support.wasm) {
    throw new SparseInferenceError('UNAVAILABLE', 'wasm backend unavailable: this runtime has no WebAssembly');
  }
  const variant: WasmVariant = prefer ?? (support.simd ? 'simd' : 'scalar');
  if (variant === 'simd' && !support.simd) {
    throw new SparseInferenceError('UNAVAILABLE', 'wasm SIMD build rejected by WebAssembly.validate in this runtime');
  }
  const bytes = decodeBase64(variant === 'simd' ? SIMD_WASM_BASE64 : SCALAR_WASM_BASE64);
  const imports = {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new SparseInferenceError('BAD_ARGUMENT', `wasm kernel aborted at ${line}:${col}`);
      },
    },
  };
  // Plain WebAssembly.instantiate: the kernels use the minimal runtime and pass data through
  // their own alloc/free, so nothing from @assemblyscript/loader's managed-object helpers is
  // needed, and the package keeps zero runtime dependencies (Deno and browsers import it by path).
  const { instance } = await WebAssembly.instantiate(bytes, imports);
  return { exports: wasmExports(instance.exports), variant };
}
