/**
 * WRoPE with exact keys — an ablation, not a practical method: far tokens are ranked by
 * q R(b) · k̃_j / √d with the *unquantised* pre-RoPE keys (it reads every key, like the oracle).
 * Comparing it with A²ATS separates the error of the windowed rotation from the error of the
 * vector quantisation.
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import type { CpuKernels, ResidentArray } from '../../kernels/kernels.js';
import type { GroupQuery, RetrievalMethod } from '../retrieval-method.js';
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
  private scratch: ResidentArray<Float32Array> | null = null;
  private readonly qt: Float32Array;

  constructor(private readonly kernels: CpuKernels, private readonly headDim: number, private readonly groupSize: number,
    private readonly wrope: WRopeConfig) {
    checkKernels('kernels', kernels);
    checkWRope(wrope);
    this.qt = new Float32Array(headDim);
  }

  reset(): void {}
  observe(): void {}

  score(_kvHead: number, keys: HeadKeys, q: GroupQuery, farStart: number, farEnd: number, out: ResidentArray<Float32Array>): void {
    checkScoreCall({ headDim: this.headDim, groupSize: this.groupSize }, this.groupSize, _kvHead, keys, q, farStart, farEnd, out);
    checkFloat32('keys.keysPre', keys.keysPre, farEnd * this.headDim);
    checkFloat32('query.pre', q.pre, this.groupSize * this.headDim);
    const d = this.headDim, m = farEnd - farStart;
    if (this.scratch === null || this.scratch.length < m) {
      this.scratch?.dispose();
      this.scratch = this.kernels.allocF32(Math.max(m, 1024));
    }
    const scale = 1 / Math.sqrt(d);
    for (let h = 0; h < this.groupSize; h++) {
      this.qt.set(q.pre.subarray(h * d, (h + 1) * d));
      this.kernels.rope(this.qt, 1, d, this.wrope.distance, this.wrope.base, this.wrope.pairing);
      this.kernels.gemv(keys.keysPre.subarray(farStart * d, farEnd * d), this.qt, this.scratch.view(), m, d);
      const s = this.scratch.view(), o = out.view();
      for (let j = 0; j < m; j++) o[h * m + j] = s[j] * scale;
    }
  }

  /** Reads every far key (m·d floats). */
  indexBytes(n: number, m: number): number {
    checkIndexBytesCall(n, m);
    return m * this.headDim * 4;
  }

  dispose(): void {
    this.scratch?.dispose();
    this.scratch = null;
  }

  [disposeSymbol](): void { this.dispose(); }
}
