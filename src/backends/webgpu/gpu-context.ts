/**
 * The webgpu backend's execution engine: it turns kernel calls into GPU work and results.
 *
 * Batching. Every call issued in one turn of the event loop is encoded into the same
 * command encoder; a microtask submits it (tfjs batches dispatches the same way), maps one
 * staging buffer holding every read-back of the batch, copies results into the callers' host
 * arrays and resolves their promises. So 32 heads × (lutGather + topKSelect) issued together
 * cost one submission and one read-back round trip, not 64.
 *
 * Per call:
 * - `input(a, n)`: a device array is bound in place; a host array's first n elements are
 *   uploaded (queue.writeBuffer) into a pooled buffer.
 * - `output(a, n)`: a device array is written in place; a host array gets a pooled buffer
 *   whose first n elements are copied back into it when the batch completes.
 * - `scalars(init)`: 32-bit slots in the batch's shared scalar buffer (counts, error flags,
 *   log-sum-exp), initialised at submission and read back with the batch.
 * - `dispatch(program, uniforms, refs, groups)`: uniforms go to a per-batch arena.
 *
 * Ordering. WebGPU executes queue operations in order, so device arrays written by one call
 * are seen by every later call. Host-side steps that must finish before later GPU work (the
 * CPU fallback of a kernel with device-array outputs) set a barrier that defers later calls.
 */
import { SparseInferenceError, badArgument } from '../../core/errors.js';
import { checkRange, isDeviceArray, type DeviceArray, type DtypeOf, type F32Arg, type I32Arg } from '../../kernels/device-array.js';
import type { GpuBuffer, GpuCommandEncoder, GpuComputePass, GpuDevice } from './gpu-types.js';
import { BufferUsage, MAP_READ_MODE } from './gpu-types.js';
import { BufferPool } from './buffer-pool.js';
import { PipelineCache } from './pipeline-cache.js';
import { grid, type GpuProgram } from './program.js';
import type { GpuHandle } from './device.js';
import { disposeSymbol } from '../../core/dispose.js';

/** A bound array: a buffer and an element offset into it. */
export interface GpuRef {
  buffer: GpuBuffer;
  /** Offset in 4-byte elements. */
  offset: number;
}

const STORAGE_IN = BufferUsage.STORAGE | BufferUsage.COPY_DST;
const STORAGE_OUT = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
const STAGING = BufferUsage.MAP_READ | BufferUsage.COPY_DST;
const UNIFORM = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
/** Uniform blocks are placed at this alignment (minUniformBufferOffsetAlignment ≤ 256). */
const UNIFORM_ALIGN = 256;
const UNIFORM_ARENA_BYTES = 16 * 1024;
/** 32-bit scalar slots per batch; a batch that needs more is split. */
const SCALAR_SLOTS = 4096;

interface Readback {
  src: GpuBuffer; srcByte: number; bytes: number;
  /** Receives the bytes (an ArrayBuffer slice) once mapped. */
  deliver(data: ArrayBuffer): void;
}

interface Completion {
  finish(): unknown;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

class Batch {
  readonly encoder: GpuCommandEncoder;
  readonly releases: [GpuBuffer, number][] = [];
  readonly readbacks: Readback[] = [];
  readonly completions: Completion[] = [];
  /** Initial (then, after completion, final) values of the scalar slots; grows as needed. */
  scalarInit = new Uint32Array(16);
  scalarCount = 0;
  scalarBuffer: GpuBuffer | null = null;
  readonly arenas: { buffer: GpuBuffer; data: Uint8Array; used: number }[] = [];
  /**
   * The open compute pass: consecutive dispatches share one (WebGPU synchronises storage
   * accesses between dispatches inside a pass); copies need it ended.
   */
  private pass: GpuComputePass | null = null;

  constructor(device: GpuDevice) {
    this.encoder = device.createCommandEncoder();
  }

  computePass(): GpuComputePass {
    return this.pass ?? (this.pass = this.encoder.beginComputePass());
  }

