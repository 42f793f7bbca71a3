/**
 * PQCache-style retrieval (Zhang et al., "PQCache: Product Quantization-based KVCache for Long
 * Context LLM Inference", SIGMOD 2025): per request, the post-RoPE keys of each KV head are
 * product-quantised — split into M sub-vectors of d/M dims, each clustered by k-means into 2^B
 * centroids at prefill — and a query scores token j by Σ_m T_m[code_{j,m}] with per-sub-space
 * tables T_m[c] = q_m · centroid_{m,c}. Scores are turned into a softmax per query head and
 * summed over the GQA group; the top-R tokens are kept.
 *
 * "Prefill" here is the first scoring call: the codebooks are fitted on every key present, and
 * refitted when the sequence has grown by `refitGrowth`× since (token-by-token evaluation has no
 * separate prefill). Keys arriving in between are encoded with the frozen codebooks. The fit
 * is the expensive part (M k-means runs over every key): `prepare` does it asynchronously and
 * abortably ahead of `score`, with the same result.
 * Defaults M = 2, B = 6 give 12 bits per token, the same as A²ATS's 4096-entry codes.
 */
import type { CpuKernels, ResidentArray } from '../../kernels/kernels.js';
import { badArgument, throwIfAborted } from '../../core/errors.js';
import { checkInt, checkNumber } from '../../core/validate.js';
import { kmeans, kmeansSync } from '../kmeans.js';
import type { GroupQuery, RetrievalMethod } from '../retrieval-method.js';
import type { HeadKeys } from '../kv-store.js';
import { disposeSymbol } from '../../core/dispose.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { checkIndexBytesCall, checkPrepareCall, checkScoreCall } from './check-method-call.js';

/** Sub-spaces, bits, k-means iterations, refit policy and seed of PqCache. */
export interface PqCacheOptions {
  /** Sub-vectors M (must divide d; default 2). */
  subspaces?: number;
  /** Bits per sub-code B (2^B centroids; default 6). */
  bits?: number;
  /** k-means iterations at prefill (default 25). */
  iterations?: number;
  /** Refit when length ≥ refitGrowth × length at the last fit (default 2; Infinity = never). */
  refitGrowth?: number;
  seed?: number;
}

const PREPARE_KEYS = optionKeys<{ signal?: AbortSignal }>({ signal: true });

/** Every key of PqCacheOptions, for checkOptions. */
export const PQCACHE_KEYS = optionKeys<PqCacheOptions>({ subspaces: true, bits: true, iterations: true, refitGrowth: true, seed: true });

interface HeadPq {
  /** M tables of 2^B × d/M centroids (resident, for gemv). */
  centroids: ResidentArray<Float32Array>[];
  /** M code arrays (resident, for lutGather). */
  codes: ResidentArray<Int32Array>[];
  k: number;
  fittedAt: number;
  encoded: number;
}

/** Per-request product quantisation of post-RoPE keys (see the file header). */
export class PqCache implements RetrievalMethod {
  readonly name: string;
  readonly scoring = 'group' as const;
  readonly estimatesScores = true;
  private readonly M: number;
  private readonly B: number;
  private readonly iterations: number;
  private readonly growth: number;
  private readonly seed: number;
  private heads: (HeadPq | null)[];
  private lut: ResidentArray<Float32Array>;
  private tmp: ResidentArray<Float32Array>;
  /** Per-head estimated logits of the last score() call (g*m), for the score-MSE metric. */
  lastHeadScores = new Float32Array(0);

