/**
 * The slow tier of the two-tier cache (A²ATS §4: "CPU, pinned fp32"): it holds the full K/V
 * (post-RoPE keys, values) of every token and computes exact attention over the far tokens the
 * fast tier selected, in place — only the selection and small vectors cross the link.
 *
 * InThreadSlowTier runs in the caller's thread; WorkerSlowTier (./worker-slow-tier.ts) runs the
 * very same class in a worker so the caller can continue meanwhile.
 */
import type { Kernels, ResidentArray } from '../../kernels/kernels.js';
import { badArgument } from '../../core/errors.js';
import { checkInt } from '../../core/validate.js';

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

/** Validates a SlowTierShape (BAD_ARGUMENT names the field). */
export function checkSlowTierShape(s: SlowTierShape): SlowTierShape {
  checkInt('nHeads', s.nHeads, 1); checkInt('nKvHeads', s.nKvHeads, 1);
  checkInt('headDim', s.headDim, 1); checkInt('capacity', s.capacity, 1);
  if (s.nHeads % s.nKvHeads) throw badArgument(`nHeads (${s.nHeads}) must be a multiple of nKvHeads (${s.nKvHeads})`);
  return s;
}

/** The slow tier in the caller's thread: resident K/V and kernels.selectiveAttention. */
export class InThreadSlowTier implements SlowTier {
  readonly shape: Readonly<SlowTierShape>;
  private readonly keys: ResidentArray<Float32Array>;
  private readonly values: ResidentArray<Float32Array>;
  private readonly idx: ResidentArray<Int32Array>;
  private len = 0;

  constructor(private readonly kernels: Kernels, shape: SlowTierShape) {
    this.shape = Object.freeze({ ...checkSlowTierShape(shape) });
    const n = shape.nKvHeads * shape.capacity * shape.headDim;
    this.keys = kernels.allocF32(n);
    try {
      this.values = kernels.allocF32(n);
      this.idx = kernels.allocI32(shape.capacity);
    } catch (e) {
      this.keys.free();
      throw e;
    }
  }

  get length(): number {
    return this.len;
  }

  append(kPost: Float32Array, v: Float32Array): void {
    const { nKvHeads, headDim: d, capacity } = this.shape;
    if (this.len >= capacity) throw badArgument(`slow tier is full (capacity ${capacity})`);
    const K = this.keys.view(), V = this.values.view();
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

  attend(req: SlowTierRequest): void {
    const { nHeads, nKvHeads, headDim: d, capacity } = this.shape;
    const g = nHeads / nKvHeads;
    const scale = 1 / Math.sqrt(d);
    for (let h = 0; h < nKvHeads; h++) {
      const count = req.counts[h];
      // The selection is copied into resident memory once and shared by the g query heads.
      this.idx.view().set(req.selections[h].subarray(0, count));
      for (let r = 0; r < g; r++) {
        const qh = h * g + r;
        // Views per call: copying the (non-resident) query may grow memory and detach older views.
        const K = this.keys.view().subarray(h * capacity * d, (h + 1) * capacity * d);
        const V = this.values.view().subarray(h * capacity * d, (h + 1) * capacity * d);
        const idx = this.idx.view();
        req.lse[qh] = this.kernels.selectiveAttention(req.qPost.subarray(qh * d, (qh + 1) * d), K, V, idx, count,
          this.len, d, d, scale, req.out.subarray(qh * d, (qh + 1) * d));
      }
    }
  }

  dispose(): void {
    this.keys.free(); this.values.free(); this.idx.free();
  }
}
