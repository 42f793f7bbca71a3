/**
 * A²ATS retrieval (He et al., arXiv 2502.12665, §3.3): far tokens are scored by a lookup table
 * over a frozen codebook of pre-RoPE keys,
 *
 *     q̃_h = q_h R(b) / √d,   t_h = q̃_h · Cᵀ  (K_c entries),   ŝ_{h,j} = t_h[code_j]
 *
 * so a step costs one K_c×d matrix-vector product per query head plus a gather over n codes
 * (kernels.gemv + kernels.lutGather), instead of reading n keys. With a query-aware codebook
 * this is A²ATS; with a plain (H = I) codebook it is the "plain VQ + WRoPE" baseline.
 * Codes of new keys are assigned as they arrive (`observe`), in the codebook's metric.
 *
 * Any kernels: scoring and encoding are one async function each. On a CPU backend the
 * codebooks, codes and tables are resident (no copies); on a GPU (webgpu) the
 * codebooks, codes, lookup tables and the scores stay in device arrays: a step uploads the
 * g rotated queries (g·d floats) and nothing comes back — the selection (./retrieval.ts) reads
 * back only the chosen indices. The query rotation R(b) runs on the host (kernels.rope has no
 * GPU program; it is g·d values). All gemv + lutGather calls of a step are issued before the
 * first wait, so on webgpu a KV head's scoring — or a whole layer's, through
 * Retrieval.selectAll — is one GPU submission.
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import type { Kernels } from '../../kernels/kernels.js';
import { mirrorF32, mirrorI32, type HostMirror } from '../../kernels/host-mirror.js';
import { badArgument } from '../../core/errors.js';
import { checkFinite, checkFloat32, checkInt } from '../../core/validate.js';
import type { Codebook } from '../codebook.js';
import type { GroupQuery, RetrievalMethod, ScoreBuffer } from '../retrieval-method.js';
import type { HeadKeys } from '../kv-store.js';
import { checkWRope, type WRopeConfig } from '../wrope.js';
import { disposeSymbol } from '../../core/dispose.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { checkIndexBytesCall } from './check-method-call.js';

/** WRoPE rotation, group size and display name of a VqRetrieval. */
export interface VqRetrievalOptions {
  /** WRoPE rotation for queries (distance b, base, pairing); window is applied by the selector. */
  wrope: WRopeConfig;
  /** Query heads per KV head. */
  groupSize: number;
  /** Display name (default 'a2ats' for query-aware codebooks, 'vq-wrope' for plain ones). */
  name?: string;
  /**
   * Distance bands (default 1 = the paper's single rotation R(b)). With B > 1 — an extension, not
   * in the paper — far tokens at distance i − j in [w·4^k, w·4^(k+1)) are scored with the query
   * rotated to b_k = 2·w·4^k (the last band is open-ended): B lookup tables per head instead of
   * one, the same codes and the same gather pass (each band is a contiguous range of positions).
   * It removes most of WRoPE's error on content in mid-frequency rotation pairs.
   */
  bands?: number;
  /**
   * Tokens per KV head to reserve code space for (default 1024; more are added by doubling).
   * On asynchronous kernels growing the codes reads them back, so give the capacity when known.
   */
  capacity?: number;
}

/** Every key of VqRetrievalOptions, for checkOptions. */
export const VQ_RETRIEVAL_KEYS = optionKeys<VqRetrievalOptions>({ wrope: true, groupSize: true, name: true, bands: true, capacity: true });

/** One KV head's tables, codes and scratch. */
interface HeadState {
  readonly codebook: Codebook;
  /** size*d centroids (key space): the lookup table is t = C·q̃. */
  readonly centroids: HostMirror<Float32Array>;
  /** size*d whitened centroids C·L (encoding); the same mirror as `centroids` for plain VQ. */
  readonly whitened: HostMirror<Float32Array>;
  codes: HostMirror<Int32Array>;
  encoded: number;
  /** g*ranges*size lookup tables of the last step (device-side on async kernels). */
  lut: HostMirror<Float32Array> | null;
  /** bands*g*d rotated, scaled queries of the last step (host), band k at k*g*d. */
  qt: Float32Array;
  /** The query `qt` holds (prepareQuery), or null. */
  prepared: GroupQuery | null;
  /** Encoding scratch: whitened keys (count*d, host) and distances (count; on the device for async kernels, never read). */
  z: Float32Array;
  dist: HostMirror<Float32Array>;
}

