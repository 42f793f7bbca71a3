/**
 * The slow tier of the two-tier cache (A²ATS §4: "CPU, pinned fp32"): it holds the full K/V
 * (post-RoPE keys, values) of every token and computes exact attention over the far tokens the
 * fast tier selected, in place — only the selection and small vectors cross the link.
 *
 * InThreadSlowTier runs in the caller's thread; WorkerSlowTier (./worker-slow-tier.ts) runs the
 * very same class in a worker so the caller can continue meanwhile. On asynchronous kernels
 * (the GPU) the slow tier is GatherSlowTier (./gather-slow-tier.ts: K/V in host memory, the
 * selected rows uploaded per step) or DeviceSlowTier (./device-slow-tier.ts: K/V on the device).
 * All of them attend through `attendHeads`, one async function on any kernels.
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import type { DeviceArray } from '../../kernels/device-array.js';
import type { Kernels } from '../../kernels/kernels.js';
import { mirrorF32, mirrorI32, type HostMirror } from '../../kernels/host-mirror.js';
import { badArgument } from '../../core/errors.js';
import { awaitAll } from '../await-all.js';
import { checkFloat32, checkInt } from '../../core/validate.js';
import { disposeSymbol } from '../../core/dispose.js';

/** Query heads, KV heads, head dimension and capacity of a slow tier. */
export interface SlowTierShape {
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  capacity: number;
}

/** One decode step's work for the slow tier. */
export interface SlowTierRequest {
  /** nHeads*headDim post-RoPE queries. */
  qPost: Float32Array;
  /** Per KV head: far token indices (ascending) and how many. */
  selections: Int32Array[];
  counts: number[];
  /** Results: nHeads*headDim outputs over the selected tokens and their log-sum-exp (nHeads). */
  out: Float32Array;
  lse: Float64Array;
}

/** Full K/V store with attention over selected tokens; in-thread or in a worker. */
export interface SlowTier {
  readonly shape: Readonly<SlowTierShape>;
  readonly length: number;
  /** Store one token: kPost and v are nKvHeads*headDim (head-major). */
  append(kPost: Float32Array, v: Float32Array): void;
  /** Forget all tokens. */
  clear(): void;
  /** Attention over the selections (resolves when `out` and `lse` are written). */
  attend(req: SlowTierRequest): void | Promise<void>;
  dispose(): void | Promise<void>;
}

/** Where the rows one KV head attends to are: K/V rows of `rows` × stride floats and the indices. */
export interface HeadRows {
  /** The head's keys and values, row t at t*stride (taken per call: views go stale on growth). */
  K(): Float32Array | DeviceArray<Float32Array>;
  V(): Float32Array | DeviceArray<Float32Array>;
  /** count indices in [0, rows). */
  idx(): Int32Array | DeviceArray<Int32Array>;
  rows: number;
  /** Floats between consecutive rows (default headDim). */
  stride?: number;
}

/**
 * Attention of every query head over its KV head's selected rows — the slow tier's step, and
 * the fast tier's over sinks + window — one async function on any kernels: each query
 * head h of KV head kv gets out[h] = Σ softmax(q_h·K_j/√d) V_j over the req.counts[kv] rows and
 * lse[h] its log-sum-exp. `rowsOf(kv)` is called once per KV head, just before its g calls (so
 * on CPU kernels, which run each call as it is issued, it may refill a shared index buffer). Every call is issued before the first
 * wait (one GPU submission); a KV head with no rows gets out = 0, lse = −∞ without a call.
 *
 * @example
 * await attendHeads(kernels, shape, req, (kv) => ({ K: () => K(kv), V: () => V(kv), idx: () => idx, rows: n }));
 */
export async function attendHeads(kernels: Kernels, shape: Pick<SlowTierShape, 'nHeads' | 'nKvHeads' | 'headDim'>,
  req: Pick<SlowTierRequest, 'qPost' | 'counts' | 'out' | 'lse'>, rowsOf: (kvHead: number) => HeadRows): Promise<void> {
  const { nHeads, nKvHeads, headDim: d } = shape;
  const g = nHeads / nKvHeads;
  const scale = 1 / Math.sqrt(d);
  const issued: (number | Promise<number>)[] = [];
  const heads: number[] = [];
  for (let kv = 0; kv < nKvHeads; kv++) {
    const count = req.counts[kv];
    if (count === 0) {
      // The kernel's own result for count = 0 (and no device arrays read back for nothing).
      req.out.fill(0, kv * g * d, (kv + 1) * g * d);
      req.lse.fill(-Infinity, kv * g, (kv + 1) * g);
      continue;
    }
    const a = rowsOf(kv);
    for (let r = 0; r < g; r++) {
      const qh = kv * g + r;
      issued.push(kernels.selectiveAttention(req.qPost.subarray(qh * d, (qh + 1) * d), a.K(), a.V(), a.idx(), count,
        a.rows, d, a.stride ?? d, scale, req.out.subarray(qh * d, (qh + 1) * d)));
      heads.push(qh);
    }
  }
  const lse = await awaitAll(issued);
  heads.forEach((qh, i) => { req.lse[qh] = lse[i] as number; });
}

