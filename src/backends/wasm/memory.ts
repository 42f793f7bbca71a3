/**
 * WASM linear-memory management for the wasm backend.
 *
 * - Resident arrays: long-lived buffers allocated on the module's heap (weights, KV, codes);
 *   kernels read them in place. Their `view()` is rebuilt whenever memory has grown.
 * - Call scratch: one region reused across calls for inputs that are *not* resident (they
 *   are copied in and outputs copied out) and for kernel scratch. It grows geometrically, so
 *   steady-state calls never allocate.
 */
import type { ResidentArray } from '../../kernels/kernels.js';
import { SparseInferenceError } from '../../core/errors.js';
import type { WasmExports } from './loader.js';

type TypedCtor = Float32ArrayConstructor | Int32ArrayConstructor;
type Typed = Float32Array | Int32Array;

export class WasmHeap {
  private scratchPtr = 0;
  private scratchBytes = 0;

  constructor(readonly exports: WasmExports) {}

  get buffer(): ArrayBuffer {
    return this.exports.memory.buffer;
  }

  /** Raw allocation; throws instead of trapping when the 4 GiB address space is exhausted. */
  allocBytes(bytes: number): number {
    let ptr = 0;
    try {
      ptr = this.exports.alloc(Math.max(16, bytes));
    } catch (e) {
      throw new SparseInferenceError('UNAVAILABLE', `wasm heap cannot allocate ${bytes} bytes (linear memory is at most 4 GiB)`, { cause: e });
    }
    return ptr;
  }

  resident<T extends Typed>(ctor: TypedCtor, length: number): ResidentArray<T> {
    const ptr = this.allocBytes(length * 4);
    let freed = false;
    let cached: T | null = null;
    const heap = this;
    return {
      length,
      view(): T {
        if (freed) throw new SparseInferenceError('BAD_ARGUMENT', 'resident array used after free()');
        if (cached === null || cached.buffer !== heap.buffer) cached = new ctor(heap.buffer, ptr, length) as T;
        return cached;
      },
      free(): void {
        if (!freed) { heap.exports.free(ptr); freed = true; cached = null; }
      },
    };
  }

  /** True when `a` already lives in this module's memory (so it can be passed by pointer). */
  isResident(a: ArrayBufferView): boolean {
    return a.buffer === this.buffer;
  }

  /** Make sure the scratch region holds at least `bytes`; may grow memory (detaching views). */
  ensureScratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratchPtr) this.exports.free(this.scratchPtr);
      const size = Math.max(bytes, Math.ceil(this.scratchBytes * 1.5), 1 << 16);
      this.scratchPtr = this.allocBytes(size);
      this.scratchBytes = size;
    }
    return this.scratchPtr;
  }
}

/** One array argument of a kernel call. */
export interface Arg {
  a: Typed | null; // null: pure scratch of `length` elements
  length: number;  // elements the kernel reads or writes
  out?: boolean;   // copy back after the call when not resident
  in?: boolean;    // copy in before the call when not resident (default true unless scratch)
}

/**
 * Resolves kernel arguments to pointers: resident arrays are passed in place; the others get
 * a 16-byte-aligned slot in the call scratch. Offsets of resident arrays are read *before*
 * scratch can grow, because growth detaches views (and a detached view's byteOffset is 0).
 * Returns the pointers and a function that copies outputs back.
 */
export function marshal(heap: WasmHeap, args: Arg[]): { ptrs: number[]; finish: () => void } {
  const ptrs: number[] = new Array(args.length).fill(0);
  const slots: number[] = new Array(args.length).fill(-1);
  let need = 0;
  args.forEach((arg, i) => {
    if (arg.a !== null && heap.isResident(arg.a)) {
      ptrs[i] = arg.a.byteOffset;
    } else {
      slots[i] = need;
      need += align16(arg.length * 4);
    }
  });
  const base = need > 0 ? heap.ensureScratch(need) : 0;
  const buf = heap.buffer;
  args.forEach((arg, i) => {
    if (slots[i] < 0) return;
    ptrs[i] = base + slots[i];
    if (arg.a !== null && arg.in !== false) {
      const dst = arg.a instanceof Float32Array ? new Float32Array(buf, ptrs[i], arg.length) : new Int32Array(buf, ptrs[i], arg.length);
      dst.set(arg.a.subarray(0, arg.length) as never);
    }
  });
  const finish = () => {
    const b = heap.buffer;
    args.forEach((arg, i) => {
      if (!arg.out || arg.a === null) return;
      if (slots[i] >= 0) {
        const src = arg.a instanceof Float32Array ? new Float32Array(b, ptrs[i], arg.length) : new Int32Array(b, ptrs[i], arg.length);
        arg.a.set(src as never);
      }
    });
  };
  return { ptrs, finish };
}

function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}
