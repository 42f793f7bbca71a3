/**
 * The two-tier KV cache of A²ATS §4 behind one interface: a fast tier (codes, codebooks, sinks +
 * window; does coding, WRoPE rotation, table scoring, top-K and union) and a slow tier (full K/V,
 * attention over the retrieved tokens in place), optionally in a worker so both run at once.
 * The two partial attentions (over sinks + window, and over the far tokens) are merged exactly
 * through their log-sum-exps:
 *
 *   o = (e^{ℓ_n} o_n + e^{ℓ_f} o_f) / (e^{ℓ_n} + e^{ℓ_f})
 *
 * @example
 * const cache = await TwoTierKvCache.create(kernels, { nHeads: 32, nKvHeads: 8, headDim: 128,
 *   capacity: 32768, ropeBase: 5e5, ropePairing: 'half', codebooks, slowTier: 'worker' });
 * cache.append(kPre, v);                         // per token (nKvHeads*headDim each)
 * const stats = await cache.attendAsync(qPre, out);   // nHeads*headDim
 */
import type { Kernels, RopePairing } from '../../kernels/kernels.js';
import { badArgument } from '../../core/errors.js';
import { checkFinite, checkFloat32, checkInt, checkNumber, checkOneOf } from '../../core/validate.js';
import { checkBudget, type Budget } from '../budget.js';
import type { Codebook } from '../codebook.js';
import { FastTier } from './fast-tier.js';
import { InThreadSlowTier, type SlowTier } from './slow-tier.js';

/** Shape, RoPE, window/sinks/distance, budget, codebooks and slow-tier placement of a TwoTierKvCache. */
export interface TwoTierOptions {
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  /** Maximum tokens. */
  capacity: number;
  ropeBase: number;
  ropePairing: RopePairing;
  /** Window w (default 64), sinks s (default 8), WRoPE distance b (default 2048). */
  window?: number;
  sinks?: number;
  distance?: number;
  /** Far-token budget (default: the paper's per-head ρ = 0.03 with GQA union). */
  budget?: Budget;
  /** One codebook per KV head (e.g. set.get(layer, h)). */
  codebooks: Codebook[];
  /** 'inline' (default): same thread; 'worker': worker_threads + SharedArrayBuffer. */
  slowTier?: 'inline' | 'worker';
  /** Distance bands for far-token scoring (default 1 = the paper; > 1 is the extension in docs/kvcache.md). */
  bands?: number;
}

/** What one decode step selected and read. */
export interface DecodeStats {
  pos: number;
  /** Far tokens attended, per KV head. */
  farSelected: number[];
  /** Mean tokens attended per KV head (sinks + window + far) / context length. */
  realizedBudget: number;
  /** Bytes the slow tier read (selected K/V rows) and the fast tier's index traffic (codes + codebooks). */
  slowBytes: number;
  indexBytes: number;
}

/** One layer's two-tier cache (see the file header). */
export class TwoTierKvCache {
  private readonly qPost: Float32Array;
  private readonly kPost: Float32Array;
  private readonly nearOut: Float32Array;
  private readonly farOut: Float32Array;
  private readonly nearLse: Float64Array;
  private readonly farLse: Float64Array;
  private readonly base: number;
  private readonly pairing: RopePairing;

  private constructor(private readonly kernels: Kernels, readonly options: Readonly<Required<TwoTierOptions>>,
    readonly fast: FastTier, readonly slow: SlowTier) {
    const { nHeads, nKvHeads, headDim: d } = options;
    this.qPost = new Float32Array(nHeads * d);
    this.kPost = new Float32Array(nKvHeads * d);
    this.nearOut = new Float32Array(nHeads * d);
    this.farOut = new Float32Array(nHeads * d);
    this.nearLse = new Float64Array(nHeads);
    this.farLse = new Float64Array(nHeads);
    this.base = options.ropeBase;
    this.pairing = options.ropePairing;
  }

  /** Validate options and start both tiers (a worker for slowTier: 'worker'). */
  static async create(kernels: Kernels, opts: TwoTierOptions): Promise<TwoTierKvCache> {
    if (opts === null || typeof opts !== 'object') throw badArgument('options must be an object');
    const o: Required<TwoTierOptions> = {
      window: 64, sinks: 8, distance: 2048, budget: { mode: 'perHead', fraction: 0.03 }, slowTier: 'inline', bands: 1, ...opts,
    };
    checkInt('nHeads', o.nHeads, 1); checkInt('nKvHeads', o.nKvHeads, 1); checkInt('headDim', o.headDim, 2);
    if (o.nHeads % o.nKvHeads) throw badArgument(`nHeads (${o.nHeads}) must be a multiple of nKvHeads (${o.nKvHeads})`);
    if (o.headDim % 2) throw badArgument(`headDim must be even, got ${o.headDim}`);
    checkInt('capacity', o.capacity, 1);
    checkNumber('ropeBase', o.ropeBase, 1, Infinity, { minExclusive: true });
    checkOneOf('ropePairing', o.ropePairing, ['adjacent', 'half'] as const);
    checkInt('window', o.window, 0); checkInt('sinks', o.sinks, 0); checkNumber('distance', o.distance, 0);
    checkBudget(o.budget);
    checkOneOf('slowTier', o.slowTier, ['inline', 'worker'] as const);
    checkInt('bands', o.bands, 1, 16);
    if (!Array.isArray(o.codebooks) || o.codebooks.length !== o.nKvHeads) throw badArgument(`codebooks must hold ${o.nKvHeads} codebooks (one per KV head)`);
    o.codebooks.forEach((c, i) => { if (c?.dim !== o.headDim) throw badArgument(`codebooks[${i}] must have dim ${o.headDim}`); });
    const fast = new FastTier(kernels, {
      nHeads: o.nHeads, nKvHeads: o.nKvHeads, headDim: o.headDim, sinks: o.sinks, budget: o.budget, codebooks: o.codebooks, bands: o.bands,
      wrope: { window: o.window, distance: o.distance, base: o.ropeBase, pairing: o.ropePairing },
    });
    const shape = { nHeads: o.nHeads, nKvHeads: o.nKvHeads, headDim: o.headDim, capacity: o.capacity };
    let slow: SlowTier;
    try {
      // Loaded on demand: worker_threads exists only in Node, and the in-thread tier needs none of it.
      slow = o.slowTier === 'worker'
        ? await (await import('./worker-slow-tier.js')).WorkerSlowTier.create(kernels, shape)
        : new InThreadSlowTier(kernels, shape);
    } catch (e) {
      fast.dispose();
      throw e;
    }
    return new TwoTierKvCache(kernels, Object.freeze(o), fast, slow);
  }

