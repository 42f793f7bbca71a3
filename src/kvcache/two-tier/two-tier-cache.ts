/**
 * The two-tier KV cache of A²ATS §4 behind one interface: a fast tier (codes, codebooks, sinks +
 * window; does coding, WRoPE rotation, table scoring, top-K and union) and a slow tier (full K/V,
 * attention over the retrieved tokens in place), optionally in a worker so both run at once.
 * The two partial attentions (over sinks + window, and over the far tokens) are merged exactly
 * through their log-sum-exps:
 *
 *   o = (e^{ℓ_n} o_n + e^{ℓ_f} o_f) / (e^{ℓ_n} + e^{ℓ_f})
 *
 * Synchronous or asynchronous kernels. The decode step (`attend`) and `append` are written
 * once, as generators over `Kernels | AsyncKernels`; `attend`/`append` run them with driveSync,
 * `attendAsync`/`appendAsync` with driveAsync. Created on asynchronous kernels (webgpu):
 * - the fast tier's codebooks, codes, lookup tables, scores and sink/window K/V are device
 *   arrays; a step uploads the queries, selects on the device for all KV heads in one GPU
 *   submission and reads back only the selected indices;
 * - the slow tier is `'gather'` (default; ./gather-slow-tier.ts): the full K/V stays in host
 *   memory as in the paper, and each step gathers the selected rows on the host and uploads
 *   them — so GPU memory holds only the fast tier; or `'device'` (./device-slow-tier.ts): the
 *   full K/V in GPU memory, only indices uploaded — faster, but it spends the accelerator
 *   memory the design frees. Either way the far attention and the near attention run on the
 *   device in one submission, and the two partial results are merged on the host.
 * The in-thread and worker slow tiers run CPU kernels and belong to synchronous caches.
 * On the wasm async adapter the results are bit-identical to the synchronous cache; on webgpu
 * within the GPU tolerances (docs/backends.md), and a near-tie of two approximate scores may
 * select the other token.
 *
 * @example
 * const cache = await TwoTierKvCache.create(kernels, { nHeads: 32, nKvHeads: 8, headDim: 128,
 *   capacity: 32768, ropeBase: 5e5, ropePairing: 'half', codebooks, slowTier: 'worker' });
 * cache.append(kPre, v);                         // per token (nKvHeads*headDim each)
 * const stats = await cache.attendAsync(qPre, out);   // nHeads*headDim
 *
 * @example
 * const gpu = await createAsyncKernels({ backend: 'webgpu' });
 * const cache = await TwoTierKvCache.create(gpu, { ...shape, codebooks });   // slowTier 'gather'
 * await cache.appendAsync(kPre, v);
 * const stats = await cache.attendAsync(qPre, out);
 */
import { checkAnyKernels } from '../../kernels/check-kernels.js';
import type { CpuKernels, RopePairing } from '../../kernels/kernels.js';
import { type AsyncKernels } from '../../kernels/async-kernels.js';
import { isCpuKernels } from '../../kernels/check-kernels.js';
import { eitherKernels, driveAsync, driveSync, settle, type Step } from '../../kernels/maybe-async.js';
import { badArgument } from '../../core/errors.js';
import { checkFinite, checkFloat32, checkInt, checkNumber, checkOneOf } from '../../core/validate.js';
import { checkBudget, type Budget } from '../budget.js';
import type { Codebook } from '../codebook.js';
import { FastTier } from './fast-tier.js';
import { InThreadSlowTier, type SlowTier } from './slow-tier.js';
import { GatherSlowTier } from './gather-slow-tier.js';
import { DeviceSlowTier } from './device-slow-tier.js';
import { settleAll } from '../../kernels/maybe-async.js';
import { asyncDisposeSymbol } from '../../core/dispose.js';
import { checkOptions, optionKeys } from '../../core/options.js';

/** Tokens per code-assignment call in appendMany. */
const APPEND_BLOCK = 256;

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
  /**
   * Synchronous kernels: 'inline' (default): same thread; 'worker': worker_threads +
   * SharedArrayBuffer — the worker keeps a Node process alive until `await cache.dispose()`
   * (or `await using cache = ...`). Asynchronous kernels: 'gather' (default): full K/V in host memory, the
   * selected rows uploaded per step; 'device': full K/V in device memory (see the file header).
   */
  slowTier?: 'inline' | 'worker' | 'gather' | 'device';
  /** Distance bands for far-token scoring (default 1 = the paper; > 1 is the extension in docs/kvcache.md). */
  bands?: number;
}

