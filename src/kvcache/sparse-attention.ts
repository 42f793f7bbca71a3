/**
 * Exact attention (exact RoPE, softmax over the selected set only) for the g query heads of a
 * KV head over a Selection — the last step of A²ATS §3.3 — through kernels.selectiveAttention.
 *
 *   o_h = Σ_{j∈S} softmax_{j∈S}(q_h R(i) · k_j R(j) / √d) v_j
 */
import { checkKernels } from '../kernels/check-kernels.js';
import type { CpuKernels } from '../kernels/kernels.js';
import type { HeadKeys } from './kv-store.js';

/**
 * @param qPost - g*d post-RoPE queries.
 * @param idx - token indices (count of them), e.g. Selection.indices.
 * @param out - g*d outputs; lse (optional, g) receives log Σ_{j∈S} exp(score).
 * @example attendSelected(kernels, store.head(h), qPost, 4, 128, sel.indices, sel.count, out);
 */
export function attendSelected(kernels: CpuKernels, keys: HeadKeys, qPost: Float32Array, g: number, d: number,
  idx: Int32Array, count: number, out: Float32Array, lse?: Float64Array | Float32Array): void {
  checkKernels('kernels', kernels);
  const scale = 1 / Math.sqrt(d);
  for (let h = 0; h < g; h++) {
    const l = kernels.selectiveAttention(qPost.subarray(h * d, (h + 1) * d), keys.keysPost, keys.values, idx, count,
      keys.length, d, d, scale, out.subarray(h * d, (h + 1) * d));
    if (lse) lse[h] = l;
  }
}