/** Validates a SlowTierShape (BAD_ARGUMENT names the field). */
export function checkSlowTierShape(s: SlowTierShape): SlowTierShape {
  checkInt('nHeads', s.nHeads, 1); checkInt('nKvHeads', s.nKvHeads, 1);
  checkInt('headDim', s.headDim, 1); checkInt('capacity', s.capacity, 1);
  if (s.nHeads % s.nKvHeads) throw badArgument(`nHeads (${s.nHeads}) must be a multiple of nKvHeads (${s.nKvHeads})`);
  return s;
}

/**
 * Checks a request against the tokens stored: counts[h] in [0, length] and each selected index
 * a stored token (BAD_ARGUMENT naming the entry).
 */
export function checkSlowTierRequest(shape: SlowTierShape, length: number, req: SlowTierRequest): void {
  const { nHeads, nKvHeads, headDim: d } = shape;
  if (req === null || typeof req !== 'object') throw badArgument('req must be an object');
  if (!(req.qPost instanceof Float32Array) || req.qPost.length < nHeads * d) throw badArgument(`req.qPost must be a Float32Array of at least ${nHeads * d} elements`);
  if (!(req.out instanceof Float32Array) || req.out.length < nHeads * d) throw badArgument(`req.out must be a Float32Array of at least ${nHeads * d} elements`);
  if (!(req.lse instanceof Float64Array) || req.lse.length < nHeads) throw badArgument(`req.lse must be a Float64Array of at least ${nHeads} elements`);
  if (req.counts === null || typeof req.counts !== 'object' || typeof req.counts.length !== 'number' || req.counts.length < nKvHeads) {
    throw badArgument(`req.counts must hold ${nKvHeads} counts`);
  }
  if (!Array.isArray(req.selections) || req.selections.length < nKvHeads) throw badArgument(`req.selections must hold ${nKvHeads} Int32Arrays`);
  for (let h = 0; h < nKvHeads; h++) {
    const c = checkInt(`counts[${h}]`, req.counts[h], 0, length);
    const sel = req.selections[h];
    if (!(sel instanceof Int32Array) || sel.length < c) throw badArgument(`selections[${h}] must be an Int32Array of at least ${c} elements`);
    for (let i = 0; i < c; i++) {
      if (sel[i] < 0 || sel[i] >= length) throw badArgument(`selections[${h}][${i}] must be a stored token in [0, ${length}), got ${sel[i]}`);
    }
  }
}

/** The slow tier in the caller's thread: resident K/V and kernels.selectiveAttention. */
export class InThreadSlowTier implements SlowTier {
  readonly shape: Readonly<SlowTierShape>;
  private readonly keys: HostMirror<Float32Array>;
  private readonly values: HostMirror<Float32Array>;
  private readonly idx: HostMirror<Int32Array>;
  private len = 0;

  constructor(private readonly kernels: Kernels, shape: SlowTierShape) {
    checkKernels('kernels', kernels);
    this.shape = Object.freeze({ ...checkSlowTierShape(shape) });
    const n = shape.nKvHeads * shape.capacity * shape.headDim;
    this.keys = mirrorF32(kernels, n);
    try {
      this.values = mirrorF32(kernels, n);
      this.idx = mirrorI32(kernels, shape.capacity);
    } catch (e) {
      this.keys.dispose();
      throw e;
    }
  }

  get length(): number {
    return this.len;
  }

  append(kPost: Float32Array, v: Float32Array): void {
    const { nKvHeads, headDim: d, capacity } = this.shape;
    checkFloat32('kPost', kPost, nKvHeads * d);
    checkFloat32('v', v, nKvHeads * d);
    if (this.len >= capacity) throw badArgument(`slow tier is full (capacity ${capacity})`);
    const K = this.keys.host(), V = this.values.host();
    for (let h = 0; h < nKvHeads; h++) {
      const at = (h * capacity + this.len) * d;
      K.set(kPost.subarray(h * d, (h + 1) * d), at);
      V.set(v.subarray(h * d, (h + 1) * d), at);
    }
    this.len++;
  }

  clear(): void {
    this.len = 0;
  }

  async attend(req: SlowTierRequest): Promise<void> {
    checkSlowTierRequest(this.shape, this.len, req);
    const { headDim: d, capacity } = this.shape;
    await attendHeads(this.kernels, this.shape, req, (h) => {
      // The selection is copied into resident memory once and shared by the g query heads.
      this.idx.host().set(req.selections[h].subarray(0, req.counts[h]));
      // Views per call: copying the (non-resident) query may grow memory and detach older views.
      return {
        K: () => this.keys.arg().subarray(h * capacity * d, (h + 1) * capacity * d),
        V: () => this.values.arg().subarray(h * capacity * d, (h + 1) * capacity * d),
        idx: () => this.idx.host(),
        rows: this.len,
      };
    });
  }

  dispose(): void {
    this.keys.dispose(); this.values.dispose(); this.idx.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}
