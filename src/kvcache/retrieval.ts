/**
 * Decode-time token selection for one layer (A²ATS §3.3), shared by every method: split the
 * context at position i into sinks, far and window (tracking i), let the method score the far
 * tokens, keep a budget of them (union or group top-R), and add sinks and window back.
 *
 * @example
 * const r = new Retrieval(kernels, new VqRetrieval(kernels, books, { wrope, groupSize: 4 }),
 *   { window: 64, sinks: 8, groupSize: 4, headDim: 128, budget: { mode: 'perHead', fraction: 0.03 } });
 * const sel = r.select(h, store.head(h), { pre, post, pos });   // sel.indices[0..sel.count)
 *
 * Synchronous and asynchronous kernels: the selection is written once, as a generator
 * (`selectSteps`) over `Kernels | AsyncKernels`; `select` runs it with driveSync (unchanged
 * results), `selectAsync` with driveAsync. On async kernels (webgpu) the scores stay in a
 * device array and only the chosen indices (k ints per query head) come back to the host —
 * the method must then implement `scoreSteps` (VqRetrieval does) and be built on the same
 * kernels. `selectAll`/`selectAllAsync` select for every KV head of a layer at once: all heads'
 * kernel calls are issued before any is awaited, so on webgpu a layer's scoring and top-K is
 * one GPU submission (issuing head by head would wait for each head in turn).
 *
 * @example
 * const gpu = await createAsyncKernels({ backend: 'webgpu' });
 * const vq = new VqRetrieval(gpu, books, { wrope, groupSize: 4, capacity: n });
 * await vq.observeAsync(h, keysOfHead, 0, n);                    // codes stay on the GPU
 * const r = new Retrieval(gpu, vq, opts);
 * const sels = await r.selectAllAsync(keysOfEachHead, queriesOfEachHead);   // one submission
 */
import type { Kernels } from '../kernels/kernels.js';
import { isAsyncKernels, needsSyncKernels, type AsyncKernels } from '../kernels/async-kernels.js';
import { mirrorF32, type HostMirror } from '../kernels/host-mirror.js';
import { driveAsync, driveSync, type Step } from '../kernels/maybe-async.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { budgetTokens, checkBudget, type Budget } from './budget.js';
import type { HeadKeys } from './kv-store.js';
import { splitNearFar, type NearFarSplit } from './near-far.js';
import type { GroupQuery, RetrievalMethod } from './retrieval-method.js';
import { FarSelector } from './select-far.js';
import { interleave } from '../kernels/maybe-async.js';

/** Window, sinks, budget and group shape of a Retrieval. */
export interface RetrievalOptions {
  /** Window w (A²ATS default 64). */
  window: number;
  /** Attention sinks s (default 8). */
  sinks: number;
  budget: Budget;
  groupSize: number;
  headDim: number;
}

/** The tokens one KV head's group attends to at one step. */
export interface Selection {
  /** Token indices in increasing order: sinks, selected far tokens, window. */
  indices: Int32Array;
  count: number;
  /** Far tokens selected (realized far budget). */
  farCount: number;
  /** The split this selection was made under. */
  split: NearFarSplit;
}

/** Scratch of one selection in flight: scores (device-side on async kernels), far offsets, top-K lists. */
interface Slot {
  scores: HostMirror<Float32Array>;
  far: Int32Array;
  readonly selector: FarSelector;
}

/** Token selection for one layer: near/far split, method scores, budgeted union, sinks and window. */
export class Retrieval {
  readonly options: Readonly<RetrievalOptions>;
  /** slots[0]: select/selectAsync; slots[1 + h]: KV head h of selectAll (heads run side by side). */
  private readonly slots: Slot[] = [];
  private last: Slot;

