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
import { residentArray } from '../../kernels/resident-array.js';
import type { DtypeOf } from '../../kernels/device-array.js';
import { SparseInferenceError, badArgument } from '../../core/errors.js';
import type { WasmExports } from './loader.js';

type TypedCtor = Float32ArrayConstructor | Int32ArrayConstructor | Float64ArrayConstructor;
type Typed = Float32Array | Int32Array | Float64Array;

/** wasm32 addresses 4 GiB; the allocator's block header and the static data take some of it. */
const ADDRESSABLE_BYTES = 2 ** 32 - 2 ** 16;

/** How many bytes of freed-but-still-viewed blocks the heap holds back before it frees the oldest. See `quarantined`. */
export const QUARANTINE_BUDGET_BYTES = 8 << 20;

/** A freed block some handed-out view may still point into, and the buffer that view is over. */
interface QuarantinedBlock { ptr: number; bytes: number; buffer: ArrayBufferLike }

export class WasmHeap {
  private scratchPtr = 0;
  private scratchBytes = 0;
  private cachedBuffer: ArrayBuffer | null = null;
  /**
   * Views of resident arrays that were freed. A kernel handed one of them throws instead of
   * reading or writing memory that may by now belong to another array. (Element access through
   * such a view cannot be intercepted — a typed array has no hook — so this is the part the
   * library can enforce; docs/architecture.md says so.)
   */
  readonly retired = new WeakSet<object>();
  /**
   * Freed blocks that were viewed. A typed array kept past dispose() still points into its block,
   * and element writes through it cannot be intercepted; if the allocator handed the block to the
   * next array, `v[0] = 99` would land there. So a viewed block is not freed while its view is
   * attached: it waits here until memory growth detaches that view (every view of a non-shared
   * heap detaches on growth) or until more than QUARANTINE_BUDGET_BYTES of later frees push it out.
   */
  private readonly quarantined: QuarantinedBlock[] = [];
  private quarantinedBytes = 0;

  constructor(readonly exports: WasmExports) {}

  /**
   * The current memory buffer. `memory.buffer` is a slow getter (~30 ns, more than a small
   * kernel), so it is cached; growth detaches the old buffer (byteLength becomes 0), which is
   * how a stale cache is detected.
   */
  get buffer(): ArrayBuffer {
    let b = this.cachedBuffer;
    if (b === null || b.byteLength === 0) b = this.cachedBuffer = this.exports.memory.buffer as ArrayBuffer;
    return b;
  }

