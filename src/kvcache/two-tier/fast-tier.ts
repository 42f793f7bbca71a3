/**
 * The fast tier of the two-tier cache (A²ATS §4: "GPU"): codebooks, one code per token and KV
 * head, and the K/V of the sink and window tokens. It assigns codes to new keys, rotates the
 * queries by R(b), scores far tokens through the lookup table, picks the top-K per head and
 * unions them over the GQA group — and attends to sinks + window itself.
 */
import type { Kernels, ResidentArray } from '../../kernels/kernels.js';
import { badArgument } from '../../core/errors.js';
import type { Budget } from '../budget.js';
import type { Codebook } from '../codebook.js';
import type { HeadKeys } from '../kv-store.js';
import { VqRetrieval } from '../methods/vq-retrieval.js';
import { Retrieval, type Selection } from '../retrieval.js';
import type { WRopeConfig } from '../wrope.js';

/** Shape, sinks, WRoPE, budget and codebooks of a FastTier. */
export interface FastTierOptions {
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  sinks: number;
  wrope: WRopeConfig;
  budget: Budget;
  codebooks: Codebook[];
  /** Distance bands of the table scoring (default 1, the paper's single R(b); see VqRetrieval). */
  bands?: number;
}

const EMPTY = new Float32Array(0);

/** Codes + codebooks + sinks/window K/V; selects far tokens and attends to near ones (see the file header). */
export class FastTier {
  readonly vq: VqRetrieval;
  readonly retrieval: Retrieval;
  private readonly nearK: ResidentArray<Float32Array>;
  private readonly nearV: ResidentArray<Float32Array>;
  private readonly nearIdx: ResidentArray<Int32Array>;
  private readonly rows: number;
  readonly selections: Selection[];
  private len = 0;

  constructor(private readonly kernels: Kernels, private readonly o: FastTierOptions) {
    if (o.codebooks.length !== o.nKvHeads) throw badArgument(`codebooks must hold one codebook per KV head (${o.nKvHeads}), got ${o.codebooks.length}`);
    const g = o.nHeads / o.nKvHeads;
    this.vq = new VqRetrieval(kernels, o.codebooks, { wrope: o.wrope, groupSize: g, bands: o.bands });
    this.retrieval = new Retrieval(kernels, this.vq, { window: o.wrope.window, sinks: o.sinks, budget: o.budget, groupSize: g, headDim: o.headDim });
    this.rows = o.sinks + o.wrope.window;
    const n = o.nKvHeads * Math.max(1, this.rows) * o.headDim;
    this.nearK = kernels.allocF32(n);
    this.nearV = kernels.allocF32(n);
    this.nearIdx = kernels.allocI32(Math.max(1, this.rows));
    this.selections = Array.from({ length: o.nKvHeads }, () => ({ indices: new Int32Array(0), count: 0, farCount: 0, split: { sinkEnd: 0, farStart: 0, farEnd: 0, windowStart: 0, end: 0 } }));
  }

  get length(): number {
    return this.len;
  }

  clear(): void {
    this.len = 0;
    this.vq.reset();
  }

  /** Row of the near store holding token t (sinks first, then a ring of `window` rows). */
  private nearRow(t: number): number {
    const s = this.o.sinks, w = this.o.wrope.window;
    return t < s ? t : s + ((t - s) % w);
  }

  /** Code the new token's pre-RoPE keys and keep its post-RoPE K/V if it is a sink or in the window. */
  append(kPre: Float32Array, kPost: Float32Array, v: Float32Array): void {
    const { nKvHeads, headDim: d } = this.o;
    for (let h = 0; h < nKvHeads; h++) this.vq.appendKeys(h, kPre.subarray(h * d, (h + 1) * d), 1);
    if (this.len < this.o.sinks || this.o.wrope.window > 0) {
      const r = this.nearRow(this.len);
      const K = this.nearK.view(), V = this.nearV.view();
      for (let h = 0; h < nKvHeads; h++) {
        const at = (h * this.rows + r) * d;
        K.set(kPost.subarray(h * d, (h + 1) * d), at);
        V.set(v.subarray(h * d, (h + 1) * d), at);
      }
    }
    this.len++;
  }

  /** Far selection of every KV head for the query at position pos (written to this.selections). */
  select(qPre: Float32Array, pos: number): Selection[] {
    const { nHeads, nKvHeads, headDim: d } = this.o;
    const g = nHeads / nKvHeads;
    const stub: HeadKeys = { keysPre: EMPTY, keysPost: EMPTY, values: EMPTY, length: this.len };
    for (let h = 0; h < nKvHeads; h++) {
      this.retrieval.select(h, stub, { pre: qPre.subarray(h * g * d, (h + 1) * g * d), post: EMPTY, pos }, this.selections[h]);
    }
    return this.selections;
  }

  /** Exact attention of every query head over its sinks + window (out: nHeads*d, lse: nHeads). */
  attendNear(qPost: Float32Array, out: Float32Array, lse: Float64Array): void {
    const { nHeads, nKvHeads, headDim: d } = this.o;
    const g = nHeads / nKvHeads;
    const scale = 1 / Math.sqrt(d);
    for (let h = 0; h < nKvHeads; h++) {
      const s = this.selections[h];
      const idx = this.nearIdx.view();
      let c = 0;
      for (let t = 0; t < s.split.sinkEnd; t++) idx[c++] = this.nearRow(t);
      for (let t = s.split.windowStart; t < s.split.end; t++) idx[c++] = this.nearRow(t);
      for (let r = 0; r < g; r++) {
        const qh = h * g + r;
        // Views per call: copying the (non-resident) query may grow memory and detach older views.
        const K = this.nearK.view().subarray(h * this.rows * d), V = this.nearV.view().subarray(h * this.rows * d);
        lse[qh] = this.kernels.selectiveAttention(qPost.subarray(qh * d, (qh + 1) * d), K, V, this.nearIdx.view(), c,
          this.rows, d, d, scale, out.subarray(qh * d, (qh + 1) * d));
      }
    }
  }

  dispose(): void {
    this.retrieval.dispose();
    this.vq.dispose();
    this.nearK.free(); this.nearV.free(); this.nearIdx.free();
  }
}
