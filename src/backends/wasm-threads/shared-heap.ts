/**
 * The wasm heap over a shared WebAssembly.Memory. Two differences from WasmHeap:
 *
 * - Growth does not detach a SharedArrayBuffer: the old buffer object stays usable at its old
 *   length and `memory.buffer` returns a new, longer one. WasmHeap detects growth by the cached
 *   buffer's byteLength dropping to 0, which never happens here; instead the cached buffer is
 *   refreshed after every allocation — the only operation that can grow memory (kernels never
 *   allocate, and workers never call alloc). Resident views compare buffer identity, so they are
 *   rebuilt over the new buffer on their next view().
 * - Freed blocks that were viewed are never released by growth (nothing detaches a
 *   SharedArrayBuffer), so the quarantine only delays their reuse: past its budget the oldest
 *   are freed, and a view kept that long past dispose() may alias a newer array.
 *   Kernels still refuse such a view; element writes through it are not caught.
 * - Only the calling thread allocates: the TLSF allocator's root pointer is a global of the main
 *   instance, and the workers' instances never touch it.
 */
import { WasmHeap } from '../wasm/memory.js';
import type { WasmExports } from '../wasm/loader.js';

export class SharedWasmHeap extends WasmHeap {
  private shared: ArrayBufferLike;

  constructor(exports: WasmExports, private readonly memory: WebAssembly.Memory) {
    super(exports);
    this.shared = memory.buffer;
  }

  /** The current SharedArrayBuffer (typed as ArrayBuffer for the marshalling code it shares). */
  override get buffer(): ArrayBuffer {
    return this.shared as ArrayBuffer;
  }

  override allocBytes(bytes: number, what?: string): number {
    const ptr = super.allocBytes(bytes, what);
    const now = this.memory.buffer;
    if (now.byteLength !== this.shared.byteLength) this.shared = now;
    return ptr;
  }
}
