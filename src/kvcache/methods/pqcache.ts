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
 * is the expensive part (M k-means runs over every key): `score` runs it in assignment blocks
 * between which the event loop runs and `options.signal` is checked.
 * Defaults M = 2, B = 6 give 12 bits per token, the same as A²ATS's 4096-entry codes.
 */
import type { Kernels } from '../../kernels/kernels.js';
import { checkKernels } from '../../kernels/check-kernels.js';
import { mirrorF32, mirrorI32, type HostMirror } from '../../kernels/host-mirror.js';
import { badArgument, throwIfAborted } from '../../core/errors.js';
import { checkInt, checkNumber } from '../../core/validate.js';
import { kmeans } from '../kmeans.js';
import type { GroupQuery, RetrievalMethod, ScoreBuffer } from '../retrieval-method.js';
import type { HeadKeys } from '../kv-store.js';
import { disposeSymbol } from '../../core/dispose.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { checkIndexBytesCall, checkScoreCall } from './check-method-call.js';

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

const SCORE_KEYS = optionKeys<{ signal?: AbortSignal }>({ signal: true });

/** Every key of PqCacheOptions, for checkOptions. */
export const PQCACHE_KEYS = optionKeys<PqCacheOptions>({ subspaces: true, bits: true, iterations: true, refitGrowth: true, seed: true });

interface HeadPq {
  /** M tables of 2^B × d/M centroids (resident on CPU backends, device arrays on a GPU). */
  centroids: HostMirror<Float32Array>[];
  /** M code arrays. */
  codes: HostMirror<Int32Array>[];
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
  private lut: HostMirror<Float32Array>;
  private tmp: HostMirror<Float32Array>;
  /** Per-head estimated logits of the last score() call (g*m), for the score-MSE metric. */
  lastHeadScores = new Float32Array(0);

  /** @example new PqCache(kernels, 128, 4, 8, { subspaces: 2, bits: 6 }) */
  constructor(private readonly kernels: Kernels, private readonly headDim: number,
    private readonly groupSize: number, nKvHeads: number, opts: PqCacheOptions = {}) {
    checkKernels('kernels', kernels);
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
    this.lut = mirrorF32(kernels, 1 << this.B);
    this.tmp = mirrorF32(kernels, 1024);
  }

  reset(): void {
    for (const h of this.heads) if (h) this.freeHead(h);
    this.heads.fill(null);
  }

  async observe(): Promise<void> {
    // Encoding is lazy (at the next score), because the codebooks exist only after "prefill".
  }

  /**
   * Group scores Σ_h softmax_h(PQ logits). The first call for a KV head (and each call after the
   * keys grew by `refitGrowth`×) fits its codebooks with k-means over every key present: that
   * returns to the event loop between assignment blocks and stops on `options.signal`
   * (ABORTED) within ~250 ms.
   */
  async score(kvHead: number, keys: HeadKeys, q: GroupQuery, farStart: number, farEnd: number,
    outArr: ScoreBuffer, options?: { signal?: AbortSignal }): Promise<readonly unknown[]> {
    checkScoreCall({ nKvHeads: this.heads.length, headDim: this.headDim, groupSize: this.groupSize }, 1, kvHead, keys, q, farStart, farEnd, outArr);
    const signal = checkOptions('PqCache.score options', options, SCORE_KEYS).signal;
    throwIfAborted(signal, 'PqCache.score');
    const d = this.headDim, g = this.groupSize, m = farEnd - farStart, M = this.M, sub = d / M;
    const pq = await this.codebooksFor(kvHead, keys, signal);
    if (this.tmp.length < m) { this.tmp.dispose(); this.tmp = mirrorF32(this.kernels, Math.max(m, 2 * this.tmp.length)); }
    if (this.lastHeadScores.length < g * m) this.lastHeadScores = new Float32Array(g * m);
    const est = this.lastHeadScores;
    const scale = 1 / Math.sqrt(d);
    outArr.host().fill(0, 0, m);
    for (let h = 0; h < g; h++) {
      const row = est.subarray(h * m, (h + 1) * m);
      row.fill(0);
      for (let s = 0; s < M; s++) {
        await this.kernels.gemv(pq.centroids[s].arg(), q.post.subarray(h * d + s * sub, h * d + (s + 1) * sub), this.lut.arg(), pq.k, sub);
        await this.kernels.lutGather(this.lut.arg(), pq.k, pq.codes[s].arg().subarray(farStart, farEnd), m, this.tmp.arg());
        await this.tmp.pull();
        const tmp = this.tmp.host();
        for (let j = 0; j < m; j++) row[j] += tmp[j] * scale;
      }
      // Softmax over the far tokens, summed over the group.
      const out = outArr.host();
      let max = -Infinity;
      for (let j = 0; j < m; j++) if (row[j] > max) max = row[j];
      let z = 0;
      for (let j = 0; j < m; j++) z += Math.exp(row[j] - max);
      for (let j = 0; j < m; j++) out[j] += Math.exp(row[j] - max) / z;
    }
    outArr.push();
    return [];
  }

