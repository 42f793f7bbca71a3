/**
 * The slow tier on asynchronous kernels with the full K/V in device memory: per decode step
 * only the selected indices are uploaded (Σ counts ints) and kernels.selectiveAttention reads
 * the selected rows in place. Faster than gathering on the host (GatherSlowTier) — nothing but
 * indices crosses the link — but the whole cache occupies accelerator memory, which is what
 * A²ATS's split exists to avoid; choose it when the cache fits and speed matters more.
 * New tokens are staged on the host and uploaded in blocks (one write per KV head) before the
 * next attention, so appending a token costs no GPU round trip.
 *
 * @example
 * const slow = new DeviceSlowTier(gpu, { nHeads: 32, nKvHeads: 8, headDim: 128, capacity: 32768 });
 * slow.append(kPost, v);
 * await slow.attend(req);
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import type { DeviceArray } from '../../kernels/device-array.js';
import type { Kernels } from '../../kernels/kernels.js';
import { badArgument } from '../../core/errors.js';
import { checkInt, checkFloat32 } from '../../core/validate.js';
import {
  attendHeads, checkSlowTierRequest, checkSlowTierShape, type SlowTier, type SlowTierRequest, type SlowTierShape,
} from './slow-tier.js';
import { disposeSymbol } from '../../core/dispose.js';

/** Full K/V in device arrays; only the selections cross per step (see the file header). */
export class DeviceSlowTier implements SlowTier {
  readonly shape: Readonly<SlowTierShape>;
  private readonly devK: DeviceArray<Float32Array>;
  private readonly devV: DeviceArray<Float32Array>;
  /** Tokens appended but not yet uploaded, head-major: stage[(h*S + t)*d ..]. */
  private readonly stageK: Float32Array;
  private readonly stageV: Float32Array;
  private readonly stage: number;
  private staged = 0;
  private len = 0;

  /** @param stage - tokens staged on the host before a block upload (default 256). */
  constructor(private readonly kernels: Kernels, shape: SlowTierShape, stage = 256) {
    checkKernels('kernels', kernels);
    if (shape === null || typeof shape !== 'object') throw badArgument('shape must be a SlowTierShape object');
    this.shape = Object.freeze({ ...checkSlowTierShape(shape) });
    this.stage = checkInt('stage', stage, 1);
    const { nKvHeads, headDim: d, capacity } = shape;
    this.devK = kernels.allocF32(nKvHeads * capacity * d);
    try {
      this.devV = kernels.allocF32(nKvHeads * capacity * d);
    } catch (e) {
      this.devK.dispose();
      throw e;
    }
    this.stageK = new Float32Array(nKvHeads * this.stage * d);
    this.stageV = new Float32Array(nKvHeads * this.stage * d);
  }

  get length(): number {
    return this.len;
  }

  append(kPost: Float32Array, v: Float32Array): void {
    const { nKvHeads, headDim: d, capacity } = this.shape;
    checkFloat32('kPost', kPost, nKvHeads * d);
    checkFloat32('v', v, nKvHeads * d);
    if (this.len >= capacity) throw badArgument(`slow tier is full (capacity ${capacity})`);
    if (this.staged === this.stage) this.upload();
    for (let h = 0; h < nKvHeads; h++) {
      const at = (h * this.stage + this.staged) * d;
      this.stageK.set(kPost.subarray(h * d, (h + 1) * d), at);
      this.stageV.set(v.subarray(h * d, (h + 1) * d), at);
    }
    this.staged++;
    this.len++;
  }

  clear(): void {
    this.staged = 0;
    this.len = 0;
  }

  /** Write the staged tokens to the device (ordered before every later kernel call). */
  private upload(): void {
    if (this.staged === 0) return;
    const { nKvHeads, headDim: d, capacity } = this.shape;
    const first = this.len - this.staged;
    for (let h = 0; h < nKvHeads; h++) {
      const from = h * this.stage * d, to = (h * capacity + first) * d;
      this.devK.write(this.stageK.subarray(from, from + this.staged * d), to);
      this.devV.write(this.stageV.subarray(from, from + this.staged * d), to);
    }
    this.staged = 0;
  }

  /** Attend on the device over the stored rows; resolves when req.out and req.lse are written. */
  async attend(req: SlowTierRequest): Promise<void> {
    const { headDim: d, capacity } = this.shape;
    checkSlowTierRequest(this.shape, this.len, req);
    this.upload();
    await attendHeads(this.kernels, this.shape, req, (h) => ({
      K: () => this.devK.subarray(h * capacity * d, (h + 1) * capacity * d),
      V: () => this.devV.subarray(h * capacity * d, (h + 1) * capacity * d),
      // A host array, uploaded with each call (count ints).
      idx: () => req.selections[h],
      rows: this.len,
    }));
  }

  dispose(): void {
    this.devK.dispose();
    this.devV.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}
