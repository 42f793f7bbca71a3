/**
 * Retrieval attention inside the llama runtime: an AttentionStrategy (src/llama/hooks.ts) that
 * replaces exact attention of one layer with "select tokens with a RetrievalMethod, then exact
 * attention over the selection" — so the whole model's NLL can be measured with A²ATS or a
 * baseline in place of attention.
 *
 * The runtime's cache is token-major (row t = all KV heads, post-RoPE and pre-RoPE); the strategy
 * mirrors it into a per-KV-head KvStore as tokens arrive (copying the model's own post-RoPE rows,
 * so keys are bit-identical) and feeds new tokens to the method. A position that does not follow
 * the mirrored tokens (a new story, a rewind) rebuilds the mirror from the runtime cache.
 *
 * Optionally (`probe`), it computes exact attention as well, writes the *exact* output (the
 * model runs unchanged) and reports each step's selection to a callback — used to measure
 * recall and output error on real activations.
 *
 * @example
 * for (let l = 0; l < cfg.nLayers; l++) model.setStrategies(l, { attention: new RetrievalAttention(
 *   kernels, cfg, l, createMethod(kernels, 'a2ats', {...}), { window: 16, sinks: 4, budget } ) });
 */
import type { CpuKernels } from '../kernels/kernels.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkFloat32, checkInt } from '../core/validate.js';
import { checkAttentionContext } from '../llama/exact-attention.js';
import type { AttentionContext, AttentionStrategy, LlamaConfig } from '../llama/hooks.js';
import { checkBudget, type Budget } from './budget.js';
import { KvStore, type HeadKeys } from './kv-store.js';
import type { RetrievalMethod } from './retrieval-method.js';
import { Retrieval, type Selection } from './retrieval.js';
import { attendSelected } from './sparse-attention.js';
import { disposeSymbol } from '../core/dispose.js';
import { checkOptions, optionKeys } from '../core/options.js';

/** Window, sinks, budget, probe callback and memory reserve of a RetrievalAttention. */
export interface RetrievalAttentionOptions {
  window: number;
  sinks: number;
  budget: Budget;
  /**
   * Probe mode: write exact attention to ctx.out and call this with the selection and the
   * retrieval output of every KV head at every step (for metrics).
   */
  probe?: (info: ProbeInfo) => void;
  /**
   * Backend memory to grow into up front (bytes, default 32 MiB). Methods allocate lazily
   * (codes, per-request codebooks); an allocation that grows WASM memory during a forward pass
   * would detach the runtime's views (ctx.out among them), so the memory is grown here once.
   */
  reserveBytes?: number;
}

/** Every key of RetrievalAttentionOptions, for checkOptions. */
export const RETRIEVAL_ATTENTION_KEYS = optionKeys<RetrievalAttentionOptions>({ window: true, sinks: true, budget: true, probe: true, reserveBytes: true });

export interface ProbeInfo {
  layer: number;
  kvHead: number;
  pos: number;
  keys: HeadKeys;
  /** g*d post-RoPE queries of the group. */
  qPost: Float32Array;
  selection: Selection;
  /** g*d outputs of attention over the selection. */
  out: Float32Array;
  retrieval: Retrieval;
}

export class RetrievalAttention implements AttentionStrategy {
  readonly name: string;
  private readonly store: KvStore;
  private readonly retrieval: Retrieval;
  private readonly sel: Selection = { indices: new Int32Array(0), count: 0, farCount: 0, split: { sinkEnd: 0, farStart: 0, farEnd: 0, windowStart: 0, end: 0 } };
  private readonly headOut: Float32Array;
  private readonly exactOut: Float32Array;
  private readonly all: Int32Array;
  private readonly qPre: Float32Array;
  private readonly qPost: Float32Array;
  private readonly out: Float32Array;

