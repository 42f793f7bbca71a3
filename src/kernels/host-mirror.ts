/**
 * A buffer that an algorithm both works on in JavaScript and hands to kernels, on every backend.
 *
 * - On a CPU backend it is one resident array: `host()` and `arg()` are the same view (zero
 *   copies), `push()` does nothing and `pull()` finishes at once. So is it behind the CPU
 *   backends' async adapter (its device arrays have an in-place `view()` as well).
 * - On a GPU it is a device array plus a host copy: `push()` uploads the host copy (ordered
 *   after every kernel call issued before it), and `await pull()` waits for every earlier call
 *   and refreshes the host copy.
 *
 * So one async function serves all: write on the host, `push()`, call kernels on `arg()`,
 * `await pull()`, read on the host.
 *
 * @example
 * const C = mirrorF32(kernels, k * d);
 * C.host().set(init); C.push();
 * await kernels.argminL2(X.arg(), C.arg(), codes.arg(), dist.arg(), n, k, d);
 * await codes.pull();
 * const c = codes.host();                   // the codes, on either kind of kernels
 */
import type { Kernels } from './kernels.js';
import type { DeviceArray, ResidentArray } from './device-array.js';
import { isCpuKernels } from './check-kernels.js';
import { disposeSymbol, type SyncDisposable } from '../core/dispose.js';

export interface HostMirror<T extends Float32Array | Int32Array> extends SyncDisposable {
  readonly length: number;
  /**
   * The host copy. On synchronous kernels this is the resident view itself: take it again
   * after any allocation on the same backend (WASM memory growth detaches old views).
   */
  host(): T;
  /** The kernel argument: the resident view, or the device array. */
  arg(): T | DeviceArray<T>;
  /** Make host writes visible to the kernels called after this (uploads on async kernels). */
  push(): void;
  /** Wait for the kernels called before this and refresh the host copy (GPU). */
  pull(): Promise<void>;
  dispose(): void;
}

const RESOLVED = Promise.resolve();

/** A device array addressable in place (a CPU backend's, also behind the async adapter), or null. */
function residentOf<T extends Float32Array | Int32Array>(a: DeviceArray<T>): ResidentArray<T> | null {
  return typeof (a as Partial<ResidentArray<T>>).view === 'function' ? (a as ResidentArray<T>) : null;
}

class ResidentMirror<T extends Float32Array | Int32Array> implements HostMirror<T> {
  constructor(private readonly r: ResidentArray<T>) {}
  get length(): number { return this.r.length; }
  host(): T { return this.r.view(); }
  arg(): T { return this.r.view(); }
  push(): void {}
  pull(): Promise<void> { return RESOLVED; }
  dispose(): void { this.r.dispose(); }
  [disposeSymbol](): void { this.dispose(); }
}

class DeviceMirror<T extends Float32Array | Int32Array> implements HostMirror<T> {
  constructor(private readonly d: DeviceArray<T>, private readonly h: T) {}
  get length(): number { return this.d.length; }
  host(): T { return this.h; }
  arg(): DeviceArray<T> { return this.d; }
  push(): void { this.d.write(this.h); }
  async pull(): Promise<void> { this.h.set(await this.d.read()); }
  dispose(): void { this.d.dispose(); }
  [disposeSymbol](): void { this.dispose(); }
}

/** A Float32 mirror of `length` elements (contents unspecified until written and pushed). */
export function mirrorF32(kernels: Kernels, length: number): HostMirror<Float32Array> {
  if (isCpuKernels(kernels)) return new ResidentMirror(kernels.allocF32(length));
  const a = kernels.allocF32(length), r = residentOf(a);
  return r ? new ResidentMirror(r) : new DeviceMirror(a, new Float32Array(length));
}

/** An Int32 mirror of `length` elements (contents unspecified until written and pushed). */
export function mirrorI32(kernels: Kernels, length: number): HostMirror<Int32Array> {
  if (isCpuKernels(kernels)) return new ResidentMirror(kernels.allocI32(length));
  const a = kernels.allocI32(length), r = residentOf(a);
  return r ? new ResidentMirror(r) : new DeviceMirror(a, new Int32Array(length));
}
