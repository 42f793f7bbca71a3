/**
 * AsyncKernels: the Kernels names, asynchronous. GPU work completes later than the call that
 * issues it (WebGPU has no synchronous read-back), so the webgpu backend cannot implement the
 * synchronous `Kernels` interface; it implements this one instead, and every CPU backend gets
 * a trivial adapter (`toAsyncKernels`), so code written against AsyncKernels runs everywhere.
 *
 * Differences from `Kernels`, and nothing else:
 * - Each kernel returns a Promise of what the synchronous kernel returns. The promise resolves
 *   once the outputs are written (host arrays filled, device arrays updated); a rejected
 *   promise carries the same SparseInferenceError the synchronous kernel would throw.
 * - Array arguments may be plain typed arrays (uploaded per call, outputs copied back) or
 *   `DeviceArray`s from `allocF32`/`allocI32`, which stay in the backend's memory (GPU
 *   buffers for webgpu, WASM memory for wasm): weights, codes and KV caches are uploaded
 *   once, and one kernel's device-array output can feed the next kernel without a read-back
 *   (e.g. lutGather → topKSelect).
 * - A caller must not touch a host array passed to a call until that call's promise settles.
 *
 * Calls issued in the same turn of the event loop (before the first `await`) are encoded
 * into one GPU submission by the webgpu backend: issue independent calls together
 * (`Promise.all([...])`) rather than awaiting each in turn.
 *
 * @example
 * const k = await createAsyncKernels({ backend: 'auto', preferGpu: true });
 * const W = k.allocF32(rows * cols); W.write(weights);        // resident: uploaded once
 * const y = new Float32Array(rows);
 * await k.gemv(W, x, y, rows, cols);                          // y now holds W·x
 */
import { describe } from '../core/validate.js';
import { checkKernels } from './check-kernels.js';
import { perKernel } from './reference/index.js';
import { outputPositions } from './define-kernel.js';
import type { BackendName, KernelFunctions, KernelName, Kernels, ResidentArray } from './kernels.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { disposeSymbol, withDispose, type SyncDisposable } from '../core/dispose.js';

/**
 * An array that lives in a backend's memory (a GPU buffer for webgpu). `write` copies host
 * data in, `read` copies it out; kernels take it in place of a typed array.
 */
export interface DeviceArray<T extends Float32Array | Int32Array> extends SyncDisposable {
  /** 'f32' or 'i32'. */
  readonly dtype: T extends Float32Array ? 'f32' : 'i32';
  readonly length: number;
  /**
   * Copy `src` into elements [offset, offset + src.length). Ordered after every call issued
   * before it and before every call issued after it.
   */
  write(src: T, offset?: number): void;
  /** A copy of the contents, once every call issued before it has finished. */
  read(): Promise<T>;
  /**
   * Copy all of `src` (a device array of the same backend and dtype) into elements
   * [offset, offset + src.length), on the device. Ordered like a kernel call; `src` must not
   * overlap the destination range.
   */
  copyFrom(src: DeviceArray<T>, offset?: number): void;
  /** Elements [begin, end) as a DeviceArray sharing this one's memory (like TypedArray.subarray). */
  subarray(begin: number, end?: number): DeviceArray<T>;
  /** Release the memory (of the whole array, for a subarray); neither may be used afterwards. */
  dispose(): void;
}

/** A Float32 kernel argument: a host array or a device array. */
export type F32Arg = Float32Array | DeviceArray<Float32Array>;
/** An Int32 kernel argument: a host array or a device array. */
export type I32Arg = Int32Array | DeviceArray<Int32Array>;

type AsyncParam<P> = P extends Float32Array ? F32Arg : P extends Int32Array ? I32Arg : P;
type AsyncParams<A extends unknown[]> = { [I in keyof A]: AsyncParam<A[I]> };
type Asyncify<F> = F extends (...args: infer A) => infer R ? (...args: AsyncParams<A>) => Promise<R> : never;

/** Every kernel of KernelFunctions (same names, same argument order), returning a Promise. */
export type AsyncKernelFunctions = { [K in keyof KernelFunctions]: Asyncify<KernelFunctions[K]> };

/** A complete asynchronous kernel set. */
export interface AsyncKernels extends AsyncKernelFunctions {
  /** Tells AsyncKernels from Kernels at run time (see isAsyncKernels). */
  readonly asynchronous: true;
  readonly backend: BackendName;
  /** 'gpu' for webgpu; the CPU build's variant ('js', 'simd', 'scalar') for the adapters. */
  readonly variant: string;
  /** Kernels the backend runs natively (webgpu: on the GPU; the rest run on its CPU fallback). */
  readonly native: readonly KernelName[];
  /** Where the kernels run, for reports: e.g. 'wasm (simd)' or the GPU adapter's name. */
  readonly device: string;
  allocF32(length: number): DeviceArray<Float32Array>;
  allocI32(length: number): DeviceArray<Int32Array>;
}

/**
 * Which parameters each kernel writes (indices into its argument list, from the descriptors): a
 * device array in one of these positions is written back after a CPU fallback runs on a host copy.
 */
export const KERNEL_OUTPUTS: Readonly<Record<KernelName, readonly number[]>> = perKernel(outputPositions);

/**
 * True for asynchronous kernels (code that accepts either kind branches on this).
 * @example
 * const X = isAsyncKernels(kernels) ? kernels.allocF32(n * d) : null; // upload once for the GPU
 */
