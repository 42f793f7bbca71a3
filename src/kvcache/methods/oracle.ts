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
import type { CpuKernels, ResidentArray } from '../../kernels/kernels.js';
import type { GroupQuery, RetrievalMethod } from '../retrieval-method.js';
import type { HeadKeys } from '../kv-store.js';
import { disposeSymbol } from '../../core/dispose.js';
import { checkIndexBytesCall, checkScoreCall } from './check-method-call.js';

/** Exact-score top-K, per head with union or by summed exact probabilities (see the file header). */
export class OracleTopK implements RetrievalMethod {
  readonly name: string;
  readonly scoring: 'perHead' | 'group';
  readonly estimatesScores = true;
  private scratch: ResidentArray<Float32Array> | null = null;

  /** @example new OracleTopK(kernels, 128, 4, 'group') */
  constructor(private readonly kernels: CpuKernels, private readonly headDim: number,
    private readonly groupSize: number, variant: 'union' | 'group' = 'group') {
    checkKernels('kernels', kernels);
    this.scoring = variant === 'union' ? 'perHead' : 'group';
    this.name = variant === 'union' ? 'oracle-union' : 'oracle';
  }

  reset(): void {}
  observe(): void {}

  score(_kvHead: number, keys: HeadKeys, q: GroupQuery, farStart: number, farEnd: number,
    outArr: ResidentArray<Float32Array>): void {
    checkScoreCall({ headDim: this.headDim, groupSize: this.groupSize }, this.scoring === 'perHead' ? this.groupSize : 1,
      _kvHead, keys, q, farStart, farEnd, outArr);
    const d = this.headDim, g = this.groupSize, n = keys.length, m = farEnd - farStart;
    if (this.scratch === null || this.scratch.length < n) {
      this.scratch?.dispose();
      this.scratch = this.kernels.allocF32(Math.max(n, 1024));
    }
    const s = this.scratch.view();
    const out = outArr.view();
    const keysPost = keys.keysPost;
    const scale = 1 / Math.sqrt(d);
    if (this.scoring === 'group') out.fill(0, 0, m);
    for (let h = 0; h < g; h++) {
      this.kernels.gemv(keysPost, q.post.subarray(h * d, (h + 1) * d), s, n, d);
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
  }

  /** Reads every key: n·d floats. */
  indexBytes(n: number): number {
    checkInt('n', n, 0);
    return n * this.headDim * 4;
  }

  dispose(): void {
    this.scratch?.dispose();
    this.scratch = null;
  }

  [disposeSymbol](): void { this.dispose(); }
}