  /**
   * @param kernels - synchronous kernels, or asynchronous ones (use the `…Async` methods; the
   *   method must have been built on the same kernels and implement `scoreSteps`).
   */
  constructor(private readonly kernels: Kernels | AsyncKernels, readonly method: RetrievalMethod, options: RetrievalOptions) {
    if (options === null || typeof options !== 'object') throw badArgument('options must be an object');
    checkInt('window', options.window, 0); checkInt('sinks', options.sinks, 0);
    checkInt('groupSize', options.groupSize, 1); checkInt('headDim', options.headDim, 1);
    checkBudget(options.budget);
    this.options = Object.freeze({ ...options });
    this.last = this.slot(0);
  }

  private slot(i: number): Slot {
    while (this.slots.length <= i) {
      this.slots.push({ scores: mirrorF32(this.kernels, 4096), far: new Int32Array(0), selector: new FarSelector(this.kernels) });
    }
    return this.slots[i];
  }

  /**
   * Approximate far scores of the last `select` call: g*m (perHead) or m (group) values
   * (after selectAll: those of its last KV head). A copy; for metrics. Sync kernels.
   */
  lastScores(len: number): Float32Array {
    return driveSync(this.lastScoresSteps(len), 'Retrieval.lastScores');
  }

  /** `lastScores` on asynchronous kernels (reads the scores back from the device). */
  lastScoresAsync(len: number): Promise<Float32Array> {
    return driveAsync(this.lastScoresSteps(len));
  }

  private *lastScoresSteps(len: number): Generator<Step, Float32Array, unknown> {
    checkInt('len', len, 0, this.last.scores.length);
    yield* this.last.scores.pull();
    return Float32Array.from(this.last.scores.host().subarray(0, len));
  }

  /** Select the tokens KV head `kvHead`'s group attends to at position query.pos. */
  select(kvHead: number, keys: HeadKeys, query: GroupQuery, out?: Selection): Selection {
    return driveSync(this.selectSteps(kvHead, keys, query, out), 'Retrieval.select');
  }

  /** `select` on asynchronous kernels: scores stay on the device; the chosen indices come back. */
  selectAsync(kvHead: number, keys: HeadKeys, query: GroupQuery, out?: Selection): Promise<Selection> {
    return driveAsync(this.selectSteps(kvHead, keys, query, out));
  }

  /**
   * Select for every KV head of the layer at one step: keys[h] and queries[h] belong to KV head
   * h; out (optional) receives the selections. Same result as `select` head by head.
   */
  selectAll(keys: HeadKeys[], queries: GroupQuery[], out?: Selection[]): Selection[] {
    return driveSync(this.selectAllSteps(keys, queries, out), 'Retrieval.selectAll');
  }

  /** `selectAll` on asynchronous kernels: every head's kernel calls are issued before any is awaited. */
  selectAllAsync(keys: HeadKeys[], queries: GroupQuery[], out?: Selection[]): Promise<Selection[]> {
    return driveAsync(this.selectAllSteps(keys, queries, out));
  }

  /** The body of selectAll/selectAllAsync: the heads' bodies run side by side (./interleave.ts). */
  *selectAllSteps(keys: HeadKeys[], queries: GroupQuery[], out?: Selection[]): Generator<Step, Selection[], unknown> {
    if (!Array.isArray(keys)) throw badArgument('keys must be an array (one HeadKeys per KV head)');
    if (!Array.isArray(queries) || queries.length !== keys.length) {
      throw badArgument(`queries must be an array of ${keys.length} GroupQuery (one per KV head), got ${Array.isArray(queries) ? queries.length : typeof queries}`);
    }
    if (out !== undefined && (!Array.isArray(out) || out.length < keys.length)) throw badArgument(`out must be an array of at least ${keys.length} selections`);
    for (let h = 0; h < keys.length; h++) this.slot(1 + h); // allocate before any head runs
    return yield* interleave(keys.map((k, h) => this.selectOn(this.slots[1 + h], h, k, queries[h], out?.[h])));
  }

