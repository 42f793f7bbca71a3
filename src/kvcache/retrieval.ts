/**
 * Decode-time token selection for one layer (A²ATS §3.3), shared by every method: split the
 * context at position i into sinks, far and window (tracking i), let the method score the far
 * tokens, keep a budget of them (union or group top-R), and add sinks and window back.
 *
 * @example
 * const r = new Retrieval(kernels, new VqRetrieval(kernels, books, { wrope, groupSize: 4 }),
 *   { window: 64, sinks: 8, groupSize: 4, headDim: 128, budget: { mode: 'perHead', fraction: 0.03 } });
 * const sel = await r.select(h, store.head(h), { pre, post, pos });   // sel.indices[0..sel.count)
 *
 * Any kernels: selection is one async function. On a GPU (webgpu) the scores stay in a device
 * array and only the chosen indices (k ints per query head) come back to the host.
 * `selectAll` selects for every KV head of a layer at once: all heads' kernel calls are issued
 * before any is awaited, so on webgpu a layer's scoring and top-K share GPU submissions
 * (issuing head by head would wait for each head in turn). With per-head scores and the
 * per-head budget (the paper's rule) the heads also share one top-K: every head's g rows go
 * into one nKv·g × m array and one topKSelectRows selects all of them (on a GPU one dispatch
 * chain per layer instead of one per KV head); each head's union is then taken on the host.
 * The sets are the same as head by head.
 *
 * @example
 * const gpu = await createKernels({ backend: 'webgpu' });
 * const vq = new VqRetrieval(gpu, books, { wrope, groupSize: 4, capacity: n });
 * await vq.observe(h, keysOfHead, 0, n);                          // codes stay on the GPU
 * const r = new Retrieval(gpu, vq, opts);
 * const sels = await r.selectAll(keysOfEachHead, queriesOfEachHead);
 */
import { checkKernels } from '../kernels/check-kernels.js';
import type { Kernels } from '../kernels/kernels.js';
import { mirrorF32, type HostMirror } from '../kernels/host-mirror.js';
import { badArgument } from '../core/errors.js';
import { checkFinite, checkFloat32, checkInt, checkOneOf } from '../core/validate.js';
import { budgetTokens, checkBudget, type Budget } from './budget.js';
import type { HeadKeys } from './kv-store.js';
import { splitNearFar, type NearFarSplit } from './near-far.js';
import type { GroupQuery, RetrievalMethod, ScoreBuffer } from './retrieval-method.js';
import { FarSelector } from './select-far.js';
import { awaitAll } from './await-all.js';
import { disposeSymbol } from '../core/dispose.js';
import { checkOptions, optionKeys } from '../core/options.js';

/** Window, sinks, budget and group shape of a Retrieval. */
export interface RetrievalOptions {
  /** Window w (A²ATS default 64). */
  window: number;
  /** Attention sinks s (default 8). */
  sinks: number;
  budget: Budget;
  groupSize: number;
  headDim: number;
  /**
   * Which of equally scored far tokens is kept (default 'oldest', the kernels' rule: the lower
   * index). 'recent' keeps the later one. Lookup-table scores tie often (every token of a
   * centroid scores the same), so the rule decides which of them fill the budget.
   */
  ties?: 'oldest' | 'recent';
}

/** Every key of RetrievalOptions, for checkOptions. */
export const RETRIEVAL_KEYS = optionKeys<RetrievalOptions>({ window: true, sinks: true, budget: true, groupSize: true, headDim: true, ties: true });

/** Options of one selection: `signal` stops long per-request scoring work (PQCache's fit). */
export interface SelectOptions {
  signal?: AbortSignal;
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

/** Scratch of one selection in flight: scores (device-side on a GPU), far offsets, top-K lists. */
interface Slot {
  scores: HostMirror<Float32Array>;
  far: Int32Array;
  readonly selector: FarSelector;
}

/** Token selection for one layer: near/far split, method scores, budgeted union, sinks and window. */
export class Retrieval {
  readonly options: Readonly<RetrievalOptions>;
  /**
   * slots[0]: select; slots[1 + h]: KV head h of selectAll (heads run side by side).
   * The shared top-K of selectAll keeps every head's scores in slots[1].scores (head h at h·g·m).
   */
  private readonly slots: Slot[] = [];
  private last: Slot;
  /** Where the last selection's scores start in last.scores. */
  private lastOffset = 0;

