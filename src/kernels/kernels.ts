/**
 * The Kernels interface: every hot loop in the library goes through one of these
 * functions. Algorithms (kvcache, activations, knots, llama) call only this
 * interface; every backend (reference TS, wasm SIMD, threads, webgpu) implements it.
 *
 * `KernelFunctions` below is the registry's signature of each kernel (its reference function),
 * on typed arrays, returning its result at once. From it:
 * `Kernels` (every backend: arrays may be device arrays, results `Awaitable`) and `CpuKernels`
 * (CPU backends: results at once).
 *
 * Conventions (faiss-style):
 * - Flat typed arrays plus explicit sizes; outputs are caller-supplied and never
 *   allocated by the kernel. Arrays may be longer than the sizes say; only the
 *   leading elements are read or written.
 * - Matrices are row-major. Sizes are documented at each signature.
 * - Kernels check shapes in O(1) (the checked wrapper in ./checked.ts); they do
 *   not scan data for NaN — algorithms validate data at their public entry.
 * - Outputs must not alias inputs unless the signature says "may alias".
 */
import type { DeviceArray, F32Arg, I32Arg, ResidentArray } from './device-array.js';
import type { Awaitable } from '../core/awaitable.js';
import type { KERNELS } from './reference/index.js';

/** The registry's type: one descriptor per kernel name. */
type KernelRegistry = typeof KERNELS;

/** Which backend produced a Kernels object. */
export type BackendName = 'reference' | 'wasm' | 'webgpu';

/** RoPE pairing: llama2.c rotates adjacent pairs (2t, 2t+1); Hugging Face rotates (t, t + d/2). */
export type RopePairing = 'adjacent' | 'half';

export type { DeviceArray, ResidentArray, F32Arg, I32Arg } from './device-array.js';

/** Shape of one Llama decoder layer (see `decoderLayer`). headDim = dim / nHeads (even). */
export interface DecoderLayerShape {
  dim: number;
  hiddenDim: number;
  nHeads: number;
  /** Divides nHeads (grouped-query attention). */
  nKvHeads: number;
  normEps: number;
  ropeBase: number;
  ropePairing: RopePairing;
}

/** A kernel's name. */
export type KernelName = keyof KernelFunctions;

/** Names of every kernel in the interface, in registry order (describeBackends, the test harness). */
export { KERNEL_NAMES } from './reference/index.js';

/**
 * Every kernel's signature, on typed arrays, returning its result at once: derived from the
 * registry (each kernel's reference function, documented in src/kernels/reference/<kernel>.ts),
 * so a kernel is declared in one place. A backend may implement a subset and inherit the rest
 * from the reference.
 */
export type KernelFunctions = { -readonly [K in keyof KernelRegistry]: KernelRegistry[K]['reference'] };

export type { Awaitable } from '../core/awaitable.js';

/** A kernel parameter as every backend accepts it: typed arrays may also be device arrays. */
type KernelParam<P> = P extends Float32Array ? F32Arg : P extends Int32Array ? I32Arg : P;
type KernelParams<A extends unknown[]> = { [I in keyof A]: KernelParam<A[I]> };
type Issued<F> = F extends (...args: infer A) => infer R ? (...args: KernelParams<A>) => Awaitable<R> : never;
type Immediate<F> = F extends (...args: infer A) => infer R ? (...args: KernelParams<A>) => R : never;

/** Every kernel of KernelFunctions (same names, same argument order), as Kernels offers it. */
export type KernelMethods = { [K in KernelName]: Issued<KernelFunctions[K]> };
/** Every kernel returning its result at once: the CPU backends' methods. */
export type CpuKernelMethods = { [K in KernelName]: Immediate<KernelFunctions[K]> };

/** Provenance shared by every kernel set. */
interface KernelProvenance {
  /** The backend these kernels came from. */
  readonly backend: BackendName;
  /** Build variant: 'js' for reference, 'simd', 'scalar' or 'simd-shared' for wasm, 'gpu' for webgpu. */
  readonly variant: string;
  /** Kernels this backend implements natively (the others fall back to its CPU kernels). */
  readonly native: readonly KernelName[];
  /** Where the kernels run, for reports: e.g. 'wasm (simd)' or the GPU adapter's name. */
  readonly device: string;
}

/**
 * The one kernel interface, for every backend (reference, wasm, threads, webgpu). Each kernel
 * issues its work and returns `Awaitable<R>`: CPU backends do the work at once and return R;
 * webgpu queues it and returns a Promise that resolves once the outputs are written (a rejected
 * one carries the same SparseInferenceError a CPU backend would throw). Algorithms are plain
 * `async` functions that `await` each result they need (on a CPU backend that is a microtask).
 *
 * Array arguments are host typed arrays or DeviceArrays from `allocF32`/`allocI32` of the same
 * backend. A caller must not touch a host array passed to a call until the call has settled.
 * Calls issued in the same turn of the event loop go into one GPU submission on webgpu: issue
 * independent calls together (`Promise.all`) rather than awaiting each in turn.
 *
 * @example
 * const k = await createKernels({ backend: ['webgpu', 'auto'] });
 * const W = k.allocF32(rows * cols); W.write(weights);        // resident: uploaded once
 * const y = new Float32Array(rows);
 * await k.gemv(W, x, y, rows, cols);                          // y now holds W·x
 */
export interface Kernels extends KernelMethods, KernelProvenance {
  /** True for CPU kernels, whose methods return their results at once (see isCpuKernels). */
  readonly cpu: boolean;
  /** A Float32 array in the backend's memory (kernels read and write it in place). */
  allocF32(length: number): DeviceArray<Float32Array>;
  /** An Int32 array in the backend's memory. */
  allocI32(length: number): DeviceArray<Int32Array>;
}

/**
 * Kernels whose methods return their results at once, derived from the same registry: the CPU
 * backends (reference, wasm, threads). Code that is CPU-only by nature and needs synchronous
 * results in a hot loop (the knot sampler) takes CpuKernels; everything else takes Kernels.
 * Their device arrays are ResidentArrays, whose `view()` is the elements in place.
 */
export interface CpuKernels extends CpuKernelMethods, KernelProvenance {
  readonly cpu: true;
  allocF32(length: number): ResidentArray<Float32Array>;
  allocI32(length: number): ResidentArray<Int32Array>;
  /**
   * A Float64 array the backend reads without copying (the knot kernels' arguments). Optional:
   * a backend without it is given plain Float64Arrays, which it copies per call.
   */
  allocF64?(length: number): ResidentArray<Float64Array>;
}
