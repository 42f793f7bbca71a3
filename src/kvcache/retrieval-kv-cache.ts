/**
 * Retrieval attention as a KV-cache component the llama model hosts (src/llama/components.ts):
 * the cache owns every layer's keys and values (pre-RoPE keys for the codes, post-RoPE keys
 * and values for attention) and, at each decode step, lets a retrieval method pick the tokens
 * the query attends to — A²ATS (windowed RoPE + query-aware VQ codes, LUT scores, per-head
 * top-K with GQA union; He et al., arXiv 2502.12665), plain VQ + WRoPE, Quest (arXiv
 * 2406.10774), PQCache (arXiv 2407.12820), the oracle top-K, or full attention — then attends
 * exactly (exact RoPE) over sinks ∪ selected far tokens ∪ window with `selectiveAttention`.
 *
 *   append(l, pos, k̃, k, v):  store row pos of layer l; the method indexes it (codes, pages)
 *   attend(l, pos, q̃, q, out): per KV head: split at pos, score far tokens, keep the budget,
 *                               out_h = Σ_{j∈S} softmax_{j∈S}(q_h·k_j/√d) v_j
 *
 * The same per-layer pieces as the evaluators use (KvStore, a RetrievalMethod, Retrieval,
 * attendSelected), so a model with this cache computes what the evaluation measures. Works on
 * every backend: on CPU backends keys, codes and scores are resident in the backend's memory;
 * on a GPU the keys stay in host memory (the methods read them there) and the scoring and
 * attention kernels run on the device.
 *
 * Optional `probe`: attend writes *exact* attention (the model runs unchanged) and reports
 * each step's selection and retrieval output — how evaluateLlama measures recall and output
 * error on real activations.
 *
 * @example
 * const kv = new RetrievalKvCache({ method: 'a2ats', codebooks: { queryAware: set },
 *   window: 16, sinks: 4, budget: { mode: 'perHead', fraction: 0.1 } });
 * await model.use({ kv });
 * const logits = await model.forward(token, pos);
 */
import type { Awaitable } from '../core/awaitable.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkInt, checkNumber, checkOneOf, describe } from '../core/validate.js';
import { disposeSymbol } from '../core/dispose.js';
import { checkOptions, optionKeys } from '../core/options.js';
import type { F32Arg } from '../kernels/device-array.js';
import type { Kernels } from '../kernels/kernels.js';
import type { ComponentStats, KvCache, ModelShape } from '../llama/components.js';
import { budgetTokens, checkBudget, type Budget } from './budget.js';
import type { CodebookSet } from './codebook-set.js';
import { createMethod, METHOD_NAMES, type MethodName } from './eval/methods.js';
import { KvStore, type HeadKeys } from './kv-store.js';
import type { PqCacheOptions } from './methods/pqcache.js';
import type { RetrievalMethod } from './retrieval-method.js';
import { Retrieval, type Selection } from './retrieval.js';
import { attendSelected } from './sparse-attention.js';
import type { WRopeConfig } from './wrope.js';
import { checkBindArgs, checkComponentArray, readInto } from '../llama/check-component-args.js';
import type { DecodeRetrieval } from '../kernels/decode-step.js';
import { splitNearFar } from './near-far.js';

/** Method, window/sinks/budget, WRoPE distance, codebooks and baseline settings of a RetrievalKvCache. */
export interface RetrievalKvCacheOptions {
  /** 'a2ats' and 'vq-wrope' need codebooks (query-aware resp. plain; `kvcache calibrate`). */
  method: MethodName;
  /** Window w (default: the codebooks' WRoPE window, else 16 — for 512-token contexts; the paper uses 64 at 32K–128K). */
  window?: number;
  /** Attention sinks s (default 4). */
  sinks?: number;
  /** Far budget (default: per head, ρ = 0.1, union over the GQA group). */
  budget?: Budget;
  /** WRoPE distance b (default: the codebooks' distance, else 64). */
  distance?: number;
  codebooks?: { queryAware?: CodebookSet; plain?: CodebookSet };
  /** Quest page size (default 8). */
  questPageSize?: number;
  /** PQCache settings (default M = 2, B = 4). */
  pq?: PqCacheOptions;
  /** Probe mode: report every KV head's selection (see the file header). */
  probe?: (info: KvProbeInfo) => Awaitable<void>;
  /**
   * What attend writes in probe mode: 'exact' attention (default: the model runs unchanged, the
   * probe sees what each method would select on exact activations) or the 'selected' tokens'
   * attention, as without a probe (the probe watches the sparse model itself).
   */
  probeOutput?: 'exact' | 'selected';
  /** Which of equally scored far tokens is kept (default 'oldest'; see RetrievalOptions.ties). */
  ties?: 'oldest' | 'recent';
  /** Stops per-request scoring work (PQCache's codebook fit) within ~250 ms: ABORTED. */
  signal?: AbortSignal;
  /**
   * Backend memory grown into at bind (bytes, default 32 MiB). Methods allocate lazily
   * (per-request codebooks, score scratch); an allocation that grows WASM memory during a call
   * would detach the model's views, so the memory is grown once, up front.
   */
  reserveBytes?: number;
}