  endPass(): void {
    this.pass?.end();
    this.pass = null;
  }
}

/** Scalar slots of one call: bound as `ref`, their values readable once the batch is done. */
export interface ScalarSlots {
  ref: GpuRef;
  /** The slots' 32-bit values after completion (u32 view; use f32() for floats). */
  u32(i: number): number;
  i32(i: number): number;
  f32(i: number): number;
}

export class GpuContext {
  readonly device: GpuDevice;
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  private batch: Batch | null = null;
  private barrier: Promise<void> | null = null;
  private lostReason: string | null = null;
  /** Submissions so far (tests check that calls issued together share one). */
  submissions = 0;
  /** Workgroups per grid dimension at most (tests lower it to exercise grid folding). */
  maxGroupsPerDim: number;

  constructor(readonly handle: GpuHandle) {
    this.device = handle.device;
    this.pool = new BufferPool(this.device);
    this.pipelines = new PipelineCache(this.device);
    this.maxGroupsPerDim = this.device.limits.maxComputeWorkgroupsPerDimension ?? 65535;
    void this.device.lost.then((info) => { this.lostReason = info.message || info.reason || 'device lost'; });
  }

  /** Throws UNAVAILABLE once the device is lost. */
  checkAlive(): void {
    if (this.lostReason !== null) {
      throw new SparseInferenceError('UNAVAILABLE', `webgpu device was lost: ${this.lostReason}`);
    }
  }

  /** Runs `fn` now, or after the pending host-side barrier (keeping program order). */
  ordered<R>(fn: () => Promise<R>): Promise<R> {
    const b = this.barrier;
    return b ? b.then(fn) : fn();
  }

  /** Later calls wait for `p` (a host-side step that writes device arrays). */
  setBarrier(p: Promise<unknown>): void {
    const done: Promise<void> = p.then(() => {}, () => {});
    this.barrier = done;
    void done.then(() => { if (this.barrier === done) this.barrier = null; });
  }

  private current(): Batch {
    this.checkAlive();
    if (!this.batch) {
      this.device.pushErrorScope('validation');
      this.batch = new Batch(this.device);
      queueMicrotask(() => this.flush());
    }
    return this.batch;
  }

  /** Starts a kernel call in the current batch (a new batch when its scalar slots run low). */
  call(): GpuCall {
    if (this.batch && this.batch.scalarCount > SCALAR_SLOTS - 64) this.flush();
    return new GpuCall(this, this.current());
  }

  /** Submit the open batch (if any) now; its promises settle when the GPU is done. */
  flush(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = null;
    const q = this.device.queue;
    for (const a of b.arenas) q.writeBuffer(a.buffer, 0, a.data, 0, a.used);
    let stagingBytes = 0;
    const places: number[] = [];
    if (b.scalarBuffer) {
      q.writeBuffer(b.scalarBuffer, 0, b.scalarInit, 0, b.scalarCount);
      const count = b.scalarCount;
      b.readbacks.push({ src: b.scalarBuffer, srcByte: 0, bytes: count * 4, deliver: (d) => { b.scalarInit.set(new Uint32Array(d, 0, count)); } });
    }
    for (const r of b.readbacks) {
      places.push(stagingBytes);
      stagingBytes += Math.ceil(r.bytes / 4) * 4;
    }
    b.endPass();
    const staging = stagingBytes > 0 ? this.pool.acquire(stagingBytes, STAGING) : null;
    if (staging) b.readbacks.forEach((r, i) => { if (r.bytes > 0) b.encoder.copyBufferToBuffer(r.src, r.srcByte, staging, places[i], Math.ceil(r.bytes / 4) * 4); });
    q.submit([b.encoder.finish()]);
    this.submissions++;
    for (const [buf, usage] of b.releases) this.pool.release(buf, usage);
    if (b.scalarBuffer) this.pool.release(b.scalarBuffer, STORAGE_OUT);
    for (const a of b.arenas) this.pool.release(a.buffer, UNIFORM);
    const validation = this.device.popErrorScope();
    const done = staging ? staging.mapAsync(MAP_READ_MODE, 0, stagingBytes) : q.onSubmittedWorkDone();
    void Promise.all([validation, done]).then(([err]) => {
      if (err) throw new SparseInferenceError('UNAVAILABLE', `webgpu validation error (a bug in the backend): ${err.message}`);
      if (staging) {
        const mapped = staging.getMappedRange(0, stagingBytes);
        b.readbacks.forEach((r, i) => r.deliver(mapped.slice(places[i], places[i] + r.bytes)));
        staging.unmap();
        this.pool.release(staging, STAGING);
      }
      for (const c of b.completions) {
        try { c.resolve(c.finish()); } catch (e) { c.reject(e); }
      }
    }).catch((e) => {
      for (const c of b.completions) c.reject(e);
    });
  }

