/**
 * The slow tier on asynchronous kernels, placed as A²ATS places it (§4): the full K/V
 * (post-RoPE keys and values of every token) stays in host memory, off the accelerator, so the
 * cache is bounded by host RAM rather than GPU memory — the point of the design (the paper's
 * larger batches). Per decode step the far rows the fast tier selected are gathered on the
 * host into one contiguous block per KV head, uploaded (2·Σ counts·d floats: only the selection
 * crosses the link) and attended on the device by kernels.selectiveAttention over the gathered
 * rows (indices 0..count−1). The paper runs this attention on the CPU instead; here it runs
 * where the caller's kernels run, and a caller that wants the CPU keeps a synchronous cache
 * with the inline or worker slow tier. The alternative that keeps K/V on the device is
 * DeviceSlowTier (./device-slow-tier.ts).
 *
 * @example
 * const slow = new GatherSlowTier(gpu, { nHeads: 32, nKvHeads: 8, headDim: 128, capacity: 32768 });
 * slow.append(kPost, v);                 // host copy
 * await slow.attend(req);                // gather, upload, attend on the GPU
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import type { DeviceArray } from '../../kernels/device-array.js';
import type { Kernels } from '../../kernels/kernels.js';
import { badArgument } from '../../core/errors.js';
import { checkFloat32 } from '../../core/validate.js';
import {
  attendHeads, checkSlowTierRequest, checkSlowTierShape, type SlowTier, type SlowTierRequest, type SlowTierShape,
} from './slow-tier.js';
import { disposeSymbol } from '../../core/dispose.js';

/** Full K/V in host memory; selected rows gathered and uploaded per step (see the file header). */
export class GatherSlowTier implements SlowTier {
  readonly shape: Readonly<SlowTierShape>;
  private readonly keys: Float32Array;
  private readonly values: Float32Array;
  /** 0, 1, …, capacity − 1: the indices of the gathered rows. */
  private readonly iota: Int32Array;
  private stageK = new Float32Array(0);
  private stageV = new Float32Array(0);
  private devK: DeviceArray<Float32Array> | null = null;
  private devV: DeviceArray<Float32Array> | null = null;
  private len = 0;

  constructor(private readonly kernels: Kernels, shape: SlowTierShape) {
    checkKernels('kernels', kernels);
    if (shape === null || typeof shape !== 'object') throw badArgument('shape must be a SlowTierShape object');
    this.shape = Object.freeze({ ...checkSlowTierShape(shape) });
    const n = shape.nKvHeads * shape.capacity * shape.headDim;
    this.keys = new Float32Array(n);
    this.values = new Float32Array(n);
    this.iota = Int32Array.from({ length: shape.capacity }, (_, i) => i);
  }

  get length(): number {
    return this.len;
  }

  append(kPost: Float32Array, v: Float32Array): void {
    const { nKvHeads, headDim: d, capacity } = this.shape;
    checkFloat32('kPost', kPost, nKvHeads * d);
    checkFloat32('v', v, nKvHeads * d);
    if (this.len >= capacity) throw badArgument(`slow tier is full (capacity ${capacity})`);
    for (let h = 0; h < nKvHeads; h++) {
      const at = (h * capacity + this.len) * d;
      this.keys.set(kPost.subarray(h * d, (h + 1) * d), at);
      this.values.set(v.subarray(h * d, (h + 1) * d), at);
    }
    this.len++;
  }

  clear(): void {
    this.len = 0;
  }

  /** Gather, upload and attend; resolves when req.out and req.lse are written. */
  async attend(req: SlowTierRequest): Promise<void> {
    const { nKvHeads, headDim: d, capacity } = this.shape;
    checkSlowTierRequest(this.shape, this.len, req);
    const offsets = new Array<number>(nKvHeads);
    let total = 0;
    for (let h = 0; h < nKvHeads; h++) { offsets[h] = total; total += req.counts[h]; }
    if (total > 0) {
      if (this.stageK.length < total * d) {
        const n = Math.max(total * d, 2 * this.stageK.length);
        this.devK?.dispose(); this.devV?.dispose();
        this.devK = this.devV = null;
        this.stageK = new Float32Array(n);
        this.stageV = new Float32Array(n);
        this.devK = this.kernels.allocF32(n);
        this.devV = this.kernels.allocF32(n);
      }
      // Gather: row c of KV head h's block is token selections[h][c].
      for (let h = 0; h < nKvHeads; h++) {
        const sel = req.selections[h];
        for (let c = 0; c < req.counts[h]; c++) {
          const from = (h * capacity + sel[c]) * d, to = (offsets[h] + c) * d;
          this.stageK.set(this.keys.subarray(from, from + d), to);
          this.stageV.set(this.values.subarray(from, from + d), to);
        }
      }
      this.devK!.write(this.stageK.subarray(0, total * d));
      this.devV!.write(this.stageV.subarray(0, total * d));
    }
    const K = this.devK, V = this.devV;
    await attendHeads(this.kernels, this.shape, req, (h) => ({
      // Called only for heads with rows, so the staging arrays exist.
      K: () => K!.subarray(offsets[h] * d, (offsets[h] + req.counts[h]) * d),
      V: () => V!.subarray(offsets[h] * d, (offsets[h] + req.counts[h]) * d),
      idx: () => this.iota,
      rows: req.counts[h],
    }));
  }

  dispose(): void {
    this.devK?.dispose(); this.devV?.dispose();
    this.devK = null; this.devV = null;
  }

  [disposeSymbol](): void { this.dispose(); }
}
