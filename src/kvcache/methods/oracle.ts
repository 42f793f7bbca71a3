/**
 * Oracle top-K (the retrieval ceiling): ranks far tokens by their exact post-RoPE logits
 * s_h(j) = q_h R(i) · k_j R(j) / √d, which a real system cannot afford (it reads every key).
 *
 * - 'union' variant (perHead): per-head exact scores, selected like A²ATS (union).
 * - 'group' variant: one score per token, Σ_h p_h(j) with p_h the exact softmax over *all*
 *   tokens of head h; its top-R maximises the group's mean attention-mass recall for any R,
 *   so at equal budget nothing can recall more.
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import { checkInt } from '../../core/validate.js';
import type { Kernels } from '../../kernels/kernels.js';
import type { GroupQuery, RetrievalMethod, ScoreBuffer } from '../retrieval-method.js';
import type { HeadKeys } from '../kv-store.js';
import { disposeSymbol } from '../../core/dispose.js';
import { checkIndexBytesCall, checkScoreCall } from './check-method-call.js';

/** Exact-score top-K, per head with union or by summed exact probabilities (see the file header). */
export class OracleTopK implements RetrievalMethod {
  readonly name: string;
  readonly scoring: 'perHead' | 'group';
  readonly estimatesScores = true;
  /** Per KV head (calls for different heads may overlap). */
  private scratch: Float32Array[] = [];

  /** @example new OracleTopK(kernels, 128, 4, 'group') */
  constructor(private readonly kernels: Kernels, private readonly headDim: number,
    private readonly groupSize: number, variant: 'union' | 'group' = 'group') {
    checkKernels('kernels', kernels);
    this.scoring = variant === 'union' ? 'perHead' : 'group';
    this.name = variant === 'union' ? 'oracle-union' : 'oracle';
  }

  reset(): void {}
  async observe(): Promise<void> {}

  /** Exact logits with one gemv per query head (host arrays: the keys live on the host), softmax on the host. */
  async score(_kvHead: number, keys: HeadKeys, q: GroupQuery, farStart: number, farEnd: number,
    outArr: ScoreBuffer): Promise<readonly unknown[]> {
    checkScoreCall({ headDim: this.headDim, groupSize: this.groupSize }, this.scoring === 'perHead' ? this.groupSize : 1,
      _kvHead, keys, q, farStart, farEnd, outArr);
    const d = this.headDim, g = this.groupSize, n = keys.length, m = farEnd - farStart;
    if (!(this.scratch[_kvHead]?.length >= n)) this.scratch[_kvHead] = new Float32Array(Math.max(n, 1024));
    const s = this.scratch[_kvHead];
    const scale = 1 / Math.sqrt(d);
    if (this.scoring === 'group') outArr.host().fill(0, 0, m);
    for (let h = 0; h < g; h++) {
      await this.kernels.gemv(keys.keysPost, q.post.subarray(h * d, (h + 1) * d), s, n, d);
      const out = outArr.host(); // after the call: a CPU backend's views may have moved
      if (this.scoring === 'perHead') {
        for (let j = 0; j < m; j++) out[h * m + j] = s[farStart + j] * scale;
        continue;
      }
      let max = -Infinity;
      for (let j = 0; j < n; j++) if (s[j] > max) max = s[j];
      let z = 0;
      for (let j = 0; j < n; j++) z += Math.exp((s[j] - max) * scale);
      for (let j = 0; j < m; j++) out[j] += Math.exp((s[farStart + j] - max) * scale) / z;
    }
    outArr.push();
    return [];
  }

  /** Reads every key: n·d floats. */
  indexBytes(n: number): number {
    checkInt('n', n, 0);
    return n * this.headDim * 4;
  }

  dispose(): void {
    this.scratch = [];
  }

  [disposeSymbol](): void { this.dispose(); }
}