  constructor(private readonly kernels: CpuKernels, private readonly config: LlamaConfig, readonly layer: number,
    readonly method: RetrievalMethod, private readonly opts: RetrievalAttentionOptions) {
    if (opts === null || opts === undefined) throw badArgument('RetrievalAttention options must give window, sinks and budget');
    checkOptions('RetrievalAttention options', opts, RETRIEVAL_ATTENTION_KEYS);
    checkBudget(opts.budget);
    const c = config;
    this.name = `retrieval:${method.name}`;
    this.store = new KvStore(kernels, { nKvHeads: c.nKvHeads, headDim: c.headDim, capacity: c.seqLen, ropeBase: c.ropeBase, ropePairing: c.ropePairing });
    const g = c.nHeads / c.nKvHeads;
    this.retrieval = new Retrieval(kernels, method, { window: opts.window, sinks: opts.sinks, budget: opts.budget, groupSize: g, headDim: c.headDim });
    this.headOut = new Float32Array(g * c.headDim);
    this.exactOut = new Float32Array(g * c.headDim);
    this.all = Int32Array.from({ length: c.seqLen }, (_, i) => i);
    this.qPre = new Float32Array(c.nHeads * c.headDim);
    this.qPost = new Float32Array(c.nHeads * c.headDim);
    this.out = new Float32Array(c.nHeads * c.headDim);
    const reserve = kernels.allocF32(Math.ceil((opts.reserveBytes ?? 32 * 2 ** 20) / 4));
    reserve.dispose();
  }

  attend(ctx: AttentionContext): void {
    checkRetrievalContext(ctx, this.config);
    const c = this.config, d = c.headDim, g = c.nHeads / c.nKvHeads, pos = ctx.pos;
    // Copy the inputs first: nothing below may touch the runtime's views after an allocation.
    this.qPre.set(ctx.qPreRope.subarray(0, c.nHeads * d));
    this.qPost.set(ctx.q.subarray(0, c.nHeads * d));
    this.sync(ctx);
    for (let h = 0; h < c.nKvHeads; h++) {
      const qPre = this.qPre.subarray(h * g * d, (h + 1) * g * d);
      const qPost = this.qPost.subarray(h * g * d, (h + 1) * g * d);
      const sel = this.retrieval.select(h, this.store.head(h), { pre: qPre, post: qPost, pos }, this.sel);
      attendSelected(this.kernels, this.store.head(h), qPost, g, d, sel.indices, sel.count, this.headOut);
      if (this.opts.probe) {
        this.opts.probe({ layer: this.layer, kvHead: h, pos, keys: this.store.head(h), qPost, selection: sel, out: this.headOut, retrieval: this.retrieval });
        attendSelected(this.kernels, this.store.head(h), qPost, g, d, this.all, pos + 1, this.exactOut);
        this.out.set(this.exactOut, h * g * d);
      } else {
        this.out.set(this.headOut, h * g * d);
      }
    }
    if (ctx.out.length === 0) {
      throw new SparseInferenceError('UNAVAILABLE', `backend memory grew during attention of layer ${this.layer}, detaching the runtime's output view: raise reserveBytes`);
    }
    ctx.out.set(this.out);
  }

  /** Bring the mirror (and the method's index) up to date with the runtime cache at ctx.pos. */
  private sync(ctx: AttentionContext): void {
    const c = this.config, kv = c.kvDim, pos = ctx.pos;
    let from = this.store.length;
    if (pos !== from) {
      this.store.clear();
      this.method.reset();
      from = 0;
    }
    const { keys, keysPreRope, values } = ctx.cache;
    for (let t = from; t <= pos; t++) {
      this.store.appendWithPost(keysPreRope.subarray(t * kv, (t + 1) * kv), keys.subarray(t * kv, (t + 1) * kv), values.subarray(t * kv, (t + 1) * kv));
    }
    for (let h = 0; h < c.nKvHeads; h++) this.method.observe(h, this.store.head(h), from, pos + 1);
  }

  dispose(): void {
    this.retrieval.dispose();
    this.store.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}

/** The exact-attention context checks, plus what retrieval reads: pre-RoPE queries and keys, and pos < cache length. */
function checkRetrievalContext(ctx: AttentionContext, c: LlamaConfig): void {
  checkAttentionContext(ctx, c);
  checkFloat32('ctx.qPreRope', ctx.qPreRope, c.nHeads * c.headDim);
  checkInt('ctx.pos', ctx.pos, 0, ctx.cache.length - 1);
  checkFloat32('ctx.cache.keysPreRope', ctx.cache.keysPreRope, ctx.cache.length * c.kvDim);
}
