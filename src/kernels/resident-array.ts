/**
 * The CPU backends' DeviceArray (reference, wasm, threads): a ResidentArray over memory the
 * backend owns. Every CPU backend's kernels accept it in place of a typed array: the checked
 * layer (checked.ts) swaps it for its view before the kernel runs, so the kernel reads and
 * writes the array where it lies.
 */
import { badArgument } from '../core/errors.js';
import { disposeSymbol } from '../core/dispose.js';
import { checkRange, type DeviceArray, type DeviceElements, type DtypeOf, type ResidentArray } from './device-array.js';

/** The memory behind a resident array: its whole view (rebuilt after growth) and its release. */
export interface ResidentSource<T extends DeviceElements> {
  /** The whole array's elements; throws after release. */
  view(): T;
  /** Free the memory (idempotent). */
  release(): void;
}

const CTORS = { f32: Float32Array, i32: Int32Array, f64: Float64Array } as const;
const NAMES = { f32: 'a Float32Array', i32: 'an Int32Array', f64: 'a Float64Array' } as const;

class CpuResidentArray<T extends DeviceElements> implements ResidentArray<T> {
  // The subarray view of the last whole view: view() allocates only when memory has moved.
  private lastWhole: T | null = null;
  private lastView: T | null = null;

  constructor(private readonly source: ResidentSource<T>, readonly dtype: DtypeOf<T>,
    private readonly begin: number, readonly length: number, private readonly whole: boolean) {}

  view(): T {
    const all = this.source.view();
    if (this.whole) return all;
    if (all !== this.lastWhole) {
      this.lastWhole = all;
      this.lastView = all.subarray(this.begin, this.begin + this.length) as T;
    }
    return this.lastView as T;
  }

  write(src: T, offset = 0): void {
    if (!(src instanceof CTORS[this.dtype])) throw badArgument(`src must be ${NAMES[this.dtype]}`);
    checkRange('write', offset, offset + src.length, this.length);
    (this.view() as Float32Array).set(src as Float32Array, offset);
  }

  read(): Promise<T> {
    try {
      return Promise.resolve(this.view().slice() as T);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  copyFrom(src: DeviceArray<T>, offset = 0): void {
    if (!(src instanceof CpuResidentArray) || src.dtype !== this.dtype) {
      throw badArgument(`src must be a ${this.dtype} device array of a CPU backend`);
    }
    checkRange('copyFrom', offset, offset + src.length, this.length);
    const at = this.begin + offset;
    if (src.source === this.source && src.begin < at + src.length && at < src.begin + src.length) {
      throw badArgument('src must not overlap the destination range');
    }
    (this.view() as Float32Array).set(src.view() as Float32Array, offset);
  }

  subarray(begin: number, end = this.length): ResidentArray<T> {
    checkRange('subarray', begin, end, this.length);
    return new CpuResidentArray<T>(this.source, this.dtype, this.begin + begin, end - begin, false);
  }

  dispose(): void {
    this.lastWhole = this.lastView = null;
    this.source.release();
  }

  [disposeSymbol](): void { this.dispose(); }
}

/** A resident array of `length` elements over `source` (backends only). */
export function residentArray<T extends DeviceElements>(dtype: DtypeOf<T>, length: number,
  source: ResidentSource<T>): ResidentArray<T> {
  return new CpuResidentArray<T>(source, dtype, 0, length, true);
}

/** True for a CPU backend's device array. */
export function isResidentArray(a: unknown): a is ResidentArray<DeviceElements> {
  return a instanceof CpuResidentArray;
}

/**
 * A resident array over a plain host array (the reference backend's memory): refuses use after
 * dispose(), like wasm memory does.
 */
export function hostResidentArray<T extends DeviceElements>(dtype: DtypeOf<T>, array: T): ResidentArray<T> {
  let live: T | null = array;
  return residentArray<T>(dtype, array.length, {
    view: () => {
      if (live === null) throw badArgument('resident array used after dispose(): allocate a new one');
      return live;
    },
    release: () => { live = null; },
  });
}
