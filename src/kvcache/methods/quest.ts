/**
 * Quest (Tang et al., "Quest: Query-Aware Sparsity for Efficient Long-Context LLM Inference",
 * ICML 2024): post-RoPE keys in pages of P tokens; each page keeps the element-wise max and min
 * of its keys; a page's score is the upper bound Σ_t max(q_t·kmax_t, q_t·kmin_t) of any of its
 * logits. Every far token gets its page's bound (÷√d), so "top pages until the budget" falls out
 * of the shared per-head selection (ties go to the lower index, i.e. pages fill in order).
 */
import { badArgument } from '../../core/errors.js';
import { checkInt } from '../../core/validate.js';
import type { GroupQuery, RetrievalMethod, ScoreBuffer } from '../retrieval-method.js';
import type { HeadKeys } from '../kv-store.js';
import { disposeSymbol } from '../../core/dispose.js';
import { checkIndexBytesCall, checkObserveCall, checkScoreCall } from './check-method-call.js';

/** Quest page-bound retrieval on post-RoPE keys (see the file header). @example new Quest(128, 4, 8, 16) */
export class Quest implements RetrievalMethod {
  readonly name: string;
  readonly scoring = 'perHead' as const;
  readonly estimatesScores = false;
  private kmax: Float32Array[];
  private kmin: Float32Array[];
  private seen: number[];

  /** @example new Quest(128, 4, 8, 16)  // d, g, KV heads, page size */
  constructor(private readonly headDim: number, private readonly groupSize: number, nKvHeads: number,
    readonly pageSize = 16) {
    checkInt('headDim', headDim, 1); checkInt('groupSize', groupSize, 1); checkInt('nKvHeads', nKvHeads, 1);
    checkInt('pageSize', pageSize, 1);
    this.name = `quest-p${pageSize}`;
    this.kmax = Array.from({ length: nKvHeads }, () => new Float32Array(0));
    this.kmin = Array.from({ length: nKvHeads }, () => new Float32Array(0));
    this.seen = new Array(nKvHeads).fill(0);
  }

  reset(): void {
    this.seen.fill(0);
  }

  async observe(kvHead: number, keys: HeadKeys, from: number, to: number): Promise<void> {
    checkObserveCall(this.callShape(), kvHead, keys, from, to);
    const d = this.headDim, P = this.pageSize;
    if (from > this.seen[kvHead]) throw badArgument(`observe must be contiguous: KV head ${kvHead} has ${this.seen[kvHead]} tokens, got from = ${from}`);
    const pages = Math.ceil(to / P);
    if (this.kmax[kvHead].length < pages * d) {
      const cap = Math.max(pages, 2 * this.kmax[kvHead].length / d) * d;
      const mx = new Float32Array(cap), mn = new Float32Array(cap);
      mx.set(this.kmax[kvHead]); mn.set(this.kmin[kvHead]);
      this.kmax[kvHead] = mx; this.kmin[kvHead] = mn;
    }
    const mx = this.kmax[kvHead], mn = this.kmin[kvHead], k = keys.keysPost;
    for (let j = from; j < to; j++) {
      const p = Math.floor(j / P) * d;
      const first = j % P === 0;
      for (let t = 0; t < d; t++) {
        const v = k[j * d + t];
        if (first || v > mx[p + t]) mx[p + t] = v;
        if (first || v < mn[p + t]) mn[p + t] = v;
      }
    }
    this.seen[kvHead] = Math.max(this.seen[kvHead], to);
  }

  /** Page bounds on the host (no kernels), pushed to the score buffer. */
  async score(kvHead: number, _keys: HeadKeys, q: GroupQuery, farStart: number, farEnd: number,
    outArr: ScoreBuffer): Promise<readonly unknown[]> {
    checkScoreCall(this.callShape(), this.groupSize, kvHead, _keys, q, farStart, farEnd, outArr);
    const out = outArr.host();
    const d = this.headDim, P = this.pageSize, m = farEnd - farStart;
    if (farEnd > this.seen[kvHead]) throw badArgument(`tokens up to ${farEnd} must be observed before scoring`);
    const mx = this.kmax[kvHead], mn = this.kmin[kvHead];
    const scale = 1 / Math.sqrt(d);
    const p0 = Math.floor(farStart / P), p1 = Math.ceil(farEnd / P);
    for (let h = 0; h < this.groupSize; h++) {
      const qo = h * d;
      for (let p = p0; p < p1; p++) {
        let s = 0;
        for (let t = 0; t < d; t++) {
          const qt = q.post[qo + t];
          const a = qt * mx[p * d + t], b = qt * mn[p * d + t];
          s += a > b ? a : b;
        }
        const lo = Math.max(farStart, p * P), hi = Math.min(farEnd, (p + 1) * P);
        out.fill(s * scale, h * m + lo - farStart, h * m + hi - farStart);
      }
    }
    outArr.push();
    return [];
  }

  /** Two d-vectors (max, min) per page overlapping the far range. */
  indexBytes(n: number, m: number): number {
    checkIndexBytesCall(n, m);
    return Math.ceil(m / this.pageSize + 1) * 2 * this.headDim * 4;
  }

  private callShape() {
    return { nKvHeads: this.seen.length, headDim: this.headDim, groupSize: this.groupSize };
  }

  dispose(): void {}

  [disposeSymbol](): void { this.dispose(); }
}
