/**
 * Choosing far tokens from approximate scores (A²ATS §3.3), for one KV head and its g query
 * heads. Three rules, all returning far-token offsets in increasing order:
 *
 * - unionTopK:        per head the k best (one kernels.topKSelectRows over the g heads' rows),
 *                     union over the group.
 * - interleavedUnion: exactly R tokens: rank 0 of head 0, …, head g−1, then rank 1, …,
 *                     skipping tokens already taken. Stopped at the size of the top-k union it
 *                     returns that union exactly, so it is the same rule with an exact budget.
 * - groupTopK:        one score per token (e.g. PQCache's summed softmax): the R best.
 * Ties go to the lower index everywhere (the kernels' rule), so results are deterministic.
 *
 * A FarSelector keeps its scratch between calls (decode steps allocate nothing).
 *
 * Each rule is one async function on any kernels; the scores may be a device array (GPU) —
 * the g per-head selections are one topKSelectRows call (on a GPU: one dispatch chain for all
 * g rows, not one per head) and only the chosen indices (k ints per head) come back;
 * interleavedUnion then gathers the chosen tokens' scores (one lutGather, k floats per head)
 * to rank them on the host. One FarSelector serves one selection at a time (its scratch is
 * shared by its calls). The rules take `pending`: results of calls issued earlier and not yet
 * waited for (the scoring that wrote the scores); they are awaited together with the
 * selection's own calls.
 */
import { checkKernels } from '../kernels/check-kernels.js';
import { isDeviceArray, type F32Arg } from '../kernels/device-array.js';
import type { Kernels } from '../kernels/kernels.js';
import { badArgument } from '../core/errors.js';
import { checkFloat32, checkInt } from '../core/validate.js';
import { awaitAll } from './await-all.js';

/** The three selection rules with reusable scratch (see the file header). @example await new FarSelector(kernels).unionTopK(scores, 4, m, k, out) */
export class FarSelector {
  private lists = new Int32Array(0);
  private mark = new Uint8Array(0);
  /** interleavedUnion's ranking: positions of the chosen scores in the g×m matrix, their values, sort keys. */
  private at = new Int32Array(0);
  private vals = new Float32Array(0);
  private keys = new BigUint64Array(0);

  constructor(private readonly kernels: Kernels) {
    checkKernels('kernels', kernels);
  }

  private need(g: number, k: number, m: number): void {
    if (this.lists.length < g * k) this.lists = new Int32Array(Math.max(g * k, this.lists.length * 2));
    if (this.mark.length < m) this.mark = new Uint8Array(Math.max(m, this.mark.length * 2));
  }

  /**
   * Union of per-head top-k. scores: g*m (row h = head h's scores of the m far tokens);
   * out: ≥ min(m, g*k). Returns the union size.
   * @example const r = await selector.unionTopK(scores, 4, m, 983, out);
   */
  async unionTopK(scores: F32Arg, g: number, m: number, k: number, out: Int32Array,
    pending: readonly unknown[] = []): Promise<number> {
    return (await this.unionTopKGroups(scores, 1, g, m, k, [out], pending))[0];
  }

  /**
   * unionTopK for several KV groups at once (all KV heads of a layer): scores holds groups·g
   * rows of m (group G's query heads are rows G·g … G·g + g − 1); outs[G] (≥ min(m, g·k))
   * receives group G's union, and the union sizes are returned. One topKSelectRows over all
   * groups·g rows — on a GPU one dispatch chain for the whole layer — then each group's union
   * on the host, as unionTopK.
   * @example const [n0, n1] = await selector.unionTopKGroups(scores, 2, 4, m, k, [out0, out1]);
   */
  async unionTopKGroups(scores: F32Arg, groups: number, g: number, m: number, k: number, outs: readonly Int32Array[],
    pending: readonly unknown[] = []): Promise<number[]> {
    checkInt('groups', groups, 1); checkInt('g', g, 1);
    if (!Array.isArray(outs) || outs.length < groups) throw badArgument(`outs must be an array of at least ${groups} Int32Array`);
    for (let G = 0; G < groups; G++) check(scores, groups * g, m, k, outs[G], Math.min(m, g * k));
    const counts = new Array<number>(groups).fill(0);
    if (k === 0 || m === 0) { await awaitAll(pending); return counts; }
    if (k >= m) {
      await awaitAll(pending);
      for (let G = 0; G < groups; G++) { for (let j = 0; j < m; j++) outs[G][j] = j; counts[G] = m; }
      return counts;
    }
    this.need(groups * g, k, m);
    const lists = this.lists;
    await awaitAll([...pending, this.kernels.topKSelectRows(scores, groups * g, m, k, lists)]);
    for (let G = 0; G < groups; G++) counts[G] = mergeSorted(lists.subarray(G * g * k, (G + 1) * g * k), g, k, outs[G]);
    return counts;
  }

