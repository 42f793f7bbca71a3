/**
 * Decode-time token selection for one layer (A²ATS §3.3), shared by every method: split the
 * context at position i into sinks, far and window (tracking i), let the method score the far
 * tokens, keep a budget of them (union or group top-R), and add sinks and window back.
 *
 * @example
 * const r = new Retrieval(kernels, new VqRetrieval(kernels, books, { wrope, groupSize: 4 }),
 *   { window: 64, sinks: 8, groupSize: 4, headDim: 128, budget: { mode: 'perHead', fraction: 0.03 } });
 * const sel = r.select(h, store.head(h), { pre, post, pos });   // sel.indices[0..sel.count)
 */
import type { Kernels, ResidentArray } from '../kernels/kernels.js';
import { badArgument } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { budgetTokens, checkBudget, type Budget } from './budget.js';
import type { HeadKeys } from './kv-store.js';
import { splitNearFar, type NearFarSplit } from './near-far.js';
import type { GroupQuery, RetrievalMethod } from './retrieval-method.js';
import { FarSelector } from './select-far.js';

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

/** Token selection for one layer: near/far split, method scores, budgeted union, sinks and window. */
export class Retrieval {
  readonly options: Readonly<RetrievalOptions>;
  private scores: ResidentArray<Float32Array>;
  private far = new Int32Array(0);
  private readonly selector: FarSelector;

  constructor(private readonly kernels: Kernels, readonly method: RetrievalMethod, options: RetrievalOptions) {
    checkInt('window', options.window, 0); checkInt('sinks', options.sinks, 0);
    checkInt('groupSize', options.groupSize, 1); checkInt('headDim', options.headDim, 1);
    checkBudget(options.budget);
    this.options = Object.freeze({ ...options });
    this.scores = kernels.allocF32(4096);
    this.selector = new FarSelector(kernels);
  }

  /**
   * Approximate far scores of the last `select` call: g*m (perHead) or m (group) values.
   * (A copy; for metrics.)
   */
  lastScores(len: number): Float32Array {
    return Float32Array.from(this.scores.view().subarray(0, len));
  }

  /** Select the tokens KV head `kvHead`'s group attends to at position query.pos. */
  select(kvHead: number, keys: HeadKeys, query: GroupQuery, out?: Selection): Selection {
    const { window, sinks, groupSize: g, budget } = this.options;
    const pos = query.pos;
    if (pos + 1 > keys.length) throw badArgument(`query.pos (${pos}) must be < keys.length (${keys.length})`);
    const split = splitNearFar(pos, window, sinks);
    const n = pos + 1;
    const m = split.farEnd - split.farStart;
    let farCount = 0;
    if (this.method.scoring === 'all') {
      farCount = m;
      this.ensureFar(m);
      for (let j = 0; j < m; j++) this.far[j] = j;
    } else if (m > 0) {
      const k = budgetTokens(budget, n, m);
      const rows = this.method.scoring === 'perHead' ? g : 1;
      if (this.scores.length < rows * m) {
        this.scores.free();
        this.scores = this.kernels.allocF32(Math.max(rows * m, 2 * this.scores.length));
      }
      this.method.score(kvHead, keys, query, split.farStart, split.farEnd, this.scores);
      this.ensureFar(Math.min(m, g * k));
      const sv = this.scores.view().subarray(0, rows * m);
      if (this.method.scoring === 'group') farCount = this.selector.groupTopK(sv, m, k, this.far);
      else if (budget.mode === 'perHead') farCount = this.selector.unionTopK(sv, g, m, k, this.far);
      else farCount = this.selector.interleavedUnion(sv, g, m, k, this.far);
    }
    const count = split.sinkEnd + farCount + (split.end - split.windowStart);
    const sel = out ?? { indices: new Int32Array(count), count: 0, farCount: 0, split };
    if (sel.indices.length < count) sel.indices = new Int32Array(Math.max(count, 2 * sel.indices.length));
    const idx = sel.indices;
    let c = 0;
    for (let j = 0; j < split.sinkEnd; j++) idx[c++] = j;
    for (let f = 0; f < farCount; f++) idx[c++] = split.farStart + this.far[f];
    for (let j = split.windowStart; j < split.end; j++) idx[c++] = j;
    sel.count = c;
    sel.farCount = farCount;
    sel.split = split;
    return sel;
  }

  private ensureFar(n: number): void {
    if (this.far.length < n) this.far = new Int32Array(Math.max(n, 2 * this.far.length));
  }

  /** Release the selector's scratch (the method is not disposed: its owner does that). */
  dispose(): void {
    this.scores.free();
  }
}