/** Keys encoded per argminL2 call in `observe` (bounds the whitening scratch). */
const ENCODE_CHUNK = 256;

/** A²ATS (query-aware codebooks) or plain VQ + WRoPE retrieval (see the file header). */
export class VqRetrieval implements RetrievalMethod {
  readonly name: string;
  readonly scoring = 'perHead' as const;
  readonly estimatesScores = true;
  private readonly heads: HeadState[] = [];
  private readonly d: number;
  private readonly bands: number;

  /**
   * @param codebooks - one per KV head of the layer (same dim and size).
   * @example new VqRetrieval(kernels, [set.get(0, 0), set.get(0, 1)], { wrope, groupSize: 4 })
   */
  constructor(private readonly kernels: Kernels, codebooks: Codebook[], private readonly opts: VqRetrievalOptions) {
    checkKernels('kernels', kernels);
    if (!Array.isArray(codebooks) || codebooks.length === 0) throw badArgument('codebooks must be a non-empty array (one per KV head)');
    if (opts === null || opts === undefined) throw badArgument('VqRetrieval options must give wrope and groupSize');
    checkOptions('VqRetrieval options', opts, VQ_RETRIEVAL_KEYS);
    checkWRope(opts.wrope, 'wrope');
    checkInt('groupSize', opts.groupSize, 1);
    const capacity = checkInt('capacity', opts.capacity ?? 1024, 1);
    const d = codebooks[0].dim, size = codebooks[0].size;
    codebooks.forEach((c, i) => {
      if (c.dim !== d || c.size !== size) throw badArgument(`codebooks[${i}] is ${c.size}x${c.dim}, expected ${size}x${d}`);
    });
    this.d = d;
    this.bands = checkInt('bands', opts.bands ?? 1, 1, 16);
    this.name = opts.name ?? (codebooks[0].queryAware ? 'a2ats' : 'vq-wrope') + (this.bands > 1 ? `-bands${this.bands}` : '');
    const owned: HostMirror<Float32Array | Int32Array>[] = [];
    const own = <T extends HostMirror<Float32Array> | HostMirror<Int32Array>>(m: T): T => { owned.push(m); return m; };
    try {
      for (const cb of codebooks) {
        const centroids = own(mirrorF32(kernels, size * d));
        centroids.host().set(cb.centroids);
        centroids.push();
        let whitened = centroids;
        if (cb.factor !== null) {
          whitened = own(mirrorF32(kernels, size * d));
          whitened.host().set(cb.whitened);
          whitened.push();
        }
        const codes = own(mirrorI32(kernels, capacity));
        this.heads.push({
          codebook: cb, centroids, whitened, codes, encoded: 0, lut: null, qt: new Float32Array(0), prepared: null,
          z: new Float32Array(ENCODE_CHUNK * d), dist: own(mirrorF32(kernels, ENCODE_CHUNK)),
        });
      }
    } catch (e) {
      for (const m of owned) m.dispose();
      throw e;
    }
  }

  reset(): void {
    for (const h of this.heads) h.encoded = 0;
  }

  /** Encode keys [from, to) of this KV head (pre-RoPE) into codes, in chunks of 256 keys. */
  async observe(kvHead: number, keys: HeadKeys, from: number, to: number): Promise<void> {
    const d = this.d;
    const st = this.head(kvHead);
    checkInt('from', from, 0); checkInt('to', to, from);
    if (from > st.encoded) throw badArgument(`observe must be contiguous: KV head ${kvHead} has ${st.encoded} tokens encoded, got from = ${from}`);
    for (let a = from; a < to; a += ENCODE_CHUNK) {
      const b = Math.min(to, a + ENCODE_CHUNK);
      await this.encode(st, keys.keysPre.subarray(a * d, b * d), a, b - a);
    }
  }