  // --- device arrays ---------------------------------------------------------------------

  /** A new device array of `length` elements (contents unspecified until written). */
  alloc<T extends Float32Array | Int32Array>(dtype: 'f32' | 'i32', length: number): DeviceArray<T> {
    this.checkAlive();
    const bytes = Math.max(4, length * 4);
    if (bytes > this.handle.maxBufferSize) {
      throw badArgument(`length ${length} (${bytes} bytes) exceeds this adapter's maxBufferSize ${this.handle.maxBufferSize}`);
    }
    const buffer = this.device.createBuffer({ size: Math.ceil(bytes / 16) * 16, usage: STORAGE_OUT });
    return new GpuDeviceArray<T>(this, { buffer, freed: false }, dtype as never, 0, length);
  }
}

interface Owned { buffer: GpuBuffer; freed: boolean }

/** A DeviceArray in a GPU buffer (see DeviceArray). */
export class GpuDeviceArray<T extends Float32Array | Int32Array> implements DeviceArray<T> {
  constructor(
    private readonly ctx: GpuContext, private readonly owned: Owned,
    readonly dtype: DtypeOf<T>, readonly begin: number, readonly length: number,
  ) {}

  /** The buffer and element offset (throws if freed). */
  ref(): GpuRef {
    if (this.owned.freed) throw badArgument('device array was freed');
    return { buffer: this.owned.buffer, offset: this.begin };
  }

  /** True when `other` shares this array's buffer and their element ranges overlap. */
  overlaps(other: GpuDeviceArray<Float32Array | Int32Array>): boolean {
    return this.owned === other.owned && this.begin < other.begin + other.length && other.begin < this.begin + this.length;
  }

  /** True when `other` lives in the same GPU buffer (WebGPU cannot bind it twice if one is written). */
  sharesBuffer(other: GpuDeviceArray<Float32Array | Int32Array>): boolean {
    return this.owned === other.owned;
  }

  write(src: T, offset = 0): void {
    const Ctor = this.dtype === 'f32' ? Float32Array : Int32Array;
    if (!(src instanceof Ctor)) throw badArgument(`src must be ${this.dtype === 'f32' ? 'a Float32Array' : 'an Int32Array'}`);
    checkRange('write', offset, offset + src.length, this.length);
    const { buffer } = this.ref();
    this.ctx.checkAlive();
    if (src.length === 0) return;
    this.ctx.flush(); // work issued before this write must see the old contents
    this.ctx.device.queue.writeBuffer(buffer, (this.begin + offset) * 4, src, 0, src.length);
  }

  read(): Promise<T> {
    return this.ctx.ordered(() => this.readNow());
  }

  copyFrom(src: DeviceArray<T>, offset = 0): void {
    if (!(src instanceof GpuDeviceArray) || src.dtype !== this.dtype) {
      throw badArgument(`src must be a ${this.dtype} device array of the same backend`);
    }
    checkRange('copyFrom', offset, offset + src.length, this.length);
    const dst = this.subarray(offset, offset + src.length) as GpuDeviceArray<T>;
    if (dst.overlaps(src)) throw badArgument('src must not overlap the destination range');
    if (src.length === 0) return;
    void this.ctx.ordered(async () => {
      const call = this.ctx.call();
      call.copy(src.ref(), dst.ref(), src.length);
      return call.finish(() => undefined);
    });
  }

