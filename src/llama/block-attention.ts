/**
 * Causal attention for a block of prompt rows as matrix–matrix products (the prefill's
 * attention): rows i = 0…n−1 at positions pos0+i attend to cache rows 0…pos0+i. Per KV head g,
 * the queries of its group (grouped-query attention: query head h reads KV head ⌊h/group⌋) form
 * one matrix Q_g of n·group rows, and
 *
 *   S = (Q_g/√d) · K_gᵀ        n·group × len, one gemm over the head's keys
 *   P = softmax of each row i over its first pos0+i+1 entries (the rest are 0: causal mask)
 *   O_g = P · V_g              n·group × d, one gemm over the head's values, transposed
 *
 * with len = pos0 + n. Each key and value is read once per block and head instead of once per
 * row and query head as in the row-by-row path (selectiveAttentionHeads), which makes a long
 * prompt practical. The same sums in another order: equal to the row-by-row path within float
 * rounding. Vaswani et al. 2017; GQA: Ainslie et al., EMNLP 2023.
 *
 * Layout: the cache is token-major (row t holds all KV heads, kvDim floats); a head's keys are
 * copied into a contiguous len × d matrix and its values transposed into d × len, because gemm
 * contracts over contiguous rows. Scratch (resident, sized for seqLen): 2·seqLen·d floats for
 * those copies, maxRows·group·(seqLen + 2d) for Q_g, S and O_g.
 *
 * @example
 * const att = new BlockAttention(model.config, kernels, 32);
 * att.run(q, keys, values, pos0, n, out);   // q, out: n × dim (query heads side by side)
 */
import type { CpuKernels, ResidentArray } from '../kernels/kernels.js';
import type { LlamaConfig } from './hooks.js';
import { disposeSymbol } from '../core/dispose.js';

export class BlockAttention {
  private readonly scratch: ResidentArray<Float32Array>;
  private readonly group: number;

  /** Allocates the scratch for blocks of up to maxRows rows over contexts of up to config.seqLen. */
  constructor(private readonly config: LlamaConfig, private readonly kernels: CpuKernels, private readonly maxRows: number) {
    this.group = config.nHeads / config.nKvHeads;
    this.scratch = kernels.allocF32(BlockAttention.scratchLength(config, maxRows));
  }

  /** Floats of scratch for blocks of maxRows rows (see the module comment). */
  static scratchLength(c: LlamaConfig, maxRows: number): number {
    const m = maxRows * (c.nHeads / c.nKvHeads);
    return 2 * c.seqLen * c.headDim + m * (c.seqLen + 2 * c.headDim);
  }

  get length(): number {
    return this.scratch.length;
  }

  /**
   * out (n × dim) ← attention of the n query rows q (n × dim, at positions pos0…pos0+n−1,
   * after RoPE) over the layer's cache rows 0…pos0+n−1 (keys, values: token-major, seqLen × kvDim).
   */
  run(q: Float32Array, keys: Float32Array, values: Float32Array, pos0: number, n: number, out: Float32Array): void {
    const c = this.config;
    const k = this.kernels;
    const { headDim: d, kvDim, dim } = c;
    const group = this.group;
    const len = pos0 + n;
    const m = n * group;
    const scale = 1 / Math.sqrt(d);
    const s = this.scratch.view();
    let at = 0;
    const take = (size: number) => { const a = s.subarray(at, at + size); at += size; return a; };
    const kg = take(len * d), vt = take(d * len), qg = take(m * d), scores = take(m * len), og = take(m * d);
    for (let g = 0; g < c.nKvHeads; g++) {
      const off = g * d;
      for (let t = 0; t < len; t++) {
        const src = t * kvDim + off;
        for (let i = 0; i < d; i++) {
          kg[t * d + i] = keys[src + i];
          vt[i * len + t] = values[src + i];
        }
      }
      // Row r = i·group + j is query head g·group + j of block row i, pre-scaled by 1/√d.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < group; j++) {
          const src = i * dim + (g * group + j) * d;
          const dst = (i * group + j) * d;
          for (let e = 0; e < d; e++) qg[dst + e] = q[src + e] * scale;
        }
      }
      k.gemm(kg, qg, scores, len, d, m);
      for (let r = 0; r < m; r++) {
        const visible = pos0 + Math.floor(r / group) + 1;
        const row = scores.subarray(r * len, (r + 1) * len);
        k.softmax(row, row, visible);
        row.fill(0, visible);
      }
      k.gemm(vt, scores, og, d, len, m);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < group; j++) {
          out.set(og.subarray((i * group + j) * d, (i * group + j + 1) * d), i * dim + (g * group + j) * d);
        }
      }
    }
  }

  dispose(): void {
    this.scratch.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}
