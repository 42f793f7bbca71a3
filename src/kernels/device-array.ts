/**
 * DeviceArray: an array that lives in a backend's memory — WASM linear memory for the wasm and
 * threads backends, a plain typed array for the reference backend, a GPU buffer for webgpu.
 * Kernels of every backend take it in place of a typed array and read or write it where it lies,
 * so long-lived data (weights, KV caches, codebooks, codes) is uploaded once and one kernel's
 * output can feed the next without a copy.
 *
 * CPU backends give `ResidentArray`s: DeviceArrays that also expose their elements in place
 * (`view()`), typed through `CpuKernels` (kernels.ts).
 */
import { checkInt } from '../core/validate.js';
import type { SyncDisposable } from '../core/dispose.js';

/** Element types of device arrays (Float64 only on CPU backends: the knot kernels). */
export type DeviceElements = Float32Array | Int32Array | Float64Array;

/** The dtype tag of an element type. */
export type DtypeOf<T extends DeviceElements> = T extends Float32Array ? 'f32' : T extends Int32Array ? 'i32' : 'f64';

export interface DeviceArray<T extends DeviceElements> extends SyncDisposable {
  /** 'f32', 'i32' (or 'f64' on CPU backends). */
  readonly dtype: DtypeOf<T>;
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
  /**
   * Release the memory (of the whole array, for a subarray; also on `using`). Idempotent.
   * Neither may be used afterwards.
   */
  dispose(): void;
}

/**
 * A CPU backend's device array: its elements are host memory the kernels read in place.
 * `view()` is cheap; call it again after any allocation on the same backend, because growing
 * WASM memory detaches earlier views.
 */
export interface ResidentArray<T extends DeviceElements> extends DeviceArray<T> {
  /** The elements in place; throws SparseInferenceError after dispose(). */
  view(): T;
  subarray(begin: number, end?: number): ResidentArray<T>;
}

/** A Float32 kernel argument: a host array or a device array. */
export type F32Arg = Float32Array | DeviceArray<Float32Array>;
/** An Int32 kernel argument: a host array or a device array. */
export type I32Arg = Int32Array | DeviceArray<Int32Array>;

/** True for a DeviceArray (of any backend). */
export function isDeviceArray(a: unknown): a is DeviceArray<DeviceElements> {
  return typeof a === 'object' && a !== null && !ArrayBuffer.isView(a)
    && typeof (a as { read?: unknown }).read === 'function' && typeof (a as { write?: unknown }).write === 'function';
}

/** Checks the element range of subarray/write; shared by every DeviceArray implementation. */
export function checkRange(what: string, begin: number, end: number, length: number): void {
  checkInt(`${what} begin`, begin, 0, length);
  checkInt(`${what} end`, end, begin, length);
}