  /** read() without waiting for a host-side barrier (for the step that holds the barrier). */
  readNow(): Promise<T> {
    const out = (this.dtype === 'f32' ? new Float32Array(this.length) : new Int32Array(this.length)) as T;
    if (this.length === 0) return Promise.resolve(out);
    const call = this.ctx.call();
    call.readInto(this.ref(), out, this.length);
    return call.finish(() => out);
  }

  subarray(begin: number, end = this.length): DeviceArray<T> {
    checkRange('subarray', begin, end, this.length);
    return new GpuDeviceArray<T>(this.ctx, this.owned, this.dtype, this.begin + begin, end - begin);
  }

  dispose(): void {
    if (this.owned.freed) return;
    this.ctx.flush(); // destroying a buffer that unsubmitted work uses would invalidate that work
    this.owned.freed = true;
    this.owned.buffer.destroy();
  }

  [disposeSymbol](): void { this.dispose(); }
}

/** One kernel call's resources inside a batch. */
export class GpuCall {
  constructor(private readonly ctx: GpuContext, private readonly batch: Batch) {}

  /** Bind an input: a device array in place, or the first n elements of a host array uploaded. */
  input(a: F32Arg | I32Arg, n: number): GpuRef {
    if (a instanceof GpuDeviceArray) return a.ref();
    if (isDeviceArray(a)) throw badArgument('device array belongs to another backend');
    const host = a as Float32Array | Int32Array;
    const buffer = this.ctx.pool.acquire(n * 4, STORAGE_IN);
    this.batch.releases.push([buffer, STORAGE_IN]);
    if (n > 0) this.ctx.device.queue.writeBuffer(buffer, 0, host, 0, n);
    return { buffer, offset: 0 };
  }

  /** Bind an output: a device array in place, or a scratch buffer copied into host[0..n) at completion. */
  output(a: F32Arg | I32Arg, n: number): GpuRef {
    if (a instanceof GpuDeviceArray) return a.ref();
    if (isDeviceArray(a)) throw badArgument('device array belongs to another backend');
    const ref = { buffer: this.scratch(n * 4), offset: 0 };
    this.readInto(ref, a as Float32Array | Int32Array, n);
    return ref;
  }

  /** A scratch copy of n elements at `ref` (for an input that shares a buffer with an output). */
  copyOf(ref: GpuRef, n: number): GpuRef {
    const buffer = this.scratch(n * 4);
    if (n > 0) {
      this.batch.endPass();
      this.batch.encoder.copyBufferToBuffer(ref.buffer, ref.offset * 4, buffer, 0, n * 4);
    }
    return { buffer, offset: 0 };
  }

  /**
   * Copy n elements from `src` to `dst` on the device (WebGPU cannot copy within one buffer,
   * so a same-buffer copy goes through scratch).
   */
  copy(src: GpuRef, dst: GpuRef, n: number): void {
    if (n === 0) return;
    const from = src.buffer === dst.buffer ? this.copyOf(src, n) : src;
    this.batch.endPass();
    this.batch.encoder.copyBufferToBuffer(from.buffer, from.offset * 4, dst.buffer, dst.offset * 4, n * 4);
  }

  /** Copy n elements at `ref` into `host` when the batch completes. */
  readInto(ref: GpuRef, host: Float32Array | Int32Array, n: number): void {
    if (n === 0) return;
    this.batch.readbacks.push({
      src: ref.buffer, srcByte: ref.offset * 4, bytes: n * 4,
      deliver: (d) => { host.set(host instanceof Float32Array ? new Float32Array(d) : new Int32Array(d)); },
    });
  }

  /** Read n elements at `ref` back as a fresh array (available in finish()). */
  readBack<T extends Float32Array | Int32Array>(ref: GpuRef, n: number, dtype: 'f32' | 'i32'): T {
    const out = (dtype === 'f32' ? new Float32Array(n) : new Int32Array(n)) as T;
    this.readInto(ref, out, n);
    return out;
  }

  /** A pooled storage buffer of at least `bytes`, for this batch only. */
  scratch(bytes: number): GpuBuffer {
    const buffer = this.ctx.pool.acquire(bytes, STORAGE_OUT);
    this.batch.releases.push([buffer, STORAGE_OUT]);
    return buffer;
  }