export function isAsyncKernels(k: Kernels | AsyncKernels): k is AsyncKernels {
  // A type guard answers false for anything else, null and undefined included.
  return typeof k === 'object' && k !== null && (k as Partial<AsyncKernels>).asynchronous === true;
}

/**
 * A ResidentArray over a plain host array: lets code written against `ResidentArray.view()`
 * keep its host-side arrays when it runs on asynchronous kernels (which take host arrays).
 * @example
 * const C = isAsyncKernels(kernels) ? hostResident(new Float32Array(kc * d)) : kernels.allocF32(kc * d);
 */
export function hostResident<T extends Float32Array | Int32Array>(a: T): ResidentArray<T> {
  if (!(a instanceof Float32Array) && !(a instanceof Int32Array)) throw badArgument(`a must be a Float32Array or an Int32Array, got ${describe(a)}`);
  return withDispose({ length: a.length, view: () => a, dispose: () => {} });
}

/** True for a DeviceArray (of any backend). */
export function isDeviceArray(a: unknown): a is DeviceArray<Float32Array | Int32Array> {
  return typeof a === 'object' && a !== null && !ArrayBuffer.isView(a)
    && typeof (a as { read?: unknown }).read === 'function' && typeof (a as { write?: unknown }).write === 'function';
}

/** Checks the element range of subarray/write; shared by every DeviceArray implementation. */
export function checkRange(what: string, begin: number, end: number, length: number): void {
  checkInt(`${what} begin`, begin, 0, length);
  checkInt(`${what} end`, end, begin, length);
}

/** A DeviceArray over a CPU backend's resident view (wasm memory or a plain array). */
class CpuDeviceArray<T extends Float32Array | Int32Array> implements DeviceArray<T> {
  constructor(
    private readonly view0: () => T, private readonly release: () => void,
    readonly dtype: T extends Float32Array ? 'f32' : 'i32',
    private readonly begin: number, readonly length: number,
  ) {}

  /** The elements in place (valid until the next allocation on the same backend). */
  view(): T {
    return this.view0().subarray(this.begin, this.begin + this.length) as T;
  }

  write(src: T, offset = 0): void {
    if (!(src instanceof (this.dtype === 'f32' ? Float32Array : Int32Array))) {
      throw badArgument(`src must be ${this.dtype === 'f32' ? 'a Float32Array' : 'an Int32Array'}`);
    }
    checkRange('write', offset, offset + src.length, this.length);
    this.view().set(src, offset);
  }

  read(): Promise<T> {
    return Promise.resolve(this.view().slice() as T);
  }

  copyFrom(src: DeviceArray<T>, offset = 0): void {
    if (!(src instanceof CpuDeviceArray) || src.dtype !== this.dtype) {
      throw badArgument(`src must be a ${this.dtype} device array of the same backend`);
    }
    checkRange('copyFrom', offset, offset + src.length, this.length);
    const at = this.begin + offset;
    if (src.view0 === this.view0 && src.begin < at + src.length && at < src.begin + src.length) {
      throw badArgument('src must not overlap the destination range');
    }
    this.view().set(src.view(), offset);
  }

  subarray(begin: number, end = this.length): DeviceArray<T> {
    checkRange('subarray', begin, end, this.length);
    return new CpuDeviceArray<T>(this.view0, this.release, this.dtype, this.begin + begin, end - begin);
  }

  dispose(): void {
    this.release();
  }

  [disposeSymbol](): void { this.dispose(); }
}

/** Replace every device-array argument by its in-place view (CPU backends). */
function hostArgs(args: unknown[]): unknown[] {
  return args.map((a) => (a instanceof CpuDeviceArray ? a.view() : a));
}

/**
 * The trivial async adapter for a CPU backend: each kernel runs synchronously on `kernels`
 * and its result is returned as a resolved promise (errors as a rejected one). Device arrays
 * are the backend's resident arrays, so wasm kernels read them in place.
 *
 * @example
 * const k = toAsyncKernels(await createKernels({ backend: 'wasm' }));
 * const n = await k.spvmm(x, W, y, rows, cols);
 */
export function toAsyncKernels(kernels: Kernels): AsyncKernels {
  checkKernels('kernels', kernels);
  if (isAsyncKernels(kernels)) throw badArgument('kernels are already asynchronous');
  const fns = {} as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of Object.keys(KERNEL_OUTPUTS) as KernelName[]) {
    const f = kernels[name] as (...args: unknown[]) => unknown;
    fns[name] = (...args: unknown[]) => {
      try {
        return Promise.resolve(f.apply(kernels, hostArgs(args)));
      } catch (e) {
        return Promise.reject(e);
      }
    };
  }
  return {
    ...(fns as unknown as AsyncKernelFunctions),
    asynchronous: true,
    backend: kernels.backend,
    variant: kernels.variant,
    native: kernels.native,
    device: kernels.backend === 'wasm' ? `wasm (${kernels.variant})` : `${kernels.backend} (${kernels.variant})`,
    allocF32(length: number) {
      const r = kernels.allocF32(length);
      return new CpuDeviceArray<Float32Array>(() => r.view(), () => r.dispose(), 'f32', 0, r.length);
    },
    allocI32(length: number) {
      const r = kernels.allocI32(length);
      return new CpuDeviceArray<Int32Array>(() => r.view(), () => r.dispose(), 'i32', 0, r.length);
    },
  };
}

/** Thrown by code that needs synchronous kernels when it is handed asynchronous ones. */
export function needsSyncKernels(what: string): SparseInferenceError {
  return new SparseInferenceError('UNAVAILABLE',
    `${what} needs synchronous kernels; run it through its async entry point to use an asynchronous backend`);
}
