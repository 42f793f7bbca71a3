/**
 * A buffer that an algorithm both works on in JavaScript and hands to kernels, on synchronous
 * or asynchronous kernels alike (the companion of ./maybe-async.ts).
 *
 * - On synchronous `Kernels` it is one resident array: `host()` and `arg()` are the same view
 *   (zero copies), `push()` does nothing and `pull()` finishes at once.
 * - On `AsyncKernels` it is a device array plus a host copy: `push()` uploads the host copy
 *   (ordered after every kernel call issued before it), and `yield* pull()` waits for every
 *   earlier call and refreshes the host copy.
 *
 * So one algorithm body serves both: write on the host, `push()`, call kernels on `arg()`,
 * `yield* pull()`, read on the host.
 *
 * @example
 * const C = mirrorF32(kernels, k * d);
 * C.host().set(init); C.push();
 * yield* settle(kernels.argminL2(X.arg(), C.arg(), codes.arg(), dist.arg(), n, k, d));
 * yield* codes.pull();
 * const c = codes.host();                   // the codes, on either kind of kernels
 */
import type { Kernels } from './kernels.js';
import type { DeviceArray, ResidentArray } from './device-array.js';
import { isCpuKernels } from './check-kernels.js';
import { settle, type Step } from './maybe-async.js';
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
  /** Wait for the kernels called before this and refresh the host copy (async kernels). */
  pull(): Generator<Step, void, unknown>;
  dispose(): void;
}

class ResidentMirror<T extends Float32Array | Int32Array> implements HostMirror<T> {
  constructor(private readonly r: ResidentArray<T>) {}
  get length(): number { return this.r.length; }
  host(): T { return this.r.view(); }
  arg(): T { return this.r.view(); }
  push(): void {}
  *pull(): Generator<Step, void, unknown> {}
  dispose(): void { this.r.dispose(); }
  [disposeSymbol](): void { this.dispose(); }
}

class DeviceMirror<T extends Float32Array | Int32Array> implements HostMirror<T> {
  constructor(private readonly d: DeviceArray<T>, private readonly h: T) {}
  get length(): number { return this.d.length; }
  host(): T { return this.h; }
  arg(): DeviceArray<T> { return this.d; }
  push(): void { this.d.write(this.h); }
  *pull(): Generator<Step, void, unknown> { this.h.set(yield* settle(this.d.read())); }
  dispose(): void { this.d.dispose(); }
  [disposeSymbol](): void { this.dispose(); }
}

/** A Float32 mirror of `length` elements (contents unspecified until written and pushed). */
export function mirrorF32(kernels: Kernels, length: number): HostMirror<Float32Array> {
  return isCpuKernels(kernels)
    ? new ResidentMirror(kernels.allocF32(length))
    : new DeviceMirror(kernels.allocF32(length), new Float32Array(length));
}

/** An Int32 mirror of `length` elements (contents unspecified until written and pushed). */
export function mirrorI32(kernels: Kernels, length: number): HostMirror<Int32Array> {
  return isCpuKernels(kernels)
    ? new ResidentMirror(kernels.allocI32(length))
    : new DeviceMirror(kernels.allocI32(length), new Int32Array(length));
}