  /** @example new PqCache(kernels, 128, 4, 8, { subspaces: 2, bits: 6 }) */
  constructor(private readonly kernels: CpuKernels, private readonly headDim: number,
    private readonly groupSize: number, nKvHeads: number, opts: PqCacheOptions = {}) {
    checkInt('headDim', headDim, 1); checkInt('groupSize', groupSize, 1); checkInt('nKvHeads', nKvHeads, 1);
    opts = checkOptions('PqCache options', opts, PQCACHE_KEYS);
    this.M = checkInt('subspaces', opts.subspaces ?? 2, 1, headDim);
    if (headDim % this.M !== 0) throw badArgument(`subspaces (${this.M}) must divide headDim (${headDim})`);
    this.B = checkInt('bits', opts.bits ?? 6, 1, 16);
    this.iterations = checkInt('iterations', opts.iterations ?? 25, 1);
    this.growth = opts.refitGrowth === Infinity ? Infinity : checkNumber('refitGrowth', opts.refitGrowth ?? 2, 1, Infinity, { minExclusive: true });
    this.seed = checkInt('seed', opts.seed ?? 0, 0);
    this.name = `pqcache-m${this.M}b${this.B}`;
    this.heads = new Array(nKvHeads).fill(null);
    this.lut = kernels.allocF32(1 << this.B);
    this.tmp = kernels.allocF32(1024);
  }

  reset(): void {
    for (const h of this.heads) if (h) this.freeHead(h);
    this.heads.fill(null);
  }

  observe(): void {
    // Encoding is lazy (at the next score), because the codebooks exist only after "prefill".
  }

  score(kvHead: number, keys: HeadKeys, q: GroupQuery, farStart: number, farEnd: number,
    outArr: ResidentArray<Float32Array>): void {
    checkScoreCall({ nKvHeads: this.heads.length, headDim: this.headDim, groupSize: this.groupSize }, 1, kvHead, keys, q, farStart, farEnd, outArr);
    const d = this.headDim, g = this.groupSize, m = farEnd - farStart, M = this.M, sub = d / M;
    const pq = this.codebooksFor(kvHead, keys);
    if (this.tmp.length < m) { this.tmp.dispose(); this.tmp = this.kernels.allocF32(Math.max(m, 2 * this.tmp.length)); }
    if (this.lastHeadScores.length < g * m) this.lastHeadScores = new Float32Array(g * m);
    const est = this.lastHeadScores;
    const scale = 1 / Math.sqrt(d);
    const out = outArr.view(); // no allocation below this point
    out.fill(0, 0, m);
    for (let h = 0; h < g; h++) {
      const row = est.subarray(h * m, (h + 1) * m);
      row.fill(0);
      for (let s = 0; s < M; s++) {
        this.kernels.gemv(pq.centroids[s].view(), q.post.subarray(h * d + s * sub, h * d + (s + 1) * sub), this.lut.view(), pq.k, sub);
        const tmp = this.tmp.view();
        this.kernels.lutGather(this.lut.view(), pq.k, pq.codes[s].view().subarray(farStart, farEnd), m, tmp);
        for (let j = 0; j < m; j++) row[j] += tmp[j] * scale;
      }
      // Softmax over the far tokens, summed over the group.
      let max = -Infinity;
      for (let j = 0; j < m; j++) if (row[j] > max) max = row[j];
      let z = 0;
      for (let j = 0; j < m; j++) z += Math.exp(row[j] - max);
      for (let j = 0; j < m; j++) out[j] += Math.exp(row[j] - max) / z;
    }
  }

  /**
   * Fit KV head `kvHead`'s codebooks now if `score` would (first call, or the keys grew by
   * `refitGrowth`×), with the asynchronous k-means: yields to the event loop and stops on
   * `signal` (ABORTED) within ~250 ms. The codebooks equal those `score` would fit.
   * @example await pq.prepare(h, store.head(h), { signal }); pq.score(h, store.head(h), q, a, b, out);
   */
  async prepare(kvHead: number, keys: HeadKeys, options?: { signal?: AbortSignal }): Promise<void> {
    const k = checkPrepareCall({ nKvHeads: this.heads.length, headDim: this.headDim, groupSize: this.groupSize }, kvHead, keys);
    const signal = checkOptions('PqCache.prepare options', options, PREPARE_KEYS).signal;
    throwIfAborted(signal, 'PqCache.prepare');
    if (!this.fitDue(kvHead, k.length)) return;
    const fits: Float32Array[] = [];
    for (const [s, subv, kmOpts] of this.fitInputs(kvHead, k)) {
      fits[s] = (await kmeans(this.kernels, subv, k.length, this.headDim / this.M, { ...kmOpts, signal })).centroids;
    }
    this.install(kvHead, k.length, fits);
  }