  /**
   * Encode `count` new pre-RoPE keys (count*d) of KV head kvHead as tokens encoded..encoded+count
   * (the fast tier's path: it never stores the full keys).
   */
  async appendKeys(kvHead: number, keysPre: Float32Array, count: number): Promise<void> {
    const st = this.head(kvHead);
    checkInt('count', count, 0);
    await this.encode(st, keysPre, st.encoded, count);
  }

  /** Tokens of KV head kvHead with a code. */
  encodedCount(kvHead: number): number {
    return this.head(kvHead).encoded;
  }

  private head(kvHead: number): HeadState {
    return this.heads[checkInt('kvHead', kvHead, 0, this.heads.length - 1)];
  }

  /**
   * codes[at..at+count) = nearest centroids of the keys in the codebook's metric: the keys are
   * whitened on the host (k̃L) and kernels.argminL2 finds the nearest whitened centroid — what
   * Codebook.encode does, with the codes written where the kernels read them (in place).
   */
  private async encode(st: HeadState, keysPre: Float32Array, at: number, count: number): Promise<void> {
    const d = this.d, size = st.codebook.size;
    checkFloat32('keys', keysPre, count * d); checkFinite('keys', keysPre, count * d);
    await this.ensureCodes(st, at + count);
    if (count > 0) {
      if (st.dist.length < count) {
        st.z = new Float32Array(count * d);
        st.dist.dispose();
        st.dist = mirrorF32(this.kernels, count);
      }
      st.codebook.whiten(keysPre, count, st.z);
      await this.kernels.argminL2(st.z, st.whitened.arg(), st.codes.arg().subarray(at, at + count), st.dist.arg(), count, size, d);
    }
    st.encoded = at + count;
  }

  /**
   * ŝ_{h,j} = t_h[code_j] for the g query heads (rows of out, m = farEnd − farStart each). On a
   * GPU all of it stays on the device. Returns the gemv/lutGather results unawaited (see
   * RetrievalMethod.score).
   */
  /** Rotation distance of each band (one band: the WRoPE distance b; k of 2w·4^k, see the file header). */
  private bandDistances(): number[] {
    const { distance, window } = this.opts.wrope;
    if (this.bands === 1) return [distance];
    const w = Math.max(1, window);
    return Array.from({ length: this.bands }, (_, k) => 2 * w * 4 ** k);
  }

  /**
   * q̃ = q R(b)/√d for the g heads, one rotation per band (host: g·d values), kept for the
   * `score` of the same query. With it done, `score` issues every kernel call before it
   * returns (`issuesBeforeReturn`), so a caller may issue its selection right behind it.
   */
  async prepareQuery(kvHead: number, q: GroupQuery): Promise<void> {
    const d = this.d, g = this.opts.groupSize;
    const st = this.head(kvHead);
    checkFloat32('query.pre', q.pre, g * d);
    const dist = this.bandDistances();
    if (st.qt.length < dist.length * g * d) st.qt = new Float32Array(dist.length * g * d);
    const scale = 1 / Math.sqrt(d);
    st.prepared = null;
    for (let k = 0; k < dist.length; k++) {
      const qb = st.qt.subarray(k * g * d, (k + 1) * g * d);
      qb.set(q.pre.subarray(0, g * d));
      await this.kernels.rope(qb, g, d, dist[k], this.opts.wrope.base, this.opts.wrope.pairing);
      for (let t = 0; t < g * d; t++) qb[t] *= scale;
    }
    st.prepared = q;
  }

  /** `score` issues all its kernel calls before returning once `prepareQuery` ran for the query. */
  readonly issuesBeforeReturn = true;

