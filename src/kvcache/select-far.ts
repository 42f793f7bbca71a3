/**
 * Choosing far tokens from approximate scores (A²ATS §3.3), for one KV head and its g query
 * heads. Three rules, all returning far-token offsets in increasing order:
 *
 * - unionTopK:        per head the k best (kernels.topKSelect), union over the group.
 * - interleavedUnion: exactly R tokens: rank 0 of head 0, …, head g−1, then rank 1, …,
 *                     skipping tokens already taken. Stopped at the size of the top-k union it
 *                     returns that union exactly, so it is the same rule with an exact budget.
 * - groupTopK:        one score per token (e.g. PQCache's summed softmax): the R best.
 * Ties go to the lower index everywhere (the kernels' rule), so results are deterministic.
 *
 * A FarSelector keeps its scratch between calls (decode steps allocate nothing).
 */
import type { Kernels } from '../kernels/kernels.js';
import { badArgument } from '../core/errors.js';
import { checkFloat32, checkInt } from '../core/validate.js';

/** The three selection rules with reusable scratch (see the file header). @example new FarSelector(kernels).unionTopK(scores, 4, m, k, out) */
export class FarSelector {
  private lists = new Int32Array(0);
  private mark = new Uint8Array(0);

  constructor(private readonly kernels: Kernels) {}

  private need(g: number, k: number, m: number): void {
    if (this.lists.length < g * k) this.lists = new Int32Array(Math.max(g * k, this.lists.length * 2));
    if (this.mark.length < m) this.mark = new Uint8Array(Math.max(m, this.mark.length * 2));
  }

  /**
   * Union of per-head top-k. scores: g*m (row h = head h's scores of the m far tokens);
   * out: ≥ min(m, g*k). Returns the union size.
   * @example const r = selector.unionTopK(scores, 4, m, 983, out);
   */
  unionTopK(scores: Float32Array, g: number, m: number, k: number, out: Int32Array): number {
    check(scores, g, m, k, out, Math.min(m, g * k));
    if (k === 0 || m === 0) return 0;
    if (k >= m) { for (let j = 0; j < m; j++) out[j] = j; return m; }
    this.need(g, k, m);
    const lists = this.lists;
    for (let h = 0; h < g; h++) {
      this.kernels.topKSelect(scores.subarray(h * m, (h + 1) * m), m, k, lists.subarray(h * k, (h + 1) * k));
    }
    return mergeSorted(lists, g, k, out);
  }

  /**
   * Exactly min(R, m) far tokens by interleaving the g per-head rankings (see above).
   * scores: g*m; out: ≥ min(R, m). Returns the count.
   */
  interleavedUnion(scores: Float32Array, g: number, m: number, R: number, out: Int32Array): number {
    check(scores, g, m, R, out, Math.min(m, R));
    const want = Math.min(R, m);
    if (want === 0) return 0;
    if (want === m) { for (let j = 0; j < m; j++) out[j] = j; return m; }
    // Each head contributes at most R ranks, so its sorted top-R list suffices.
    this.need(g, want, m);
    const lists = this.lists;
    for (let h = 0; h < g; h++) {
      this.kernels.topK(scores.subarray(h * m, (h + 1) * m), m, want, lists.subarray(h * want, (h + 1) * want));
    }
    const mark = this.mark;
    let count = 0;
    outer: for (let r = 0; r < want; r++) {
      for (let h = 0; h < g; h++) {
        const j = lists[h * want + r];
        if (mark[j]) continue;
        mark[j] = 1;
        out[count++] = j;
        if (count === want) break outer;
      }
    }
    for (let c = 0; c < count; c++) mark[out[c]] = 0;
    out.subarray(0, count).sort();
    return count;
  }

  /** The R best of one score per token. scores: m; out: ≥ min(R, m). Returns the count. */
  groupTopK(scores: Float32Array, m: number, R: number, out: Int32Array): number {
    check(scores, 1, m, R, out, Math.min(m, R));
    const want = Math.min(R, m);
    this.kernels.topKSelect(scores, m, want, out);
    return want;
  }
}

function check(scores: Float32Array, g: number, m: number, k: number, out: Int32Array, outLen: number): void {
  checkInt('g', g, 1); checkInt('m', m, 0); checkInt('k', k, 0);
  checkFloat32('scores', scores, g * m);
  if (!(out instanceof Int32Array) || out.length < outLen) throw badArgument(`out must be an Int32Array of at least ${outLen} elements`);
}

/** g ascending lists of k distinct values each → their ascending union (duplicates dropped). */
function mergeSorted(lists: Int32Array, g: number, k: number, out: Int32Array): number {
  if (g === 1) { out.set(lists.subarray(0, k)); return k; }
  const pos = new Int32Array(g);
  let count = 0;
  let last = -1;
  for (;;) {
    let best = -1;
    let bv = 0x7fffffff;
    for (let h = 0; h < g; h++) {
      if (pos[h] < k) {
        const v = lists[h * k + pos[h]];
        if (v < bv) { bv = v; best = h; }
      }
    }
    if (best < 0) return count;
    pos[best]++;
    if (bv !== last) { out[count++] = bv; last = bv; }
  }
}