  /** Whether the next score() of this head (n keys present) fits the codebooks. */
  private fitDue(kvHead: number, n: number): boolean {
    const pq = this.heads[kvHead];
    return n > 0 && (pq === null || n >= this.growth * pq.fittedAt);
  }

  /** Replace the head's codebooks by `fits` (M tables of k × d/M), fitted on n keys; no key is encoded yet. */
  private install(kvHead: number, n: number, fits: Float32Array[]): HeadPq {
    const old = this.heads[kvHead];
    if (old) this.freeHead(old);
    const k = Math.min(1 << this.B, n);
    const centroids = fits.map((f) => { const c = mirrorF32(this.kernels, k * (this.headDim / this.M)); c.host().set(f); c.push(); return c; });
    const pq = { centroids, codes: Array.from({ length: this.M }, () => mirrorI32(this.kernels, Math.max(1024, 2 * n))), k, fittedAt: n, encoded: 0 };
    this.heads[kvHead] = pq;
    return pq;
  }

  /** M sub-codes of B bits for the m far tokens + the M tables (2^B × d/M) read once. */
  indexBytes(n: number, m: number): number {
    checkIndexBytesCall(n, m);
    return Math.ceil((m * this.M * this.B) / 8) + (1 << this.B) * this.headDim * 4;
  }

  /** Fit (or refit) this head's PQ codebooks when due (abortably), then encode keys not yet encoded. */
  private async codebooksFor(kvHead: number, keys: HeadKeys, signal?: AbortSignal): Promise<HeadPq> {
    const n = keys.length, d = this.headDim, M = this.M, sub = d / M;
    let pq = this.heads[kvHead];
    if (pq === null || this.fitDue(kvHead, n)) {
      const fits: Float32Array[] = [];
      for (let s = 0; s < M; s++) {
        const subv = new Float32Array(n * sub);
        copySub(keys.keysPost, n, d, s * sub, sub, subv);
        fits[s] = (await kmeans(this.kernels, subv, n, sub,
          { k: Math.min(1 << this.B, n), maxIterations: this.iterations, seed: this.seed + kvHead * 131 + s, signal })).centroids;
      }
      pq = this.install(kvHead, n, fits);
    }
    if (pq.encoded < n) {
      const a = pq.encoded, cnt = n - a;
      if (pq.codes[0].length < n) {
        const grown: HostMirror<Int32Array>[] = [];
        for (const c of pq.codes) {
          const next = mirrorI32(this.kernels, 2 * n);
          await c.pull();
          next.host().set(c.host().subarray(0, a));
          next.push();
          c.dispose();
          grown.push(next);
        }
        pq.codes = grown;
      }
      const subv = new Float32Array(cnt * sub);
      const dist = new Float32Array(cnt);
      for (let s = 0; s < M; s++) {
        copySub(keys.keysPost.subarray(a * d), cnt, d, s * sub, sub, subv);
        await this.kernels.argminL2(subv, pq.centroids[s].arg(), pq.codes[s].arg().subarray(a, n), dist, cnt, pq.k, sub);
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