/** Every key of RetrievalKvCacheOptions, for checkOptions. */
export const RETRIEVAL_KV_CACHE_KEYS = optionKeys<RetrievalKvCacheOptions>({
  method: true, window: true, sinks: true, budget: true, distance: true, codebooks: true, questPageSize: true, pq: true,
  probe: true, probeOutput: true, ties: true, signal: true, reserveBytes: true,
});

/** What probe mode reports for one KV head at one step. */
export interface KvProbeInfo {
  layer: number;
  kvHead: number;
  pos: number;
  keys: HeadKeys;
  /** g*d post-RoPE queries of the group. */
  qPost: Float32Array;
  selection: Selection;
  /** g*d outputs of attention over the selection. */
  out: Float32Array;
  retrieval: Retrieval;
}

/** One layer: its keys and values, the method's index over them, and the selection scratch. */
interface LayerState {
  store: KvStore;
  method: RetrievalMethod;
  retrieval: Retrieval;
}

/** A KvCache that attends over the tokens a retrieval method selects (see the file header). */
export class RetrievalKvCache implements KvCache {
  readonly name: string;
  private readonly o: Readonly<RetrievalKvCacheOptions> & { window: number; sinks: number; budget: Budget; distance: number };
  private shape: ModelShape | null = null;
  private kernels: Kernels | null = null;
  private layers: LayerState[] = [];
  private readonly sel: Selection = { indices: new Int32Array(0), count: 0, farCount: 0, split: { sinkEnd: 0, farStart: 0, farEnd: 0, windowStart: 0, end: 0 } };
  private kPre = new Float32Array(0);
  private kPost = new Float32Array(0);
  private v = new Float32Array(0);
  private qPre = new Float32Array(0);
  private qPost = new Float32Array(0);
  private out = new Float32Array(0);
  private headOut = new Float32Array(0);
  private exactOut = new Float32Array(0);
  private all = new Int32Array(0);
  private stepRetrieval: DecodeRetrieval | null = null;
  private steps = 0;
  private attended = 0;
  private context = 0;

  /** @example new RetrievalKvCache({ method: 'quest', budget: { mode: 'perHead', fraction: 0.2 } }) */
  constructor(options: RetrievalKvCacheOptions) {
    if (options === null || typeof options !== 'object') throw badArgument(`RetrievalKvCache options must be an object giving the method, got ${describe(options)}`);
    const o = checkOptions('RetrievalKvCache options', options, RETRIEVAL_KV_CACHE_KEYS);
    checkOneOf('method', o.method, METHOD_NAMES);
    const recorded = (o.codebooks?.queryAware ?? o.codebooks?.plain)?.info.wrope; // what the codebooks were trained for
    const window = checkInt('window', o.window ?? recorded?.window ?? 16, 0);
    const sinks = checkInt('sinks', o.sinks ?? 4, 0);
    const budget = checkBudget(o.budget ?? { mode: 'perHead', fraction: 0.1 });
    const distance = checkNumber('distance', o.distance ?? recorded?.distance ?? 64, 0);
    if (o.questPageSize !== undefined) checkInt('questPageSize', o.questPageSize, 1);
    if (o.probe !== undefined && typeof o.probe !== 'function') throw badArgument(`probe must be a function, got ${describe(o.probe)}`);
    if (o.probeOutput !== undefined) checkOneOf('probeOutput', o.probeOutput, ['exact', 'selected'] as const);
    if (o.ties !== undefined) checkOneOf('ties', o.ties, ['oldest', 'recent'] as const);
    if (o.reserveBytes !== undefined) checkInt('reserveBytes', o.reserveBytes, 0);
    if ((o.method === 'a2ats' || o.method === 'a2ats-bands') && !o.codebooks?.queryAware) throw badArgument(`method '${o.method}' needs codebooks.queryAware (kvcache calibrate)`);
    if (o.method === 'vq-wrope' && !o.codebooks?.plain) throw badArgument(`method 'vq-wrope' needs codebooks.plain`);
    this.o = Object.freeze({ ...o, window, sinks, budget, distance });
    this.name = o.method;
  }

