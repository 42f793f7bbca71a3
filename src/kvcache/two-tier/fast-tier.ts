/**
 * The fast tier of the two-tier cache (A²ATS §4: "GPU"): codebooks, one code per token and KV
 * head, and the K/V of the sink and window tokens. It assigns codes to new keys, rotates the
 * queries by R(b), scores far tokens through the lookup table, picks the top-K per head and
 * unions them over the GQA group — and attends to sinks + window itself.
 *
 * Built on synchronous kernels everything lives in the backend's resident memory; built on
 * asynchronous kernels (webgpu) codebooks, codes, lookup tables, scores and the sink/window
 * K/V are device arrays — a step uploads the queries and reads back only the selected indices
 * and the g·d outputs. Each operation is one generator body (`…Steps`) over either kind of
 * kernels; the plain methods run it with driveSync, the `…Async` ones with driveAsync. All KV
 * heads are processed side by side (./interleave.ts): on webgpu a step's selection for the
 * whole layer is one GPU submission.
 */
import { checkAnyKernels } from '../../kernels/check-kernels.js';
import type { CpuKernels } from '../../kernels/kernels.js';
import type { AsyncKernels } from '../../kernels/async-kernels.js';
import { mirrorF32, mirrorI32, type HostMirror } from '../../kernels/host-mirror.js';
import { driveAsync, driveSync, type Step } from '../../kernels/maybe-async.js';
import { badArgument } from '../../core/errors.js';
import { checkFloat32, checkFloat64, checkInt } from '../../core/validate.js';
import type { Budget } from '../budget.js';
import type { Codebook } from '../codebook.js';
import type { HeadKeys } from '../kv-store.js';
import { VqRetrieval } from '../methods/vq-retrieval.js';
import type { GroupQuery } from '../retrieval-method.js';
import { Retrieval, type Selection } from '../retrieval.js';
import type { WRopeConfig } from '../wrope.js';
import { interleave } from '../../kernels/maybe-async.js';
import { attendHeads } from './slow-tier.js';
import { disposeSymbol } from '../../core/dispose.js';
import { checkOptions, optionKeys } from '../../core/options.js';

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
  /** Tokens to reserve code space for (default 1024, grown by doubling; see VqRetrieval). */
  capacity?: number;
}

/** Every key of FastTierOptions, for checkOptions. */
export const FAST_TIER_KEYS = optionKeys<FastTierOptions>({ nHeads: true, nKvHeads: true, headDim: true, sinks: true, wrope: true, budget: true, codebooks: true, bands: true, capacity: true });

const EMPTY = new Float32Array(0);

/** Codes + codebooks + sinks/window K/V; selects far tokens and attends to near ones (see the file header). */
export class FastTier {
  readonly vq: VqRetrieval;
  readonly retrieval: Retrieval;
  /** nKvHeads blocks of `rows` rows of headDim: sinks first, then a ring of `window` rows. */
  private readonly nearK: HostMirror<Float32Array>;
  private readonly nearV: HostMirror<Float32Array>;
  /** Per KV head, the near rows attended at the current step (nKvHeads*rows). */
  private readonly nearIdx: HostMirror<Int32Array>;
  /** Near rows written on the host since the last upload (async kernels). */
  private nearDirty = false;
  private readonly rows: number;
  readonly selections: Selection[];
  private readonly stubs: HeadKeys[];
  private readonly queries: GroupQuery[];
  private len = 0;

  constructor(private readonly kernels: AsyncKernels, private readonly o: FastTierOptions) {
    checkAnyKernels('kernels', kernels);
    if (o === null || o === undefined) throw badArgument('FastTier options must give the shape, wrope, budget and codebooks');
    checkOptions('FastTier options', o, FAST_TIER_KEYS);
    if (o.codebooks.length !== o.nKvHeads) throw badArgument(`codebooks must hold one codebook per KV head (${o.nKvHeads}), got ${o.codebooks.length}`);
    const g = o.nHeads / o.nKvHeads;
    this.vq = new VqRetrieval(kernels, o.codebooks, { wrope: o.wrope, groupSize: g, bands: o.bands, capacity: o.capacity });
    this.retrieval = new Retrieval(kernels, this.vq, { window: o.wrope.window, sinks: o.sinks, budget: o.budget, groupSize: g, headDim: o.headDim });
    this.rows = o.sinks + o.wrope.window;
    const n = o.nKvHeads * Math.max(1, this.rows) * o.headDim;
    this.nearK = mirrorF32(kernels, n);
    this.nearV = mirrorF32(kernels, n);
    this.nearIdx = mirrorI32(kernels, o.nKvHeads * Math.max(1, this.rows));
    this.selections = Array.from({ length: o.nKvHeads }, () => ({ indices: new Int32Array(0), count: 0, farCount: 0, split: { sinkEnd: 0, farStart: 0, farEnd: 0, windowStart: 0, end: 0 } }));
    this.stubs = Array.from({ length: o.nKvHeads }, () => ({ keysPre: EMPTY, keysPost: EMPTY, values: EMPTY, length: 0 }));
    this.queries = Array.from({ length: o.nKvHeads }, () => ({ pre: EMPTY, post: EMPTY, pos: 0 }));
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
    driveSync(this.appendSteps(kPre, kPost, v), 'FastTier.append');
  }

  /** `append` on asynchronous kernels (the codes are assigned on the device). */
  appendAsync(kPre: Float32Array, kPost: Float32Array, v: Float32Array): Promise<void> {
    return driveAsync(this.appendSteps(kPre, kPost, v));
  }