  get length(): number {
    return this.fast.length;
  }

  /** Append the token at position `length`: pre-RoPE keys and values, nKvHeads*headDim each. */
  append(kPre: Float32Array, v: Float32Array): void {
    const { nKvHeads, headDim: d, capacity } = this.options;
    checkFloat32('kPre', kPre, nKvHeads * d); checkFloat32('v', v, nKvHeads * d);
    checkFinite('kPre', kPre, nKvHeads * d); checkFinite('v', v, nKvHeads * d);
    if (this.length >= capacity) throw badArgument(`cache is full (capacity ${capacity})`);
    this.kPost.set(kPre.subarray(0, nKvHeads * d));
    this.kernels.rope(this.kPost, nKvHeads, d, this.length, this.base, this.pairing);
    this.fast.append(kPre, this.kPost, v);
    this.slow.append(this.kPost, v);
  }

  /** Forget all tokens. */
  clear(): void {
    this.fast.clear();
    this.slow.clear();
  }

  /**
   * Attention output of the query at the last position (length − 1), for an in-thread slow tier.
   * qPre: nHeads*headDim pre-RoPE; out: nHeads*headDim.
   */
  attend(qPre: Float32Array, out: Float32Array): DecodeStats {
    if (!(this.slow instanceof InThreadSlowTier)) throw badArgument('attend() needs the inline slow tier; use attendAsync()');
    const stats = this.prepare(qPre, out);
    this.slow.attend(this.slowRequest());
    this.fast.attendNear(this.qPost, this.nearOut, this.nearLse);
    this.merge(out);
    return stats;
  }

  /** The same with either slow tier; with a worker, near attention runs while the worker attends. */
  async attendAsync(qPre: Float32Array, out: Float32Array): Promise<DecodeStats> {
    const stats = this.prepare(qPre, out);
    const pending = this.slow.attend(this.slowRequest());
    this.fast.attendNear(this.qPost, this.nearOut, this.nearLse);
    await pending;
    this.merge(out);
    return stats;
  }

  private prepare(qPre: Float32Array, out: Float32Array): DecodeStats {
    const { nHeads, nKvHeads, headDim: d } = this.options;
    checkFloat32('qPre', qPre, nHeads * d); checkFinite('qPre', qPre, nHeads * d); checkFloat32('out', out, nHeads * d);
    if (this.length === 0) throw badArgument('the cache is empty: append the current token first');
    const pos = this.length - 1;
    this.qPost.set(qPre.subarray(0, nHeads * d));
    this.kernels.rope(this.qPost, nHeads, d, pos, this.base, this.pairing);
    const sels = this.fast.select(qPre, pos);
    const farSelected = sels.map((s) => s.farCount);
    const attended = sels.reduce((a, s) => a + s.count, 0) / nKvHeads;
    const far = farSelected.reduce((a, b) => a + b, 0);
    const m = sels[0].split.farEnd - sels[0].split.farStart;
    return {
      pos, farSelected, realizedBudget: attended / (pos + 1), slowBytes: far * 2 * d * 4,
      indexBytes: nKvHeads * this.fast.vq.indexBytes(pos + 1, m),
    };
  }

  /** The slow-tier request of the last attend (its far selections; for benchmarks and inspection). */
  slowRequest() {
    const sels = this.fast.selections;
    return {
      qPost: this.qPost,
      // Far tokens sit after the sinks in each selection.
      selections: sels.map((s) => s.indices.subarray(s.split.sinkEnd, s.split.sinkEnd + s.farCount)),
      counts: sels.map((s) => s.farCount),
      out: this.farOut, lse: this.farLse,
    };
  }

  /** Combine the near and far partial attentions through their log-sum-exps. */
  private merge(out: Float32Array): void {
    const { nHeads, headDim: d } = this.options;
    for (let h = 0; h < nHeads; h++) {
      const a = this.nearLse[h], b = this.farLse[h];
      const M = Math.max(a, b);
      const wa = a === -Infinity ? 0 : Math.exp(a - M), wb = b === -Infinity ? 0 : Math.exp(b - M);
      const z = wa + wb;
      for (let t = 0; t < d; t++) out[h * d + t] = (wa * this.nearOut[h * d + t] + wb * this.farOut[h * d + t]) / z;
    }
  }

  async dispose(): Promise<void> {
    this.fast.dispose();
    await this.slow.dispose();
  }
}