  /**
   * Raw allocation. A size the 32-bit heap cannot address is rejected up front (passing it on
   * would wrap modulo 2³² into a small block that kernels then overrun); a size that merely does
   * not fit now throws UNAVAILABLE instead of trapping. `what` names the request in messages.
   */
  allocBytes(bytes: number, what = 'allocation'): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > ADDRESSABLE_BYTES) {
      throw badArgument(`${what} needs ${bytes} bytes; the wasm heap addresses at most ${ADDRESSABLE_BYTES} (4 GiB less 64 KiB)`);
    }
    this.settleQuarantine();
    let ptr = 0;
    try {
      // An address above 2 GiB comes back from the i32 export as a negative number: read it unsigned.
      ptr = this.exports.alloc(Math.max(16, bytes)) >>> 0;
    } catch (e) {
      throw new SparseInferenceError('UNAVAILABLE', `wasm heap cannot allocate ${bytes} bytes for ${what} (linear memory is at most 4 GiB)`, { cause: e });
    }
    return ptr;
  }

  /** A resident array of `length` elements; `argName` is the caller's argument, for messages. */
  resident<T extends Typed>(ctor: TypedCtor, length: number, argName = 'length'): ResidentArray<T> {
    const ptr = this.allocBytes(length * ctor.BYTES_PER_ELEMENT, `${argName} = ${length} (${ctor.name})`);
    let freed = false;
    let cached: T | null = null;
    const heap = this;
    const dtype = (ctor === Float32Array ? 'f32' : ctor === Int32Array ? 'i32' : 'f64') as DtypeOf<T>;
    return residentArray<T>(dtype, length, {
      view(): T {
        if (freed) throw badArgument('resident array used after dispose(): allocate a new one');
        if (cached === null || cached.buffer !== heap.buffer) cached = new ctor(heap.buffer, ptr, length) as T;
        return cached;
      },
      release(): void {
        if (freed) return;
        if (cached !== null) heap.retired.add(cached);
        // A view over a buffer that has not detached may outlive the array: hold the block back.
        if (cached !== null && cached.buffer.byteLength > 0) heap.quarantine(ptr, length * ctor.BYTES_PER_ELEMENT, cached.buffer);
        else heap.exports.free(ptr);
        freed = true;
        cached = null;
      },
    });
  }

  private quarantine(ptr: number, bytes: number, buffer: ArrayBufferLike): void {
    this.quarantined.push({ ptr, bytes, buffer });
    this.quarantinedBytes += bytes;
  }

  /**
   * Runs before every allocation: frees the quarantined blocks no attached view reaches any more
   * (memory grew since), then the oldest while more than QUARANTINE_BUDGET_BYTES wait. It never
   * detaches views itself: callers keep views across allocations that do not grow memory (a
   * model's output view across a retrieval step, with memory reserved up front), so detaching is
   * left to real growth, and a view kept past dispose() through 8 MiB of later frees may alias a
   * newer array.
   */
  private settleQuarantine(): void {
    if (this.quarantined.length === 0) return;
    let kept = 0;
    for (const b of this.quarantined) {
      if (b.buffer.byteLength === 0) this.release(b);
      else this.quarantined[kept++] = b;
    }
    this.quarantined.length = kept;
    while (this.quarantinedBytes > QUARANTINE_BUDGET_BYTES) this.release(this.quarantined.shift() as QuarantinedBlock); // oldest first
  }

  private release(b: QuarantinedBlock): void {
    this.quarantinedBytes -= b.bytes;
    this.exports.free(b.ptr);
  }

  /** Throws when `a` is a view of a freed resident array (see `retired`). */
  checkLive(a: Typed): void {
    if (this.retired.has(a)) {
      throw badArgument(`a ${a.constructor.name} view of a freed resident array was passed to a kernel; `
        + 'views die with dispose()');
    }
  }

  /** True when `a` already lives in this module's memory (so it can be passed by pointer). */
  isResident(a: ArrayBufferView): boolean {
    return a.buffer === this.buffer;
  }

  /** Make sure the scratch region holds at least `bytes`; may grow memory (detaching views). */
  ensureScratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratchPtr) this.exports.free(this.scratchPtr);
      const size = Math.min(Math.max(bytes, Math.ceil(this.scratchBytes * 1.5), 1 << 16), Math.max(bytes, ADDRESSABLE_BYTES));
      this.scratchPtr = 0; // freed above: never free it twice if the allocation below throws
      this.scratchBytes = 0;
      this.scratchPtr = this.allocBytes(size, 'kernel call scratch (arguments copied into wasm memory)');
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
/** Index of an earlier argument that is the very same array over the same length, or −1. */
function earlierSameArray(args: Arg[], i: number): number {
  for (let j = 0; j < i; j++) if (args[j].a === args[i].a && args[j].length === args[i].length) return j;
  return -1;
}

export function marshal(heap: WasmHeap, args: Arg[]): { ptrs: number[]; finish: () => void } {
  // Plain loops and no closures on the all-resident path: this runs on every kernel call, and
  // for small resident kernels its overhead used to exceed the kernel itself.
  const count = args.length;
  const ptrs: number[] = new Array<number>(count);
  let slots: number[] | null = null;
  let need = 0;
  const buf0 = heap.buffer;
  for (let i = 0; i < count; i++) {
    const a = args[i].a;
    if (a !== null && a.buffer === buf0) {
      heap.checkLive(a);
      ptrs[i] = a.byteOffset;
    } else {
      slots ??= new Array<number>(count).fill(-1);
      // The exact alias a descriptor allows (decoderLayer's keysPre = keys): one copy, so the
      // kernel's writes through either name land in the same place, as they do on a resident array.
      const same = a === null ? -1 : earlierSameArray(args, i);
      if (same >= 0) { slots[i] = slots[same]; continue; }
      slots[i] = need;
      need += align16(args[i].length * 4);
    }
  }
  if (slots === null) return { ptrs, finish: NOTHING_TO_COPY };
  const base = heap.ensureScratch(need);
  const buf = heap.buffer;
  let copyBack = false;
  for (let i = 0; i < count; i++) {
    if (slots[i] < 0) continue;
    const arg = args[i];
    ptrs[i] = base + slots[i];
    if (arg.a !== null && arg.in !== false) view(buf, arg.a, ptrs[i], arg.length).set(arg.a.subarray(0, arg.length) as never);
    if (arg.a !== null && arg.out) copyBack = true;
  }
  if (!copyBack) return { ptrs, finish: NOTHING_TO_COPY };
  const finish = () => {
    const b = heap.buffer;
    for (let i = 0; i < count; i++) {
      const arg = args[i];
      if (slots[i] >= 0 && arg.out && arg.a !== null) arg.a.set(view(b, arg.a, ptrs[i], arg.length) as never);
    }
  };
  return { ptrs, finish };
}

const NOTHING_TO_COPY = (): void => {};

/** A view of `length` elements at byte offset `ptr`, of the same element type as `like`. */
function view(buf: ArrayBuffer, like: Typed, ptr: number, length: number): Typed {
  if (like instanceof Float64Array) return new Float64Array(buf, ptr, length);
  return like instanceof Float32Array ? new Float32Array(buf, ptr, length) : new Int32Array(buf, ptr, length);
}

function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}