/** Every key of TwoTierOptions, for checkOptions. */
export const TWO_TIER_KEYS = optionKeys<TwoTierOptions>({ nHeads: true, nKvHeads: true, headDim: true, capacity: true, ropeBase: true, ropePairing: true, window: true, sinks: true, distance: true, budget: true, codebooks: true, slowTier: true, bands: true });

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
  private kPost: Float32Array;
  private readonly nearOut: Float32Array;
  private readonly farOut: Float32Array;
  private readonly nearLse: Float64Array;
  private readonly farLse: Float64Array;
  private readonly base: number;
  private readonly pairing: RopePairing;

  private constructor(private readonly kernels: AsyncKernels, readonly options: Readonly<Required<TwoTierOptions>>,
    readonly fast: FastTier, readonly slow: SlowTier) {
    checkAnyKernels('kernels', kernels); // the constructor is private in TypeScript only: use create()
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

  /**
   * Validate options and start both tiers (a worker for slowTier: 'worker'). `kernels` may be
   * synchronous (wasm, reference) or asynchronous (webgpu, or a CPU backend behind the async
   * adapter); an asynchronous cache runs through appendAsync/attendAsync.
   */
  static async create(kernels: AsyncKernels, opts: TwoTierOptions): Promise<TwoTierKvCache> {
    if (opts === null || opts === undefined) throw badArgument('TwoTierKvCache options must give the shape and codebooks');
    checkOptions('TwoTierKvCache options', opts, TWO_TIER_KEYS);
    const asyncKernels = !isCpuKernels(kernels);
    const o: Required<TwoTierOptions> = {
      window: 64, sinks: 8, distance: 2048, budget: { mode: 'perHead', fraction: 0.03 },
      slowTier: asyncKernels ? 'gather' : 'inline', bands: 1, ...opts,
    };
    checkInt('nHeads', o.nHeads, 1); checkInt('nKvHeads', o.nKvHeads, 1); checkInt('headDim', o.headDim, 2);
    if (o.nHeads % o.nKvHeads) throw badArgument(`nHeads (${o.nHeads}) must be a multiple of nKvHeads (${o.nKvHeads})`);
    if (o.headDim % 2) throw badArgument(`headDim must be even, got ${o.headDim}`);
    checkInt('capacity', o.capacity, 1);
    checkNumber('ropeBase', o.ropeBase, 1, Infinity, { minExclusive: true });
    checkOneOf('ropePairing', o.ropePairing, ['adjacent', 'half'] as const);
    checkInt('window', o.window, 0); checkInt('sinks', o.sinks, 0); checkNumber('distance', o.distance, 0);
    checkBudget(o.budget);
    checkOneOf('slowTier', o.slowTier, ['inline', 'worker', 'gather', 'device'] as const);
    const cpuTier = o.slowTier === 'inline' || o.slowTier === 'worker';
    if (asyncKernels && cpuTier) throw badArgument(`slowTier '${o.slowTier}' runs synchronous CPU kernels; with asynchronous kernels use 'gather' or 'device'`);
    if (!asyncKernels && !cpuTier) throw badArgument(`slowTier '${o.slowTier}' needs asynchronous kernels (createAsyncKernels); use 'inline' or 'worker'`);
    checkInt('bands', o.bands, 1, 16);
    if (!Array.isArray(o.codebooks) || o.codebooks.length !== o.nKvHeads) throw badArgument(`codebooks must hold ${o.nKvHeads} codebooks (one per KV head)`);
    o.codebooks.forEach((c, i) => { if (c?.dim !== o.headDim) throw badArgument(`codebooks[${i}] must have dim ${o.headDim}`); });
    const fast = new FastTier(kernels, {
      nHeads: o.nHeads, nKvHeads: o.nKvHeads, headDim: o.headDim, sinks: o.sinks, budget: o.budget, codebooks: o.codebooks, bands: o.bands,
      capacity: o.capacity,
      wrope: { window: o.window, distance: o.distance, base: o.ropeBase, pairing: o.ropePairing },
    });
    const shape = { nHeads: o.nHeads, nKvHeads: o.nKvHeads, headDim: o.headDim, capacity: o.capacity };
    let slow: SlowTier;
    try {
      // Loaded on demand: worker_threads exists only in Node, and the in-thread tier needs none of it.
      if (!isCpuKernels(kernels)) {
        slow = o.slowTier === 'device' ? new DeviceSlowTier(kernels, shape) : new GatherSlowTier(kernels, shape);
      } else {
        slow = o.slowTier === 'worker'
          ? await (await import('./worker-slow-tier.js')).WorkerSlowTier.create(kernels, shape)
          : new InThreadSlowTier(kernels, shape);
      }
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
    driveSync(this.appendSteps(kPre, v), 'TwoTierKvCache.append');
  }

  /** `append` for either kernels (await it before the next call: its buffers are reused). */
  appendAsync(kPre: Float32Array, v: Float32Array): Promise<void> {
    return driveAsync(this.appendSteps(kPre, v));
  }

  /** The body of append/appendAsync. */
  appendSteps(kPre: Float32Array, v: Float32Array): Generator<Step, void, unknown> {
    return this.appendManySteps(kPre, v, 1);
  }

  /**
   * Append `count` tokens at positions length, length + 1, … (prefill): kPre and v are
   * count*nKvHeads*headDim, token-major (row t = token t's nKvHeads*headDim, head-major). The
   * codes are assigned in blocks of 256 tokens (one kernel call per KV head and block), so on a
   * GPU this is far faster than appending token by token. Codes may differ from token-by-token
   * appends at argmin near-ties (the kernels block their sums differently), nowhere else.
   * @example cache.appendMany(kPreBlock, vBlock, 1024);
   */
  appendMany(kPre: Float32Array, v: Float32Array, count: number): void {
    driveSync(this.appendManySteps(kPre, v, count), 'TwoTierKvCache.appendMany');
  }

  /** `appendMany` for either kernels (await it before the next call). */
  appendManyAsync(kPre: Float32Array, v: Float32Array, count: number): Promise<void> {
    return driveAsync(this.appendManySteps(kPre, v, count));
  }

  /** The body of append/appendMany and their async forms. */
  *appendManySteps(kPre: Float32Array, v: Float32Array, count: number): Generator<Step, void, unknown> {
    const { nKvHeads, headDim: d, capacity } = this.options;
    const w = nKvHeads * d;
    checkInt('count', count, 1);
    checkFloat32('kPre', kPre, count * w); checkFloat32('v', v, count * w);
    checkFinite('kPre', kPre, count * w); checkFinite('v', v, count * w);
    if (this.length + count > capacity) throw badArgument(`cache is full (capacity ${capacity}, ${this.length} stored, ${count} appended)`);
    const kx = eitherKernels(this.kernels);
    for (let a = 0; a < count; a += APPEND_BLOCK) {
      const b = Math.min(count, a + APPEND_BLOCK), m = b - a;
      if (this.kPost.length < m * w) this.kPost = new Float32Array(APPEND_BLOCK * w);
      const kPost = this.kPost.subarray(0, m * w);
      kPost.set(kPre.subarray(a * w, b * w));
      // Exact RoPE at each token's position (one call per token: the positions differ).
      const issued: unknown[] = [];
      for (let t = 0; t < m; t++) issued.push(kx.rope(kPost.subarray(t * w, (t + 1) * w), nKvHeads, d, this.length + t, this.base, this.pairing));
      yield* settleAll(issued);
      yield* this.fast.appendManySteps(kPre.subarray(a * w, b * w), kPost, v.subarray(a * w, b * w), m);
      for (let t = 0; t < m; t++) this.slow.append(kPost.subarray(t * w, (t + 1) * w), v.subarray((a + t) * w, (a + t + 1) * w));
    }
  }

  /** Forget all tokens. */
  clear(): void {
    this.fast.clear();
    this.slow.clear();
  }

  /**
   * Attention output of the query at the last position (length − 1), for an in-thread slow tier
   * on synchronous kernels. qPre: nHeads*headDim pre-RoPE; out: nHeads*headDim.
   */
  attend(qPre: Float32Array, out: Float32Array): DecodeStats {
    if (!isCpuKernels(this.kernels)) throw badArgument('attend() needs synchronous kernels; use attendAsync()');
    if (!(this.slow instanceof InThreadSlowTier)) throw badArgument('attend() needs the inline slow tier; use attendAsync()');
    return driveSync(this.attendSteps(qPre, out), 'TwoTierKvCache.attend');
  }

  /**
   * The same with any slow tier and either kernels: with a worker, near attention runs while the
   * worker attends; on asynchronous kernels selection and attention run on the device.
   */
  attendAsync(qPre: Float32Array, out: Float32Array): Promise<DecodeStats> {
    return driveAsync(this.attendSteps(qPre, out));
  }

  /**
   * The decode step: exact-RoPE query, far selection (all KV heads side by side), far attention
   * (slow tier) and near attention (fast tier) issued together, log-sum-exp merge.
   */
  *attendSteps(qPre: Float32Array, out: Float32Array): Generator<Step, DecodeStats, unknown> {
    const { nHeads, nKvHeads, headDim: d } = this.options;
    checkFloat32('qPre', qPre, nHeads * d); checkFinite('qPre', qPre, nHeads * d); checkFloat32('out', out, nHeads * d);
    if (this.length === 0) throw badArgument('the cache is empty: append the current token first');
    const pos = this.length - 1;
    this.qPost.set(qPre.subarray(0, nHeads * d));
    yield* settle(eitherKernels(this.kernels).rope(this.qPost, nHeads, d, pos, this.base, this.pairing));
    // Near rows go up first: an upload ends the open GPU submission.
    this.fast.pushNear();
    const sels = yield* this.fast.selectSteps(qPre, pos);
    const farSelected = sels.map((s) => s.farCount);
    const attended = sels.reduce((a, s) => a + s.count, 0) / nKvHeads;
    const far = farSelected.reduce((a, b) => a + b, 0);
    const m = sels[0].split.farEnd - sels[0].split.farStart;
    const stats: DecodeStats = {
      pos, farSelected, realizedBudget: attended / (pos + 1), slowBytes: far * 2 * d * 4,
      indexBytes: nKvHeads * this.fast.vq.indexBytes(pos + 1, m),
    };
    // The slow tier's calls are issued (or posted to its worker) before the near attention's.
    const pending = this.slow.attend(this.slowRequest());
    try {
      yield* this.fast.attendNearSteps(this.qPost, this.nearOut, this.nearLse);
    } finally {
      if (pending) void Promise.resolve(pending).catch(() => {}); // settled below; never unhandled
    }
    yield* settle(pending);
    this.merge(out);
    return stats;
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

  [asyncDisposeSymbol](): Promise<void> { return this.dispose(); }
}
