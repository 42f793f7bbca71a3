/**
 * WRoPE with exact keys — an ablation, not a practical method: far tokens are ranked by
 * q R(b) · k̃_j / √d with the *unquantised* pre-RoPE keys (it reads every key, like the oracle).
 * Comparing it with A²ATS separates the error of the windowed rotation from the error of the
 * vector quantisation.
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import type { Kernels } from '../../kernels/kernels.js';
import type { GroupQuery, RetrievalMethod, ScoreBuffer } from '../retrieval-method.js';
import type { HeadKeys } from '../kv-store.js';
import { checkWRope, type WRopeConfig } from '../wrope.js';
import { disposeSymbol } from '../../core/dispose.js';
import { checkFloat32 } from '../../core/validate.js';
import { checkIndexBytesCall, checkScoreCall } from './check-method-call.js';

/** Ranks far tokens by q R(b)·k̃ on exact pre-RoPE keys. @example new WRopeExact(kernels, 128, 4, wrope) */
export class WRopeExact implements RetrievalMethod {
  readonly name = 'wrope-exact';
  readonly scoring = 'perHead' as const;
  readonly estimatesScores = true;
  /** Per KV head (calls for different heads may overlap). */
  private scratch: Float32Array[] = [];

  constructor(private readonly kernels: Kernels, private readonly headDim: number, private readonly groupSize: number,
    private readonly wrope: WRopeConfig) {
    checkKernels('kernels', kernels);
    checkWRope(wrope);
  }

  reset(): void {}
  async observe(): Promise<void> {}

  async score(_kvHead: number, keys: HeadKeys, q: GroupQuery, farStart: number, farEnd: number, out: ScoreBuffer): Promise<readonly unknown[]> {
    checkScoreCall({ headDim: this.headDim, groupSize: this.groupSize }, this.groupSize, _kvHead, keys, q, farStart, farEnd, out);
    checkFloat32('keys.keysPre', keys.keysPre, farEnd * this.headDim);
    checkFloat32('query.pre', q.pre, this.groupSize * this.headDim);
    const d = this.headDim, m = farEnd - farStart;
    if (!(this.scratch[_kvHead]?.length >= m)) this.scratch[_kvHead] = new Float32Array(Math.max(m, 1024));
    const s = this.scratch[_kvHead], qt = new Float32Array(d);
    const scale = 1 / Math.sqrt(d);
    for (let h = 0; h < this.groupSize; h++) {
      qt.set(q.pre.subarray(h * d, (h + 1) * d));
      await this.kernels.rope(qt, 1, d, this.wrope.distance, this.wrope.base, this.wrope.pairing);
      await this.kernels.gemv(keys.keysPre.subarray(farStart * d, farEnd * d), qt, s, m, d);
      const o = out.host();
      for (let j = 0; j < m; j++) o[h * m + j] = s[j] * scale;
    }
    out.push();
    return [];
  }

  /** Reads every far key (m·d floats). */
  indexBytes(n: number, m: number): number {
    checkIndexBytesCall(n, m);
    return m * this.headDim * 4;
  }

  dispose(): void {
    this.scratch = [];
  }

  [disposeSymbol](): void { this.dispose(); }
}