  /** The body of select/selectAsync (one KV head). */
  selectSteps(kvHead: number, keys: HeadKeys, query: GroupQuery, out?: Selection): Generator<Step, Selection, unknown> {
    return this.selectOn(this.slot(0), kvHead, keys, query, out);
  }

  /** One KV head's selection on the scratch of `slot`. */
  private *selectOn(slot: Slot, kvHead: number, keys: HeadKeys, query: GroupQuery, out?: Selection): Generator<Step, Selection, unknown> {
    const { window, sinks, groupSize: g, budget } = this.options;
    if (keys === null || typeof keys !== 'object') throw badArgument('keys must be a HeadKeys');
    if (query === null || typeof query !== 'object') throw badArgument('query must be a GroupQuery');
    const pos = query.pos;
    checkInt('query.pos', pos, 0);
    if (pos + 1 > keys.length) throw badArgument(`query.pos (${pos}) must be < keys.length (${keys.length})`);
    const split = splitNearFar(pos, window, sinks);
    const n = pos + 1;
    const m = split.farEnd - split.farStart;
    this.last = slot;
    let farCount = 0;
    if (this.method.scoring === 'all') {
      farCount = m;
      ensureFar(slot, m);
      for (let j = 0; j < m; j++) slot.far[j] = j;
    } else if (m > 0) {
      const k = budgetTokens(budget, n, m);
      const rows = this.method.scoring === 'perHead' ? g : 1;
      if (slot.scores.length < rows * m) {
        const grown = Math.max(rows * m, 2 * slot.scores.length);
        slot.scores.free();
        slot.scores = mirrorF32(this.kernels, grown);
      }
      // Scoring calls are issued, not awaited: the top-K below reads the scores in device order,
      // and both are settled together (one GPU submission for the whole step).
      let pending: unknown[] = [];
      if (this.method.scoreSteps) {
        pending = yield* this.method.scoreSteps(kvHead, keys, query, split.farStart, split.farEnd, slot.scores);
      } else if (isAsyncKernels(this.kernels)) {
        throw new SparseInferenceError('UNAVAILABLE', `${needsSyncKernels(`method '${this.method.name}'`).message} (it has no scoreSteps)`);
      } else {
        const scores = slot.scores;
        this.method.score(kvHead, keys, query, split.farStart, split.farEnd, { length: scores.length, view: () => scores.host(), free: () => scores.free() });
      }
      ensureFar(slot, Math.min(m, g * k));
      const sv = slot.scores.arg().subarray(0, rows * m);
      if (this.method.scoring === 'group') farCount = yield* slot.selector.groupTopKSteps(sv, m, k, slot.far, pending);
      else if (budget.mode === 'perHead') farCount = yield* slot.selector.unionTopKSteps(sv, g, m, k, slot.far, pending);
      else farCount = yield* slot.selector.interleavedUnionSteps(sv, g, m, k, slot.far, pending);
    }
    const count = split.sinkEnd + farCount + (split.end - split.windowStart);
    const sel = out ?? { indices: new Int32Array(count), count: 0, farCount: 0, split };
    if (sel.indices.length < count) sel.indices = new Int32Array(Math.max(count, 2 * sel.indices.length));
    const idx = sel.indices;
    let c = 0;
    for (let j = 0; j < split.sinkEnd; j++) idx[c++] = j;
    for (let f = 0; f < farCount; f++) idx[c++] = split.farStart + slot.far[f];
    for (let j = split.windowStart; j < split.end; j++) idx[c++] = j;
    sel.count = c;
    sel.farCount = farCount;
    sel.split = split;
    return sel;
  }

  /** Release the selector's scratch (the method is not disposed: its owner does that). */
  dispose(): void {
    for (const s of this.slots) s.scores.free();
    this.slots.length = 0;
  }
}

function ensureFar(slot: Slot, n: number): void {
  if (slot.far.length < n) slot.far = new Int32Array(Math.max(n, 2 * slot.far.length));
}