  /** Whether the next score() of this head (n keys present) fits the codebooks. */
  private fitDue(kvHead: number, n: number): boolean {
    const pq = this.heads[kvHead];
    return n > 0 && (pq === null || n >= this.growth * pq.fittedAt);
  }

  /** Per sub-space: its index, the sub-vectors of all n keys, and the k-means options. */
  private *fitInputs(kvHead: number, keys: HeadKeys): Generator<[number, Float32Array, { k: number; maxIterations: number; seed: number }]> {
    const n = keys.length, d = this.headDim, sub = d / this.M;
    for (let s = 0; s < this.M; s++) {
      const subv = new Float32Array(n * sub);
      copySub(keys.keysPost, n, d, s * sub, sub, subv);
      yield [s, subv, { k: Math.min(1 << this.B, n), maxIterations: this.iterations, seed: this.seed + kvHead * 131 + s }];
    }
  }

  /** Replace the head's codebooks by `fits` (M tables of k × d/M), fitted on n keys; no key is encoded yet. */
  private install(kvHead: number, n: number, fits: Float32Array[]): HeadPq {
    const old = this.heads[kvHead];
    if (old) this.freeHead(old);
    const k = Math.min(1 << this.B, n);
    const centroids = fits.map((f) => { const c = this.kernels.allocF32(k * (this.headDim / this.M)); c.view().set(f); return c; });
    const pq = { centroids, codes: Array.from({ length: this.M }, () => this.kernels.allocI32(Math.max(1024, 2 * n))), k, fittedAt: n, encoded: 0 };
    this.heads[kvHead] = pq;
    return pq;
  }

  /** M sub-codes of B bits for the m far tokens + the M tables (2^B × d/M) read once. */
  indexBytes(n: number, m: number): number {
    checkIndexBytesCall(n, m);
    return Math.ceil((m * this.M * this.B) / 8) + (1 << this.B) * this.headDim * 4;
  }

  /** Fit (or refit) this head's PQ codebooks when due, then encode keys not yet encoded. */
  private codebooksFor(kvHead: number, keys: HeadKeys): HeadPq {
    const n = keys.length, d = this.headDim, M = this.M, sub = d / M;
    let pq = this.heads[kvHead];
    if (pq === null || this.fitDue(kvHead, n)) {
      const fits: Float32Array[] = [];
      for (const [s, subv, kmOpts] of this.fitInputs(kvHead, keys)) fits[s] = kmeansSync(this.kernels, subv, n, sub, kmOpts).centroids;
      pq = this.install(kvHead, n, fits);
    }
    if (pq.encoded < n) {
      const a = pq.encoded, cnt = n - a;
      if (pq.codes[0].length < n) {
        pq.codes = pq.codes.map((c) => {
          const next = this.kernels.allocI32(2 * n);
          next.view().set(c.view().subarray(0, a));
          c.dispose();
          return next;
        });
      }
      const subv = new Float32Array(cnt * sub);
      const dist = new Float32Array(cnt);
      for (let s = 0; s < M; s++) {
        copySub(keys.keysPost.subarray(a * d), cnt, d, s * sub, sub, subv);
        this.kernels.argminL2(subv, pq.centroids[s].view(), pq.codes[s].view().subarray(a, n), dist, cnt, pq.k, sub);
      }
      pq.encoded = n;
    }
    return pq;
  }

  private freeHead(h: HeadPq): void {
    for (const c of h.centroids) c.dispose();
    for (const c of h.codes) c.dispose();
  }

  dispose(): void {
    this.reset();
    this.lut.dispose();
    this.tmp.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}

/** out[i*len + t] = x[i*d + off + t]: the sub-vectors of n rows. */
function copySub(x: Float32Array, n: number, d: number, off: number, len: number, out: Float32Array): void {
  for (let i = 0; i < n; i++) out.set(x.subarray(i * d + off, i * d + off + len), i * len);
}