  /** The body of append/appendAsync (one token: nKvHeads*headDim each). */
  appendSteps(kPre: Float32Array, kPost: Float32Array, v: Float32Array): Generator<Step, void, unknown> {
    return this.appendManySteps(kPre, kPost, v, 1);
  }

  /**
   * Append `count` tokens at once: kPre, kPost, v are count*nKvHeads*headDim, token-major (row t
   * = token t, head-major inside). One code assignment per KV head for all of them (prefill);
   * every KV head's is issued before waiting.
   */
  *appendManySteps(kPre: Float32Array, kPost: Float32Array, v: Float32Array, count: number): Generator<Step, void, unknown> {
    const { nKvHeads, headDim: d } = this.o;
    const w = nKvHeads * d;
    checkInt('count', count, 0);
    checkFloat32('kPre', kPre, count * w); checkFloat32('kPost', kPost, count * w); checkFloat32('v', v, count * w);
    // Each head's keys of the block, contiguous (for one token, just that head's row).
    const heads = Array.from({ length: nKvHeads }, (_, h) => {
      if (count === 1) return kPre.subarray(h * d, (h + 1) * d);
      const keys = new Float32Array(count * d);
      for (let t = 0; t < count; t++) keys.set(kPre.subarray(t * w + h * d, t * w + (h + 1) * d), t * d);
      return keys;
    });
    yield* interleave(heads.map((keys, h) => this.vq.appendKeysSteps(h, keys, count)));
    const K = this.nearK.host(), V = this.nearV.host();
    for (let t = 0; t < count; t++, this.len++) {
      if (!(this.len < this.o.sinks || this.o.wrope.window > 0)) continue;
      const r = this.nearRow(this.len);
      for (let h = 0; h < nKvHeads; h++) {
        const at = (h * this.rows + r) * d;
        K.set(kPost.subarray(t * w + h * d, t * w + (h + 1) * d), at);
        V.set(v.subarray(t * w + h * d, t * w + (h + 1) * d), at);
      }
      this.nearDirty = true;
    }
  }

  /** Far selection of every KV head for the query at position pos (written to this.selections). */
  select(qPre: Float32Array, pos: number): Selection[] {
    return driveSync(this.selectSteps(qPre, pos), 'FastTier.select');
  }

  /** `select` on asynchronous kernels: the whole layer's scoring and top-K in one submission. */
  selectAsync(qPre: Float32Array, pos: number): Promise<Selection[]> {
    return driveAsync(this.selectSteps(qPre, pos));
  }

  /** The body of select/selectAsync. qPre: nHeads*headDim pre-RoPE queries. */
  *selectSteps(qPre: Float32Array, pos: number): Generator<Step, Selection[], unknown> {
    const { nHeads, nKvHeads, headDim: d } = this.o;
    const g = nHeads / nKvHeads;
    checkFloat32('qPre', qPre, nHeads * d);
    checkInt('pos', pos, 0);
    for (let h = 0; h < nKvHeads; h++) {
      this.stubs[h].length = this.len;
      const q = this.queries[h];
      q.pre = qPre.subarray(h * g * d, (h + 1) * g * d);
      q.pos = pos;
    }
    yield* this.retrieval.selectAllSteps(this.stubs, this.queries, this.selections);
    return this.selections;
  }

  /** Exact attention of every query head over its sinks + window (out: nHeads*d, lse: nHeads). */
  attendNear(qPost: Float32Array, out: Float32Array, lse: Float64Array): void {
    driveSync(this.attendNearSteps(qPost, out, lse), 'FastTier.attendNear');
  }

  /** `attendNear` on asynchronous kernels. */
  attendNearAsync(qPost: Float32Array, out: Float32Array, lse: Float64Array): Promise<void> {
    return driveAsync(this.attendNearSteps(qPost, out, lse));
  }

  /** Upload the near rows written since the last step (async kernels; nothing to do on sync ones). */
  pushNear(): void {
    if (!this.nearDirty) return;
    this.nearK.push();
    this.nearV.push();
    this.nearDirty = false;
  }

  /**
   * The body of attendNear/attendNearAsync, over the split of the last `select`. Issue it in the
   * same turn as other attention calls to share their GPU submission; call pushNear() before
   * any of them (an upload ends the open submission).
   */
  *attendNearSteps(qPost: Float32Array, out: Float32Array, lse: Float64Array): Generator<Step, void, unknown> {
    const { nHeads, headDim: d } = this.o;
    checkFloat32('qPost', qPost, nHeads * d); checkFloat32('out', out, nHeads * d); checkFloat64('lse', lse, nHeads);
    this.pushNear();
    const R = Math.max(1, this.rows);
    const counts = this.selections.map((s, h) => {
      // On sync kernels this is the resident view itself; on async ones a host array uploaded per call.
      const idx = this.nearIdx.host().subarray(h * R, (h + 1) * R);
      let c = 0;
      for (let t = 0; t < s.split.sinkEnd; t++) idx[c++] = this.nearRow(t);
      for (let t = s.split.windowStart; t < s.split.end; t++) idx[c++] = this.nearRow(t);
      return c;
    });
    yield* attendHeads(this.kernels, this.o, { qPost, counts, out, lse }, (h) => ({
      // Views per call: copying the (non-resident) query may grow memory and detach older views.
      K: () => this.nearK.arg().subarray(h * this.rows * d),
      V: () => this.nearV.arg().subarray(h * this.rows * d),
      idx: () => this.nearIdx.host().subarray(h * R, h * R + counts[h]),
      rows: this.rows,
    }));
  }

  dispose(): void {
    this.retrieval.dispose();
    this.vq.dispose();
    this.nearK.dispose(); this.nearV.dispose(); this.nearIdx.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}
