/**
 * Exact causal multi-head attention with grouped KV heads (GQA), on the Kernels interface:
 * the runtime's default AttentionStrategy and the oracle that retrieval methods compare with.
 *
 *   out_h = Σ_{t ≤ pos} softmax_t(q_h · k_{t,g} / √d) · v_{t,g},   g = ⌊h / (nHeads/nKvHeads)⌋
 *
 * Vaswani et al., "Attention is all you need", NeurIPS 2017; GQA: Ainslie et al., EMNLP 2023.
 *
 * Layout: the cache is token-major (row t holds all KV heads, kvDim floats), as the hooks
 * contract fixes it, so a head's keys are rows of stride kvDim starting at g·headDim. On
 * synchronous kernels all query heads are one `causalAttention` call for a single row at
 * position len−1 (the prefill's kernel: each tile of keys and values is read once for the whole
 * group of query heads that share it, which makes a long-context decode step ~1.5x faster than
 * head by head); on asynchronous kernels (WebGPU) one `selectiveAttentionHeads` call over the
 * token list 0..len−1 (a resident identity index), one GPU dispatch chain for every head. The two
 * agree within float rounding (the sums run in another order).
 *
 * @example
 * const att = new ExactAttention(model.config, model.kernels);
 * model.setStrategies(0, { attention: att });   // same numbers as the default
 */
import type { CpuKernels, ResidentArray } from '../kernels/kernels.js';
import { type AsyncKernels, type DeviceArray, type F32Arg } from '../kernels/async-kernels.js';
import { isCpuKernels } from '../kernels/check-kernels.js';
import type { AttentionContext, AttentionStrategy, LlamaConfig } from './hooks.js';
import { eitherKernels } from '../kernels/maybe-async.js';
import { causalAttentionScratchLength } from '../kernels/causal-attention-scratch.js';
import { disposeSymbol } from '../core/dispose.js';
import { checkAnyKernels } from '../kernels/check-kernels.js';
import { checkLlamaConfig } from './config.js';
import { badArgument } from '../core/errors.js';
import { checkFloat32, checkInt, describe } from '../core/validate.js';

/** An attention hook's context for this config: q and out of nHeads·headDim, a cache of 1..seqLen rows. */
export function checkAttentionContext(ctx: unknown, c: LlamaConfig): void {
  const x = ctx as AttentionContext | null;
  if (x === null || typeof x !== 'object' || x.cache === null || typeof x.cache !== 'object') {
    throw badArgument(`ctx must be an AttentionContext { q, cache, out, … }, got ${describe(ctx)}`);
  }
  const len = checkInt('ctx.cache.length', x.cache.length, 1, c.seqLen);
  checkFloat32('ctx.q', x.q, c.nHeads * c.headDim);
  checkFloat32('ctx.out', x.out, c.nHeads * c.headDim);
  checkFloat32('ctx.cache.keys', x.cache.keys, len * c.kvDim);
  checkFloat32('ctx.cache.values', x.cache.values, len * c.kvDim);
}

export class ExactAttention implements AttentionStrategy {
  readonly name = 'exact';
  private readonly idx: ResidentArray<Int32Array> | DeviceArray<Int32Array>;
  /** Each head's log-sum-exp (selectiveAttentionHeads writes it; exact attention does not need it). */
  private readonly lse: ResidentArray<Float32Array> | DeviceArray<Float32Array>;
  /** causalAttention's scratch for one row (synchronous kernels). */
  private readonly scratch: ResidentArray<Float32Array> | null = null;

  /** Allocates a resident index 0..seqLen−1 (the token list every head attends over) and the kernels' scratch. */
  constructor(private readonly config: LlamaConfig, private readonly kernels: AsyncKernels) {
    checkLlamaConfig('config', config);
    checkAnyKernels('kernels', kernels);
    const order = Int32Array.from({ length: config.seqLen }, (_, t) => t);
    if (!isCpuKernels(kernels)) {
      const idx = kernels.allocI32(config.seqLen);
      idx.write(order);
      this.idx = idx;
    } else {
      const idx = kernels.allocI32(config.seqLen);
      idx.view().set(order);
      this.idx = idx;
      this.scratch = kernels.allocF32(causalAttentionScratchLength(1, config.nHeads));
    }
    this.lse = kernels.allocF32(config.nHeads);
  }

  attend(ctx: AttentionContext): void {
    checkAttentionContext(ctx, this.config);
    this.heads(ctx.q, ctx.cache.keys, ctx.cache.values, ctx.cache.length, ctx.out, () => {});
  }

  /**
   * Attention of every query head over cache rows 0..len−1, on typed arrays (synchronous
   * kernels) or device arrays (asynchronous ones). `issued` receives each kernel call's
   * result (a Promise on asynchronous kernels, for the caller to await or collect).
   */
  heads(q: F32Arg, keys: F32Arg, values: F32Arg, len: number, out: F32Arg,
    issued: (result: unknown) => void): void {
    const c = this.config;
    const k = eitherKernels(this.kernels);
    const hd = c.headDim;
    const group = c.nHeads / c.nKvHeads;
    const scale = 1 / Math.sqrt(hd);
    if (this.scratch) { // views are taken per call: another allocation may have grown (and detached) WASM memory
      (this.kernels as CpuKernels).causalAttention(q as Float32Array, keys as Float32Array, values as Float32Array, len - 1, 1, hd, c.kvDim,
        c.nHeads, group, scale, out as Float32Array, this.scratch.view());
      return;
    }
    const idx = 'view' in this.idx ? this.idx.view() : this.idx;
    const lse = 'view' in this.lse ? this.lse.view() : this.lse;
    issued(k.selectiveAttentionHeads(q, keys, values, idx, len, len, hd, c.kvDim, c.nHeads, group, scale, out, lse));
  }

  /** Release the resident index and the scratch. */
  dispose(): void {
    this.idx.dispose();
    this.lse.dispose();
    this.scratch?.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}
