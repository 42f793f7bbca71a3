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
 */
import type { Kernels, ResidentArray } from '../../kernels/kernels.js';
import { badArgument } from '../../core/errors.js';
import { checkInt } from '../../core/validate.js';
import type { Codebook, ResidentCodebook } from '../codebook.js';
import type { GroupQuery, RetrievalMethod } from '../retrieval-method.js';
import type { HeadKeys } from '../kv-store.js';
import { checkWRope, type WRopeConfig } from '../wrope.js';

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
}

/** A²ATS (query-aware codebooks) or plain VQ + WRoPE retrieval (see the file header). */
export class VqRetrieval implements RetrievalMethod {
  readonly name: string;
  readonly scoring = 'perHead' as const;
  readonly estimatesScores = true;
  private readonly books: ResidentCodebook[];
  private codes: ResidentArray<Int32Array>[];
  private encoded: number[];
  private readonly d: number;
  private readonly lut: ResidentArray<Float32Array>;
  private readonly qt: Float32Array;
  private zScratch: { whitened: Float32Array; dist: Float32Array };
  private readonly bands: number;

  /**
   * @param codebooks - one per KV head of the layer (same dim and size).
   * @example new VqRetrieval(kernels, [set.get(0, 0), set.get(0, 1)], { wrope, groupSize: 4 })
   */
  constructor(private readonly kernels: Kernels, codebooks: Codebook[], private readonly opts: VqRetrievalOptions) {
    if (!Array.isArray(codebooks) || codebooks.length === 0) throw badArgument('codebooks must be a non-empty array (one per KV head)');
    checkWRope(opts.wrope, 'wrope');
    checkInt('groupSize', opts.groupSize, 1);
    const d = codebooks[0].dim, size = codebooks[0].size;
    codebooks.forEach((c, i) => {
      if (c.dim !== d || c.size !== size) throw badArgument(`codebooks[${i}] is ${c.size}x${c.dim}, expected ${size}x${d}`);
    });
    this.d = d;
    this.bands = checkInt('bands', opts.bands ?? 1, 1, 16);
    this.name = opts.name ?? (codebooks[0].queryAware ? 'a2ats' : 'vq-wrope') + (this.bands > 1 ? `-bands${this.bands}` : '');
    this.books = [];
    try {
      for (const c of codebooks) this.books.push(c.resident(kernels));
      this.lut = kernels.allocF32(size);
    } catch (e) {
      for (const b of this.books) b.dispose();
      throw e;
    }
    this.codes = codebooks.map(() => kernels.allocI32(1024));
    this.encoded = codebooks.map(() => 0);
    this.qt = new Float32Array(d);
    this.zScratch = { whitened: new Float32Array(256 * d), dist: new Float32Array(256) };
  }

  reset(): void {
    this.encoded.fill(0);
  }

  /** Encode keys [from, to) of this KV head (pre-RoPE) into codes. */
  observe(kvHead: number, keys: HeadKeys, from: number, to: number): void {
    const d = this.d;
    if (from > this.encoded[kvHead]) throw badArgument(`observe must be contiguous: KV head ${kvHead} has ${this.encoded[kvHead]} tokens encoded, got from = ${from}`);
    for (let a = from; a < to; a += 256) {
      const b = Math.min(to, a + 256);
      this.encodeAt(kvHead, keys.keysPre.subarray(a * d, b * d), a, b - a);
    }
  }

  /**
   * Encode `count` new pre-RoPE keys (count*d) of KV head kvHead as tokens encoded..encoded+count
   * (the fast tier's path: it never stores the full keys).
   */
  appendKeys(kvHead: number, keysPre: Float32Array, count: number): void {
    this.encodeAt(kvHead, keysPre, this.encoded[kvHead], count);
  }

  /** Tokens of KV head kvHead with a code. */
  encodedCount(kvHead: number): number {
    return this.encoded[kvHead];
  }

  private encodeAt(kvHead: number, keysPre: Float32Array, at: number, count: number): void {
    this.ensureCodes(kvHead, at + count);
    const cb = this.books[kvHead];
    if (this.zScratch.dist.length < count) {
      this.zScratch.whitened = new Float32Array(count * this.d);
      this.zScratch.dist = new Float32Array(count);
    }
    // The view is taken after ensureCodes (which may allocate and grow memory).
    cb.codebook.encode(this.kernels, keysPre, count, this.codes[kvHead].view().subarray(at, at + count), this.zScratch, cb);
    this.encoded[kvHead] = at + count;
  }

  score(kvHead: number, _keys: HeadKeys, q: GroupQuery, farStart: number, farEnd: number,
    out: ResidentArray<Float32Array>): void {
    const d = this.d, g = this.opts.groupSize, m = farEnd - farStart;
    if (farEnd > this.encoded[kvHead]) throw badArgument(`tokens up to ${farEnd} must be observed before scoring (have ${this.encoded[kvHead]})`);
    const { distance, base, pairing, window } = this.opts.wrope;
    const cb = this.books[kvHead];
    const size = cb.codebook.size;
    const scale = 1 / Math.sqrt(d);
    // Bands of positions [lo, hi) and their rotation distances (one band: all far tokens, b).
    const ranges: [number, number, number][] = [];
    if (this.bands === 1) ranges.push([farStart, farEnd, distance]);
    else {
      const w = Math.max(1, window);
      for (let k = 0; k < this.bands; k++) {
        const near = w * 4 ** k, far = k === this.bands - 1 ? Infinity : w * 4 ** (k + 1);
        const lo = Math.max(farStart, far === Infinity ? farStart : q.pos - far + 1), hi = Math.min(farEnd, q.pos - near + 1);
        if (hi > lo) ranges.push([lo, hi, 2 * w * 4 ** k]);
      }
    }
    for (let h = 0; h < g; h++) {
      for (const [lo, hi, b] of ranges) {
        // q̃ = q R(b)/√d, then t = C q̃ and ŝ_j = t[code_j].
        const qt = this.qt;
        qt.set(q.pre.subarray(h * d, (h + 1) * d));
        this.kernels.rope(qt, 1, d, b, base, pairing);
        for (let t = 0; t < d; t++) qt[t] *= scale;
        this.kernels.gemv(cb.centroids.view(), qt, this.lut.view(), size, d);
        this.kernels.lutGather(this.lut.view(), size, this.codes[kvHead].view().subarray(lo, hi), hi - lo,
          out.view().subarray(h * m + lo - farStart, h * m + hi - farStart));
      }
    }
  }

  /** Codes of the m far tokens (codeBits each) + one pass over the codebook to build the table. */
  indexBytes(_n: number, m: number): number {
    const cb = this.books[0].codebook;
    return Math.ceil((m * cb.codeBits) / 8) + cb.size * cb.dim * 4;
  }

  /** The codes of KV head kvHead (a copy of the first `encoded` entries). */
  codesOf(kvHead: number): Int32Array {
    return Int32Array.from(this.codes[kvHead].view().subarray(0, this.encoded[kvHead]));
  }

  private ensureCodes(kvHead: number, n: number): void {
    const cur = this.codes[kvHead];
    if (cur.length >= n) return;
    const next = this.kernels.allocI32(Math.max(n, cur.length * 2));
    next.view().set(cur.view().subarray(0, this.encoded[kvHead]));
    cur.free();
    this.codes[kvHead] = next;
  }

  dispose(): void {
    for (const b of this.books) b.dispose();
    for (const c of this.codes) c.free();
    this.lut.free();
  }
}