  /**
   * ŝ_{h,j} = t_h[code_j] for the g query heads (rows of out, m = farEnd − farStart each). On a
   * GPU all of it stays on the device. Returns the gemv/lutGather results unawaited (see
   * RetrievalMethod.score); rotates the query first unless `prepareQuery` did.
   */
  async score(kvHead: number, _keys: HeadKeys, q: GroupQuery, farStart: number, farEnd: number,
    out: ScoreBuffer): Promise<readonly unknown[]> {
    const d = this.d, g = this.opts.groupSize, m = farEnd - farStart;
    const st = this.head(kvHead);
    checkInt('farStart', farStart, 0); checkInt('farEnd', farEnd, farStart);
    if (farEnd > st.encoded) throw badArgument(`tokens up to ${farEnd} must be observed before scoring (have ${st.encoded})`);
    checkFloat32('query.pre', q.pre, g * d);
    checkInt('query.pos', q.pos, 0);
    const size = st.codebook.size;
    // A preparation serves one score (callers reuse query objects from step to step).
    const ready = st.prepared === q;
    st.prepared = null;
    // Bands of positions [lo, hi) and the band of their rotation (one band: all far tokens, b).
    const ranges: [number, number, number][] = [];
    if (this.bands === 1) ranges.push([farStart, farEnd, 0]);
    else {
      const w = Math.max(1, this.opts.wrope.window);
      for (let k = 0; k < this.bands; k++) {
        // Band 0 starts at distance 0: with window 0 the current token itself is far.
        const near = k === 0 ? 0 : w * 4 ** k, far = k === this.bands - 1 ? Infinity : w * 4 ** (k + 1);
        const lo = Math.max(farStart, far === Infinity ? farStart : q.pos - far + 1), hi = Math.min(farEnd, q.pos - near + 1);
        if (hi > lo) ranges.push([lo, hi, k]);
      }
    }
    if (m === 0 || ranges.length === 0) return [];
    if (!ready) {
      await this.prepareQuery(kvHead, q);
      st.prepared = null;
    }
    const R = ranges.length;
    // Scratch first: an allocation detaches the views taken below (CPU backends).
    if (st.lut === null || st.lut.length < g * R * size) {
      st.lut?.dispose();
      st.lut = mirrorF32(this.kernels, g * R * size);
    }
    const lut = st.lut, kx = this.kernels;
    // t = C q̃ and ŝ_j = t[code_j], every head and band issued; the caller waits (with its selection).
    const issued: unknown[] = [];
    for (let h = 0; h < g; h++) {
      for (let i = 0; i < R; i++) {
        const [lo, hi, k] = ranges[i];
        const t0 = (h * R + i) * size;
        issued.push(kx.gemv(st.centroids.arg(), st.qt.subarray((k * g + h) * d, (k * g + h + 1) * d), lut.arg().subarray(t0, t0 + size), size, d));
        issued.push(kx.lutGather(lut.arg().subarray(t0, t0 + size), size, st.codes.arg().subarray(lo, hi), hi - lo,
          out.arg().subarray(h * m + lo - farStart, h * m + hi - farStart)));
      }
    }
    return issued;
  }

  /** Codes of the m far tokens (codeBits each) + one pass over the codebook to build the table. */
  indexBytes(n: number, m: number): number {
    checkIndexBytesCall(n, m);
    const cb = this.heads[0].codebook;
    return Math.ceil((m * cb.codeBits) / 8) + cb.size * cb.dim * 4;
  }

  /** The codes of KV head kvHead (a copy of the first `encoded` entries; read back from a GPU). */
  async codesOf(kvHead: number): Promise<Int32Array> {
    const st = this.head(kvHead);
    await st.codes.pull();
    return Int32Array.from(st.codes.host().subarray(0, st.encoded));
  }

  /** Room for n codes: a larger array holding the codes so far (read back first on async kernels). */
  private async ensureCodes(st: HeadState, n: number): Promise<void> {
    const cur = st.codes;
    if (cur.length >= n) return;
    const next = mirrorI32(this.kernels, Math.max(n, cur.length * 2));
    await cur.pull();
    // Views are taken after the allocation (which may grow memory on sync kernels).
    next.host().set(cur.host().subarray(0, st.encoded));
    next.push();
    cur.dispose();
    st.codes = next;
  }

  dispose(): void {
    for (const h of this.heads) {
      h.centroids.dispose();
      if (h.whitened !== h.centroids) h.whitened.dispose();
      h.codes.dispose();
      h.dist.dispose();
      h.lut?.dispose();
    }
    this.heads.length = 0;
  }

  [disposeSymbol](): void { this.dispose(); }
}
