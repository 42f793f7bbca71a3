/**
 * The A²ATS two-tier cache (§4) as the model's KV-cache component (src/llama/components.ts):
 * one TwoTierKvCache per layer — the fast tier keeps codes, codebooks and the sink/window K/V
 * and selects, the slow tier keeps the full K/V and attends to the retrieved far tokens ('inline'
 * or a 'worker' thread on CPU backends, 'gather' or 'device' on a GPU) — and the near and far
 * partial attentions merge through their log-sum-exps. The same selection as
 * `RetrievalKvCache({ method: 'a2ats' })`; the output differs only by that merge's rounding.
 *
 * The tiers keep no pre-RoPE keys beyond the codes, so a rewind can only go back to the start
 * (position 0, as after reset); an append at another earlier position is refused.
 *
 * @example
 * await model.use({ kv: new TwoTierKvCacheComponent({ codebooks: set, sinks: 4, budget: { mode: 'perHead', fraction: 0.1 } }) });
 */
import { SparseInferenceError, badArgument } from '../../core/errors.js';
import { checkInt, describe } from '../../core/validate.js';
import { disposeSymbol } from '../../core/dispose.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import type { F32Arg } from '../../kernels/device-array.js';
import type { Kernels } from '../../kernels/kernels.js';
import type { ComponentStats, KvCache, ModelShape } from '../../llama/components.js';
import { checkBudget, type Budget } from '../budget.js';
import type { CodebookSet } from '../codebook-set.js';
import { TwoTierKvCache, type TwoTierOptions } from './two-tier-cache.js';
import { checkBindArgs, checkComponentArray, readInto } from '../../llama/check-component-args.js';

/** Codebooks (query-aware or plain), sinks, budget, slow-tier placement; window and distance default to the codebooks'. */
export interface TwoTierKvCacheOptions {
  codebooks: CodebookSet;
  window?: number;
  sinks?: number;
  distance?: number;
  budget?: Budget;
  slowTier?: TwoTierOptions['slowTier'];
}

const KEYS = optionKeys<TwoTierKvCacheOptions>({ codebooks: true, window: true, sinks: true, distance: true, budget: true, slowTier: true });

/** One TwoTierKvCache per layer, hosted by the model (see the file header). */
export class TwoTierKvCacheComponent implements KvCache {
  readonly name = 'a2ats-two-tier';
  private readonly o: TwoTierKvCacheOptions;
  private layers: TwoTierKvCache[] = [];
  private shape: ModelShape | null = null;
  private kPre = new Float32Array(0);
  private v = new Float32Array(0);
  private q = new Float32Array(0);
  private out = new Float32Array(0);
  private steps = 0;
  private attended = 0;
  private context = 0;

  constructor(options: TwoTierKvCacheOptions) {
    if (options === null || typeof options !== 'object') throw badArgument(`TwoTierKvCacheComponent options must be an object giving codebooks, got ${describe(options)}`);
    this.o = checkOptions('TwoTierKvCacheComponent options', options, KEYS);
    if (this.o.codebooks === null || typeof this.o.codebooks?.get !== 'function') throw badArgument('codebooks must be a CodebookSet (kvcache calibrate)');
    if (this.o.budget !== undefined) checkBudget(this.o.budget);
  }