  /** `init.length` 32-bit slots (u32 bit patterns) in the batch's scalar buffer. */
  scalars(init: readonly number[]): ScalarSlots {
    const b = this.batch;
    if (b.scalarCount + init.length > SCALAR_SLOTS) {
      throw new Error('webgpu: more than 64 scalar slots in one call'); // a backend bug
    }
    if (!b.scalarBuffer) b.scalarBuffer = this.ctx.pool.acquire(SCALAR_SLOTS * 4, STORAGE_OUT);
    const start = b.scalarCount;
    if (start + init.length > b.scalarInit.length) {
      const grown = new Uint32Array(Math.min(SCALAR_SLOTS, 2 * (start + init.length)));
      grown.set(b.scalarInit);
      b.scalarInit = grown;
    }
    init.forEach((v, i) => { b.scalarInit[start + i] = v >>> 0; });
    b.scalarCount += init.length;
    const bits = new Uint32Array(1), asFloat = new Float32Array(bits.buffer);
    const at = (i: number) => b.scalarInit[start + i]; // read after completion (the array may have grown)
    return {
      ref: { buffer: b.scalarBuffer, offset: start },
      u32: (i) => at(i),
      i32: (i) => at(i) | 0,
      f32: (i) => { bits[0] = at(i); return asFloat[0]; },
    };
  }

  /**
   * Encode one dispatch of `program` over `groups` workgroups. `refs` are the storage
   * bindings in the program's order; their offsets fill the `<name>Off` uniforms.
   */
  dispatch(program: GpuProgram, uniforms: Record<string, number>, refs: readonly GpuRef[], groups: number): void {
    if (refs.length !== program.bindings.length) throw new Error(`${program.cacheKey}: ${refs.length} refs for ${program.bindings.length} bindings`);
    if (groups === 0) return;
    const { pipeline, layout, uniforms: fields } = this.ctx.pipelines.get(program);
    const bytes = Math.ceil((fields.length + 1) * 4 / 16) * 16;
    const { buffer, byteOffset } = this.uniformSpace(bytes);
    const arena = this.batch.arenas[this.batch.arenas.length - 1];
    const view = new DataView(arena.data.buffer, byteOffset, bytes);
    const own = program.uniforms.length;
    fields.forEach((f, i) => {
      const v = i < own ? uniforms[f.name] : i < own + refs.length ? refs[i - own].offset : groups;
      if (v === undefined) throw new Error(`${program.cacheKey}: uniform ${f.name} missing`);
      if (f.type === 'f32') view.setFloat32(i * 4, v, true);
      else if (f.type === 'i32') view.setInt32(i * 4, v, true);
      else view.setUint32(i * 4, v, true);
    });
    const bindGroup = this.ctx.device.createBindGroup({
      layout,
      entries: [
        { binding: 0, resource: { buffer, offset: byteOffset, size: bytes } },
        ...refs.map((r, i) => ({ binding: i + 1, resource: { buffer: r.buffer } })),
      ],
    });
    const pass = this.batch.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y, z] = grid(groups, this.ctx.maxGroupsPerDim);
    pass.dispatchWorkgroups(x, y, z);
  }

  private uniformSpace(bytes: number): { buffer: GpuBuffer; byteOffset: number } {
    const arenas = this.batch.arenas;
    let a = arenas[arenas.length - 1];
    if (!a || a.used + bytes > UNIFORM_ARENA_BYTES) {
      a = { buffer: this.ctx.pool.acquire(UNIFORM_ARENA_BYTES, UNIFORM), data: new Uint8Array(UNIFORM_ARENA_BYTES), used: 0 };
      arenas.push(a);
    }
    const byteOffset = a.used;
    a.used = Math.ceil((a.used + bytes) / UNIFORM_ALIGN) * UNIFORM_ALIGN;
    return { buffer: a.buffer, byteOffset };
  }

  /** The call's promise: `result` runs after the batch completed and host outputs were filled. */
  finish<R>(result: () => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.batch.completions.push({ finish: result, resolve: resolve as (v: unknown) => void, reject });
    });
  }
}