  bind(shape: ModelShape, kernels: Kernels): void {
    if (this.shape !== null) throw badArgument('RetrievalKvCache is already bound to a model');
    checkBindArgs(shape, kernels);
    const c = shape, d = c.headDim, g = c.nHeads / c.nKvHeads;
    const set = this.o.codebooks?.queryAware ?? this.o.codebooks?.plain;
    if (set && (set.info.nLayers !== c.nLayers || set.info.nKvHeads !== c.nKvHeads || set.info.headDim !== d)) {
      throw badArgument(`codebooks are for ${set.info.nLayers} layers × ${set.info.nKvHeads} KV heads × ${set.info.headDim} dims, the model has ${c.nLayers} × ${c.nKvHeads} × ${d}`);
    }
    const wrope: WRopeConfig = { window: this.o.window, distance: this.o.distance, base: c.ropeBase, pairing: c.ropePairing };
    try {
      for (let l = 0; l < c.nLayers; l++) {
        const store = new KvStore(kernels, { nKvHeads: c.nKvHeads, headDim: d, capacity: c.seqLen, ropeBase: c.ropeBase, ropePairing: c.ropePairing });
        let method: RetrievalMethod;
        try {
          method = createMethod(kernels, this.o.method, {
            headDim: d, groupSize: g, nKvHeads: c.nKvHeads, layer: l, wrope, capacity: c.seqLen,
            queryAware: this.o.codebooks?.queryAware, plain: this.o.codebooks?.plain,
            questPageSize: this.o.questPageSize ?? 8, pq: this.o.pq ?? { subspaces: 2, bits: 4 },
          });
        } catch (e) {
          store.dispose();
          throw e;
        }
        const retrieval = new Retrieval(kernels, method, { window: this.o.window, sinks: this.o.sinks, budget: this.o.budget, groupSize: g, headDim: d, ties: this.o.ties });
        this.layers.push({ store, method, retrieval });
      }
      // Grow the backend's memory once, now, rather than during a step (see reserveBytes).
      kernels.allocF32(Math.max(1, Math.ceil((this.o.reserveBytes ?? 32 * 2 ** 20) / 4))).dispose();
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.kPre = new Float32Array(c.kvDim); this.kPost = new Float32Array(c.kvDim); this.v = new Float32Array(c.kvDim);
    this.qPre = new Float32Array(c.nHeads * d); this.qPost = new Float32Array(c.nHeads * d); this.out = new Float32Array(c.nHeads * d);
    this.headOut = new Float32Array(g * d); this.exactOut = new Float32Array(g * d);
    this.all = Int32Array.from({ length: c.seqLen }, (_, i) => i);
    this.shape = shape;
    this.kernels = kernels;
  }

  /**
   * The selection as a backend's whole decode step runs it (kernels/decode-step.ts), or null
   * when that step cannot: methods other than A²ATS / VQ + WRoPE, a probe, or ties to the
   * recent token. A step that takes it keeps the K/V and codes on its device; this cache's own
   * store then holds none of those tokens (reset() before using it call by call again).
   */
  decodeStepRetrieval(): DecodeRetrieval | null {
    const c = this.bound(), o = this.o;
    const set = o.method === 'a2ats' ? o.codebooks?.queryAware : o.method === 'vq-wrope' ? o.codebooks?.plain : undefined;
    if (set === undefined || o.probe !== undefined || (o.ties ?? 'oldest') !== 'oldest') return null;
    if (this.stepRetrieval === null) {
      const size = set.info.size, d = c.headDim, books = c.nLayers * c.nKvHeads;
      const centroids = new Float32Array(books * size * d), whitened = new Float32Array(books * size * d);
      const factor = set.info.kind === 'query-aware' ? new Float32Array(books * d * d) : null;
      for (let b = 0; b < books; b++) {
        const cb = set.get(Math.floor(b / c.nKvHeads), b % c.nKvHeads);
        centroids.set(cb.centroids, b * size * d);
        whitened.set(cb.whitened, b * size * d);
        if (factor && cb.factor) factor.set(cb.factor, b * d * d);
      }
      const { window, sinks, budget } = o;
      this.stepRetrieval = {
        size, centroids, whitened, factor, window, sinks, distance: o.distance, mode: budget.mode,
        farBudget: (pos) => {
          const split = splitNearFar(pos, window, sinks);
          return budgetTokens(budget, pos + 1, split.farEnd - split.farStart);
        },
      };
    }
    return this.stepRetrieval;
  }

  /** Tokens stored in layer 0 (the last layer may lag by the token being appended). */
  get length(): number {
    return this.layers.length === 0 ? 0 : this.layers[0].store.length;
  }

  /** Layer `layer`'s retrieval method (e.g. for its per-head score estimates). */
  method(layer: number): RetrievalMethod {
    return this.layers[checkInt('layer', layer, 0, this.bound().nLayers - 1)].method;
  }

  async append(layer: number, pos: number, keyPreRope: F32Arg, keyPostRope: F32Arg, value: F32Arg): Promise<void> {
    const c = this.bound();
    checkInt('layer', layer, 0, c.nLayers - 1);
    const st = this.layers[layer];
    checkInt('pos', pos, 0, Math.min(st.store.length, c.seqLen - 1));
    // Copies first: the inputs are valid only until this call settles.
    await Promise.all([readInto('keyPreRope', keyPreRope, this.kPre), readInto('keyPostRope', keyPostRope, this.kPost), readInto('value', value, this.v)]);
    if (pos < st.store.length) {
      // A rewind: keep tokens 0..pos−1 and index them again from scratch.
      st.store.truncate(pos);
      st.method.reset();
      for (let h = 0; h < c.nKvHeads; h++) await st.method.observe(h, st.store.head(h), 0, pos);
    }
    st.store.appendWithPost(this.kPre, this.kPost, this.v);
    for (let h = 0; h < c.nKvHeads; h++) await st.method.observe(h, st.store.head(h), pos, pos + 1);
  }

  async attend(layer: number, pos: number, qPreRope: F32Arg, qPostRope: F32Arg, out: F32Arg): Promise<void> {
    const c = this.bound(), k = this.kernels!;
    checkInt('layer', layer, 0, c.nLayers - 1);
    const st = this.layers[layer];
    checkInt('pos', pos, 0, st.store.length - 1);
    const d = c.headDim, g = c.nHeads / c.nKvHeads;
    checkComponentArray('out', out, c.nHeads * d);
    await Promise.all([readInto('qPreRope', qPreRope, this.qPre), readInto('qPostRope', qPostRope, this.qPost)]);
    for (let h = 0; h < c.nKvHeads; h++) {
      const head = st.store.head(h);
      const qPre = this.qPre.subarray(h * g * d, (h + 1) * g * d), qPost = this.qPost.subarray(h * g * d, (h + 1) * g * d);
      const sel = await st.retrieval.select(h, head, { pre: qPre, post: qPost, pos }, this.sel, { signal: this.o.signal });
      await attendSelected(k, head, qPost, g, d, sel.indices, sel.count, this.headOut);
      this.steps++;
      this.attended += sel.count;
      this.context += pos + 1;
      if (this.o.probe) await this.o.probe({ layer, kvHead: h, pos, keys: st.store.head(h), qPost, selection: sel, out: this.headOut, retrieval: st.retrieval });
      if (this.o.probe && this.o.probeOutput !== 'selected') {
        await attendSelected(k, st.store.head(h), qPost, g, d, this.all, pos + 1, this.exactOut);
        this.out.set(this.exactOut, h * g * d);
      } else {
        this.out.set(this.headOut, h * g * d);
      }
    }
    if (out instanceof Float32Array) {
      if (out.length === 0) {
        throw new SparseInferenceError('UNAVAILABLE', `backend memory grew during attention of layer ${layer}, detaching the model's output view: raise reserveBytes`);
      }
      out.set(this.out);
    } else out.write(this.out);
  }

  reset(): void {
    for (const st of this.layers) { st.store.clear(); st.method.reset(); }
    this.steps = this.attended = this.context = 0;
  }

  /** Per KV head and step: tokens attended and their share of the context (the realized budget). */
  stats(): ComponentStats {
    const n = this.steps;
    return { attendCalls: n, meanKeysRead: n === 0 ? 0 : this.attended / n, realizedBudget: this.context === 0 ? 0 : this.attended / this.context };
  }

  dispose(): void {
    for (const st of this.layers) { st.retrieval.dispose(); st.method.dispose(); st.store.dispose(); }
    this.layers = [];
    this.shape = null;
    this.kernels = null;
  }

  [disposeSymbol](): void { this.dispose(); }

  private bound(): ModelShape {
    if (this.shape === null) throw badArgument('RetrievalKvCache is not bound to a model (model.use({ kv })) or was disposed');
    return this.shape;
  }
}