  async bind(shape: ModelShape, kernels: Kernels): Promise<void> {
    if (this.shape !== null) throw badArgument('TwoTierKvCacheComponent is already bound to a model');
    checkBindArgs(shape, kernels);
    const set = this.o.codebooks, c = shape;
    if (set.info.nLayers !== c.nLayers || set.info.nKvHeads !== c.nKvHeads || set.info.headDim !== c.headDim) {
      throw badArgument(`codebooks are for ${set.info.nLayers} layers × ${set.info.nKvHeads} KV heads × ${set.info.headDim} dims, the model has ${c.nLayers} × ${c.nKvHeads} × ${c.headDim}`);
    }
    try {
      for (let l = 0; l < c.nLayers; l++) {
        this.layers.push(await TwoTierKvCache.create(kernels, {
          nHeads: c.nHeads, nKvHeads: c.nKvHeads, headDim: c.headDim, capacity: c.seqLen, ropeBase: c.ropeBase, ropePairing: c.ropePairing,
          window: this.o.window ?? set.info.wrope.window, distance: this.o.distance ?? set.info.wrope.distance, sinks: this.o.sinks ?? 4,
          budget: this.o.budget ?? { mode: 'perHead', fraction: 0.1 },
          // Left out when not given: an explicit undefined would override create's default tier.
          ...(this.o.slowTier === undefined ? {} : { slowTier: this.o.slowTier }),
          codebooks: Array.from({ length: c.nKvHeads }, (_, h) => set.get(l, h)),
        }));
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.kPre = new Float32Array(c.kvDim); this.v = new Float32Array(c.kvDim);
    this.q = new Float32Array(c.nHeads * c.headDim); this.out = new Float32Array(c.nHeads * c.headDim);
    this.shape = shape;
  }

  /** The layer's cache reads the pre-RoPE key (it codes and rotates it itself) and the value. */
  async append(layer: number, pos: number, keyPreRope: F32Arg, keyPostRope: F32Arg, value: F32Arg): Promise<void> {
    const c = this.bound();
    checkInt('layer', layer, 0, c.nLayers - 1);
    const cache = this.layers[layer];
    checkInt('pos', pos, 0, Math.min(cache.length, c.seqLen - 1));
    if (pos < cache.length) {
      if (pos !== 0) throw new SparseInferenceError('UNAVAILABLE', `the two-tier cache rewinds only to position 0 (reset), got pos ${pos} with ${cache.length} stored`);
      cache.clear();
    }
    checkComponentArray('keyPostRope', keyPostRope, c.kvDim);
    await Promise.all([readInto('keyPreRope', keyPreRope, this.kPre), readInto('value', value, this.v)]);
    await cache.append(this.kPre, this.v);
  }

  async attend(layer: number, pos: number, qPreRope: F32Arg, qPostRope: F32Arg, out: F32Arg): Promise<void> {
    const c = this.bound();
    checkInt('layer', layer, 0, c.nLayers - 1);
    const cache = this.layers[layer];
    checkInt('pos', pos, cache.length - 1, cache.length - 1);
    checkComponentArray('qPostRope', qPostRope, c.nHeads * c.headDim);
    checkComponentArray('out', out, c.nHeads * c.headDim);
    await readInto('qPreRope', qPreRope, this.q);
    const stats = await cache.attend(this.q, this.out);
    this.steps++;
    this.attended += stats.realizedBudget * (pos + 1);
    this.context += pos + 1;
    if (out instanceof Float32Array) {
      if (out.length === 0) throw new SparseInferenceError('UNAVAILABLE', `backend memory grew during attention of layer ${layer}, detaching the model's output view`);
      out.set(this.out);
    } else out.write(this.out);
  }

  reset(): void {
    for (const cache of this.layers) cache.clear();
    this.steps = this.attended = this.context = 0;
  }

  /** Per layer step: tokens attended per KV head and their share of the context. */
  stats(): ComponentStats {
    return { attendCalls: this.steps, meanKeysRead: this.steps === 0 ? 0 : this.attended / this.steps, realizedBudget: this.context === 0 ? 0 : this.attended / this.context };
  }

  dispose(): void {
    for (const cache of this.layers) void cache.dispose().catch(() => {});
    this.layers = [];
    this.shape = null;
  }

  [disposeSymbol](): void { this.dispose(); }

  private bound(): ModelShape {
    if (this.shape === null) throw badArgument('TwoTierKvCacheComponent is not bound to a model (model.use({ kv })) or was disposed');
    return this.shape;
  }
}