  /**
   * Exactly min(R, m) far tokens by interleaving the g per-head rankings (see above).
   * scores: g*m; out: ≥ min(R, m). Returns the count.
   */
  async interleavedUnion(scores: F32Arg, g: number, m: number, R: number, out: Int32Array,
    pending: readonly unknown[] = []): Promise<number> {
    check(scores, g, m, R, out, Math.min(m, R));
    const want = Math.min(R, m);
    if (want === 0) { await awaitAll(pending); return 0; }
    if (want === m) { await awaitAll(pending); for (let j = 0; j < m; j++) out[j] = j; return m; }
    // Each head contributes at most R ranks, so its sorted top-R list suffices.
    this.need(g, want, m);
    const lists = this.lists, kx = this.kernels;
    if (g === 1) { // one head: the ordered top-R is one call already
      await awaitAll([...pending, kx.topK(scores, m, want, lists)]);
    } else { // every head's top-R set in one call, then ranked by score (ties: lower index), as topK orders
      await awaitAll([...pending, kx.topKSelectRows(scores, g, m, want, lists)]);
      await this.rankRows(scores, g, m, want);
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

  /**
   * Reorder each of the g rows of `lists` (want indices in increasing order) best first, ties to
   * the lower index — topK's order — by the scores of the chosen tokens (one gather).
   */
  private async rankRows(scores: F32Arg, g: number, m: number, want: number): Promise<void> {
    const total = g * want;
    if (this.at.length < total) {
      this.at = new Int32Array(Math.max(total, 2 * this.at.length));
      this.vals = new Float32Array(this.at.length);
    }
    if (this.keys.length < want) this.keys = new BigUint64Array(Math.max(want, 2 * this.keys.length));
    const lists = this.lists, at = this.at;
    for (let h = 0; h < g; h++) for (let i = h * want; i < (h + 1) * want; i++) at[i] = h * m + lists[i];
    await this.kernels.lutGather(scores, g * m, at, total, this.vals);
    // A native numeric sort of 64-bit keys: high word = the score's rank key (larger score →
    // smaller key, −0 = +0), low word = position in the row (= index order, for ties).
    const bits = new Uint32Array(this.vals.buffer, 0, total);
    const keys = this.keys.subarray(0, want), words = new Uint32Array(keys.buffer, 0, 2 * want);
    for (let h = 0; h < g; h++) {
      const base = h * want;
      for (let i = 0; i < want; i++) {
        let b = bits[base + i];
        if (b === 0x80000000) b = 0; // −0 ties with +0
        words[2 * i + LO] = i;
        words[2 * i + 1 - LO] = b & 0x80000000 ? b : ~b & 0x7fffffff; // ~orderKey(v), orderKey = b < 0 ? ~b : b | 2³¹
      }
      keys.sort();
      for (let i = 0; i < want; i++) at[i] = lists[base + words[2 * i + LO]];
      lists.set(at.subarray(0, want), base);
    }
  }

  /** The R best of one score per token. scores: m; out: ≥ min(R, m). Returns the count. */
  async groupTopK(scores: F32Arg, m: number, R: number, out: Int32Array,
    pending: readonly unknown[] = []): Promise<number> {
    check(scores, 1, m, R, out, Math.min(m, R));
    const want = Math.min(R, m);
    // k = 0 selects nothing (and on a GPU would read the scores back for the CPU path).
    await awaitAll(want > 0 ? [...pending, this.kernels.topKSelect(scores, m, want, out)] : pending);
    return want;
  }
}

/** Which 32-bit word of a 64-bit element is the low one (0 on little-endian platforms). */
const LO = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1 ? 0 : 1;

function check(scores: F32Arg, g: number, m: number, k: number, out: Int32Array, outLen: number): void {
  checkInt('g', g, 1); checkInt('m', m, 0); checkInt('k', k, 0);
  if (isDeviceArray(scores)) {
    if (scores.dtype !== 'f32' || scores.length < g * m) throw badArgument(`scores must be a Float32 device array of at least ${g * m} elements`);
  } else checkFloat32('scores', scores, g * m);
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