  /** @param kernels - the kernels `method` was built on. */
  constructor(private readonly kernels: Kernels, readonly method: RetrievalMethod, options: RetrievalOptions) {
    checkKernels('kernels', kernels);
    if (options === null || options === undefined) throw badArgument('Retrieval options must give window, sinks, budget, groupSize and headDim');
    checkOptions('Retrieval options', options, RETRIEVAL_KEYS);
    checkInt('window', options.window, 0); checkInt('sinks', options.sinks, 0);
    checkInt('groupSize', options.groupSize, 1); checkInt('headDim', options.headDim, 1);
    checkBudget(options.budget);
    if (options.ties !== undefined) checkOneOf('ties', options.ties, ['oldest', 'recent'] as const);
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
   * (after selectAll: those of its last KV head). A copy (read back from a GPU); for metrics.
   */
  async lastScores(len: number): Promise<Float32Array> {
    checkInt('len', len, 0, this.last.scores.length - this.lastOffset);
    await this.last.scores.pull();
    return Float32Array.from(this.last.scores.host().subarray(this.lastOffset, this.lastOffset + len));
  }

  /** Select the tokens KV head `kvHead`'s group attends to at position query.pos. */
  select(kvHead: number, keys: HeadKeys, query: GroupQuery, out?: Selection, options?: SelectOptions): Promise<Selection> {
    return this.selectOn(this.slot(0), kvHead, keys, query, out, options);
  }

  /**
   * Select for every KV head of the layer at one step: keys[h] and queries[h] belong to KV head
   * h; out (optional) receives the selections. Same result as `select` head by head; every
   * head's kernel calls are issued before any is awaited.
   */
  async selectAll(keys: HeadKeys[], queries: GroupQuery[], out?: Selection[], options?: SelectOptions): Promise<Selection[]> {
    if (!Array.isArray(keys)) throw badArgument('keys must be an array (one HeadKeys per KV head)');
    if (!Array.isArray(queries) || queries.length !== keys.length) {
      throw badArgument(`queries must be an array of ${keys.length} GroupQuery (one per KV head), got ${Array.isArray(queries) ? queries.length : typeof queries}`);
    }
    if (out !== undefined && (!Array.isArray(out) || out.length < keys.length)) throw badArgument(`out must be an array of at least ${keys.length} selections`);
    for (let h = 0; h < keys.length; h++) this.slot(1 + h); // allocate before any head runs
    if (this.method.scoring === 'perHead' && this.options.budget.mode === 'perHead' && keys.length > 0) {
      // One top-K for all heads needs one m and k: both depend only on pos (the split and budget).
      const plans = keys.map((k, h) => this.plan(k, queries[h]));
      if (plans.every((p) => p.n === plans[0].n)) return this.selectAllUnion(keys, queries, plans, out, options);
    }
    // Head after head: a method's scratch (PQCache's tables, its last per-head scores) serves one call at a time.
    const sels: Selection[] = [];
    for (let h = 0; h < keys.length; h++) sels.push(await this.selectOn(this.slots[1 + h], h, keys[h], queries[h], out?.[h], options));
    return sels;
  }

  /** Validated split of one head's step: n = pos + 1 tokens, m far ones. */
  private plan(keys: HeadKeys, query: GroupQuery): { split: NearFarSplit; n: number; m: number } {
    const { window, sinks } = this.options;
    if (keys === null || typeof keys !== 'object') throw badArgument('keys must be a HeadKeys');
    if (query === null || typeof query !== 'object') throw badArgument('query must be a GroupQuery');
    // O(g·headDim), once per step: a NaN query makes every score NaN, and the selection then
    // names arbitrary tokens (it returned indices such as 2143289346).
    checkFloat32('query.pre', query.pre); checkFloat32('query.post', query.post);
    checkFinite('query.pre', query.pre); checkFinite('query.post', query.post);
    const pos = query.pos;
    checkInt('query.pos', pos, 0);
    if (pos + 1 > keys.length) throw badArgument(`query.pos (${pos}) must be < keys.length (${keys.length})`);
    const split = splitNearFar(pos, window, sinks);
    return { split, n: pos + 1, m: split.farEnd - split.farStart };
  }

  /** One KV head's selection on the scratch of `slot`. */
  private async selectOn(slot: Slot, kvHead: number, keys: HeadKeys, query: GroupQuery, out?: Selection,
    options?: SelectOptions): Promise<Selection> {
    const { groupSize: g, budget } = this.options;
    const { split, n, m } = this.plan(keys, query);
    this.last = slot;
    this.lastOffset = 0;
    let farCount = 0;
    if (this.method.scoring === 'all') {
      farCount = m;
      ensureFar(slot, m);
      for (let j = 0; j < m; j++) slot.far[j] = j;
    } else if (m > 0) {
      const k = budgetTokens(budget, n, m);
      const rows = this.method.scoring === 'perHead' ? g : 1;
      this.ensureScores(slot, rows * m);
      // Scoring calls are issued, not awaited: the top-K below reads the scores in device order,
      // and both are awaited together (one GPU submission for the whole step).
      await this.prepareScoring([kvHead], [query]);
      const started = this.startScoring([kvHead], [keys], [query], [split], () => slot.scores, options);
      let pending = Array.isArray(started) ? started : await started;
      ensureFar(slot, Math.min(m, g * k));
      const recent = this.options.ties === 'recent';
      if (recent) pending = await reverseScoreRows(slot.scores, rows, m, pending);
      const sv = slot.scores.arg().subarray(0, rows * m);
      if (this.method.scoring === 'group') farCount = await slot.selector.groupTopK(sv, m, k, slot.far, pending);
      else if (budget.mode === 'perHead') farCount = await slot.selector.unionTopK(sv, g, m, k, slot.far, pending);
      else farCount = await slot.selector.interleavedUnion(sv, g, m, k, slot.far, pending);
      if (recent) {
        await reverseScoreRows(slot.scores, rows, m, []);
        unreverseOffsets(slot.far, farCount, m);
      }
    }
    return selection(split, farCount, slot.far, out);
  }

  /**
   * selectAll with per-head scores and budget, every head at the same position: all heads'
   * scoring issued side by side into one nKv·g × m array (slots[1].scores), one top-K over its
   * rows, each head's union on the host. Per-head scoring methods keep their state per KV head,
   * so their calls may overlap.
   */
  private async selectAllUnion(keys: HeadKeys[], queries: GroupQuery[], plans: { split: NearFarSplit; n: number; m: number }[],
    out?: Selection[], options?: SelectOptions): Promise<Selection[]> {
    const g = this.options.groupSize, nKv = keys.length, { n, m } = plans[0];
    const heads = this.slots.slice(1, 1 + nKv), shared = heads[0];
    const counts = new Array<number>(nKv).fill(0);
    this.last = heads[nKv - 1];
    this.lastOffset = 0;
    if (m > 0) {
      const k = budgetTokens(this.options.budget, n, m);
      this.ensureScores(shared, nKv * g * m);
      this.last = shared;
      this.lastOffset = (nKv - 1) * g * m;
      const kvHeads = keys.map((_, h) => h);
      await this.prepareScoring(kvHeads, queries);
      const started = this.startScoring(kvHeads, keys, queries, plans.map((p) => p.split), (h) => window(shared.scores, h * g * m), options);
      let pending = Array.isArray(started) ? started : await started;
      for (const s of heads) ensureFar(s, Math.min(m, g * k));
      const recent = this.options.ties === 'recent';
      if (recent) pending = await reverseScoreRows(shared.scores, nKv * g, m, pending);
      const sv = shared.scores.arg().subarray(0, nKv * g * m);
      const got = await shared.selector.unionTopKGroups(sv, nKv, g, m, k, heads.map((s) => s.far), pending);
      for (let h = 0; h < nKv; h++) counts[h] = got[h];
      if (recent) {
        await reverseScoreRows(shared.scores, nKv * g, m, []);
        for (let h = 0; h < nKv; h++) unreverseOffsets(heads[h].far, counts[h], m);
      }
    }
    return heads.map((s, h) => selection(plans[h].split, counts[h], s.far, out?.[h]));
  }

  /**
   * Score the far tokens of the given KV heads; returns what the selection must await with its
   * own calls. A method that issues all its kernel calls before `score` returns (queries
   * prepared first, `prepareQuery`) is not awaited: the array comes back at once, so the caller
   * issues its selection in the same turn and on a GPU it joins the scoring's submission. Any
   * other method is awaited here (it may write the scores on the host).
   */
  private async prepareScoring(heads: number[], queries: GroupQuery[]): Promise<void> {
    const m = this.method;
    if (m.issuesBeforeReturn && m.prepareQuery) await Promise.all(heads.map((h, i) => m.prepareQuery!(h, queries[i])));
  }

  private startScoring(heads: number[], keys: HeadKeys[], queries: GroupQuery[], splits: NearFarSplit[],
    out: (i: number) => ScoreBuffer, options?: SelectOptions): unknown[] | Promise<unknown[]> {
    const m = this.method;
    const scores = heads.map((h, i) => m.score(h, keys[i], queries[i], splits[i].farStart, splits[i].farEnd, out(i), options));
    if (m.issuesBeforeReturn && m.prepareQuery) {
      return scores.map((s) => {
        const p = s.then((issued) => awaitAll(issued));
        p.catch(() => {}); // awaited by the selection; never left unhandled if a check stops it first
        return p;
      });
    }
    return Promise.all(scores).then((issued) => issued.flat());
  }

  /** Grow slot.scores to at least len elements (contents are not kept). */
  private ensureScores(slot: Slot, len: number): void {
    if (slot.scores.length < len) {
      const grown = Math.max(len, 2 * slot.scores.length);
      slot.scores.dispose();
      slot.scores = mirrorF32(this.kernels, grown);
    }
  }

  /** Release the selector's scratch (the method is not disposed: its owner does that). */
  dispose(): void {
    for (const s of this.slots) s.scores.dispose();
    this.slots.length = 0;
  }

  [disposeSymbol](): void { this.dispose(); }
}

/** The selection of one head: sinks, the farCount far offsets of `far`, window (into out when given). */
function selection(split: NearFarSplit, farCount: number, far: Int32Array, out?: Selection): Selection {
  const count = split.sinkEnd + farCount + (split.end - split.windowStart);
  const sel = out ?? { indices: new Int32Array(count), count: 0, farCount: 0, split };
  if (sel.indices.length < count) sel.indices = new Int32Array(Math.max(count, 2 * sel.indices.length));
  const idx = sel.indices;
  let c = 0;
  for (let j = 0; j < split.sinkEnd; j++) idx[c++] = j;
  for (let f = 0; f < farCount; f++) idx[c++] = split.farStart + far[f];
  for (let j = split.windowStart; j < split.end; j++) idx[c++] = j;
  sel.count = c;
  sel.farCount = farCount;
  sel.split = split;
  return sel;
}

/** Elements [offset, …) of a score mirror, as the ScoreBuffer a method writes. */
function window(scores: HostMirror<Float32Array>, offset: number): ScoreBuffer {
  if (offset === 0) return scores;
  return {
    length: scores.length - offset,
    arg: () => scores.arg().subarray(offset),
    host: () => scores.host().subarray(offset),
    push: () => scores.push(),
  };
}

/**
 * Reverse each of the first `rows` rows (m scores each) in place, after the calls in `pending`
 * wrote them: the selection kernels give ties to the lower index, so on reversed rows they give
 * them to the more recent token. Returns what is left to await (nothing).
 */
async function reverseScoreRows(scores: HostMirror<Float32Array>, rows: number, m: number, pending: readonly unknown[]): Promise<unknown[]> {
  await awaitAll(pending);
  await scores.pull();
  const s = scores.host();
  for (let r = 0; r < rows; r++) s.subarray(r * m, (r + 1) * m).reverse();
  scores.push();
  return [];
}

/** Far offsets chosen on reversed rows → offsets in the original order, increasing again. */
function unreverseOffsets(far: Int32Array, count: number, m: number): void {
  for (let f = 0; f < count; f++) far[f] = m - 1 - far[f];
  far.subarray(0, count).reverse();
}

function ensureFar(slot: Slot, n: number): void {
  if (slot.far.length < n) slot.far = new Int32Array(Math.max(n, 2 * slot.far.length));
}
