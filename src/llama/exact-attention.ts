/**
 * Exact causal multi-head attention with grouped KV heads (GQA), on the Kernels interface:
 * the runtime's default AttentionStrategy and the oracle that retrieval methods compare with.
 *
 *   out_h = Σ_{t ≤ pos} softmax_t(q_h · k_{t,g} / √d) · v_{t,g},   g = ⌊h / (nHeads/nKvHeads)⌋
 *
 * Vaswani et al., "Attention is all you need", NeurIPS 2017; GQA: Ainslie et al., EMNLP 2023.
 *
 * Layout: the cache is token-major (row t holds all KV heads, kvDim floats), as the hooks
 * contract fixes it, so a head's keys are rows of stride kvDim starting at g·headDim. Each
 * query head is one `selectiveAttention` call over the token list 0..len−1 (a resident
 * identity index), which reads exactly that head's keys and values in place.
 *
 * @example
 * const att = new ExactAttention(model.config, model.kernels);
 * model.setStrategies(0, { attention: att });   // same numbers as the default
 */
import type { Kernels, ResidentArray } from '../kernels/kernels.js';
import type { AttentionContext, AttentionStrategy, LlamaConfig } from './hooks.js';

export class ExactAttention implements AttentionStrategy {
  readonly name = 'exact';
  private readonly idx: ResidentArray<Int32Array>;

  /** Allocates a resident index 0..seqLen−1 (the token list every head attends over). */
  constructor(private readonly config: LlamaConfig, private readonly kernels: Kernels) {
    this.idx = kernels.allocI32(config.seqLen);
    const v = this.idx.view();
    for (let t = 0; t < config.seqLen; t++) v[t] = t;
  }

  attend(ctx: AttentionContext): void {
    const c = this.config;
    const k = this.kernels;
    const { q, cache, out } = ctx;
    const len = cache.length;
    const hd = c.headDim;
    const group = c.nHeads / c.nKvHeads;
    const scale = 1 / Math.sqrt(hd);
    // The view is taken per call: another allocation may have grown (and detached) WASM memory.
    const idx = this.idx.view();
    for (let h = 0; h < c.nHeads; h++) {
      const off = Math.floor(h / group) * hd;
      k.selectiveAttention(q.subarray(h * hd, (h + 1) * hd), cache.keys.subarray(off), cache.values.subarray(off),
        idx, len, len, hd, c.kvDim, scale, out.subarray(h * hd, (h + 1) * hd));
    }
  }

  /** Release the resident index. */
  dispose(): void {
    this.idx.free();
  }
}
