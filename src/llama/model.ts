/**
 * A Llama-architecture decoder (Touvron et al., "LLaMA", arXiv 2302.13971; Llama 2, arXiv
 * 2307.09288) running batch-1 on the Kernels interface, after Karpathy's llama2.c `run.c`.
 *
 * Per layer l, for the token at position pos (x is the residual stream, dim floats):
 *   h = RMSNorm(x; rmsAtt)                       (Zhang & Sennrich 2019)
 *   q = Wq h, k = Wk h, v = Wv h                 (k, v: kvDim; cached at row pos)
 *   q, k ← RoPE(pos)                             (Su et al., arXiv 2104.09864)
 *   x += Wo · attention(q, K[0..pos], V[0..pos]) (GQA: Ainslie et al. 2023)
 *   h = RMSNorm(x; rmsFfn)
 *   x += W2 (silu(W1 h) ⊙ W3 h)                  (SwiGLU: Shazeer, arXiv 2002.05202)
 * logits = Wcls · RMSNorm(x; rmsFinal).
 *
 * Memory: weights, KV cache and every activation buffer are resident (kernels.allocF32), so
 * on the wasm backend no kernel call on the hot path copies an array; the model keeps no JS
 * copy of any weight. Views are rebuilt whenever WASM memory has grown.
 *
 * Hooks (./hooks.ts): per-layer strategies replace attention, the FFN, or one of the q/k/v/o
 * projections; a capture callback sees each activation. Defaults are exact.
 *
 * @example
 * const model = loadLlama2c(bytes, { kernels: await createKernels() });
 * let logits = model.forward(1, 0);          // BOS at position 0 → vocabSize logits
 * logits = model.prefill([1, 403, 407]);     // positions 0..2, logits of the last token
 */
import type { Kernels, ResidentArray } from '../kernels/kernels.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import type {
  ActivationCapture, ActivationKind, AttentionContext, LayerKvCache, LayerStrategies, LayerWeights,
  LlamaConfig, ProjectionName,
} from './hooks.js';
import { WeightLayout, LAYER_TENSORS } from './weight-layout.js';
import { ExactAttention } from './exact-attention.js';

/** Writes weights into the resident buffer while a model is being built. */
export type WeightFiller = (all: Float32Array, layout: WeightLayout) => void;

/** Options for long runs of forward steps (prefill). */
export interface PrefillOptions {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

interface Views {
  base: Float32Array;
  tokEmb: Float32Array; rmsFinal: Float32Array; wcls: Float32Array;
  layers: LayerWeights[];
  keys: Float32Array[]; keysPre: Float32Array[]; values: Float32Array[];
  x: Float32Array; xb: Float32Array; xb2: Float32Array;
  q: Float32Array; qPre: Float32Array; hb: Float32Array; hb2: Float32Array; logits: Float32Array;
}

export class LlamaModel {
  readonly config: LlamaConfig;
  readonly kernels: Kernels;
  /** Where each tensor sits in the resident weight buffer. */
  readonly layout: WeightLayout;
  /** One resident block: weights, then the KV cache, then activation buffers. */
  private readonly mem: ResidentArray<Float32Array>;
  private readonly kvOffset: number;
  private readonly actOffset: number;
  private readonly exact: ExactAttention;
  private readonly strategies: (LayerStrategies | undefined)[];
  private capture: ActivationCapture | undefined;
  private length = 0;
  private v!: Views;
  private disposed = false;

  /**
   * Allocate resident memory for `config` and let `fill` write the weights into it. Loaders
   * (loadLlama2c, loadSafetensors, randomLlama) call this; users rarely do.
   */
  static create(config: LlamaConfig, kernels: Kernels, fill: WeightFiller): LlamaModel {
    return new LlamaModel(config, kernels, fill);
  }

  private constructor(config: LlamaConfig, kernels: Kernels, fill: WeightFiller) {
    this.config = config;
    this.kernels = kernels;
    this.layout = new WeightLayout(config);
    const c = config;
    // The small attention index first, then one block for everything else: a single large
    // allocation grows WASM memory once, by what is needed (separate ones can double it).
    this.exact = new ExactAttention(c, kernels);
    this.kvOffset = this.layout.totalLength;
    this.actOffset = this.kvOffset + 3 * c.nLayers * c.seqLen * c.kvDim;
    const actLength = 8 * 16 + 5 * c.dim + 2 * c.hiddenDim + c.vocabSize;
    try {
      this.mem = kernels.allocF32(this.actOffset + actLength);
    } catch (e) {
      this.exact.dispose();
      throw e;
    }
    this.strategies = new Array(c.nLayers).fill(undefined);
    // All allocations are done, so this view stays valid while fill runs.
    fill(this.mem.view().subarray(0, this.layout.totalLength), this.layout);
    this.sync();
  }

  /** Rebuild the views when WASM memory has grown (or on first use). Cheap when it has not. */
  private sync(): void {
    const base = this.mem.view();
    if (this.v && this.v.base === base) return;
    const wBase = base.subarray(0, this.layout.totalLength);
    const kvBase = base.subarray(this.kvOffset, this.actOffset);
    const actBase = base.subarray(this.actOffset);
    const c = this.config;
    const L = this.layout;
    const layers: LayerWeights[] = L.layers.map((slots) => {
      const lw = {} as Record<string, Float32Array>;
      for (const name of LAYER_TENSORS) lw[name] = WeightLayout.view(wBase, slots[name]);
      return lw as unknown as LayerWeights;
    });
    const per = c.seqLen * c.kvDim;
    const cacheOf = (which: number) => Array.from({ length: c.nLayers },
      (_, l) => kvBase.subarray((which * c.nLayers + l) * per, (which * c.nLayers + l + 1) * per));
    let at = 0;
    const take = (n: number) => { const a = actBase.subarray(at, at + n); at += Math.ceil(n / 16) * 16; return a; };
    this.v = {
      base,
      tokEmb: WeightLayout.view(wBase, L.tokEmb),
      rmsFinal: WeightLayout.view(wBase, L.rmsFinal),
      wcls: WeightLayout.view(wBase, L.wcls),
      layers,
      keys: cacheOf(0), keysPre: cacheOf(1), values: cacheOf(2),
      x: take(c.dim), xb: take(c.dim), xb2: take(c.dim), q: take(c.dim), qPre: take(c.dim),
      hb: take(c.hiddenDim), hb2: take(c.hiddenDim), logits: take(c.vocabSize),
    };
  }

  private alive(): void {
    if (this.disposed) throw badArgument('model was disposed');
  }

  /** Views of one layer's weights (valid until WASM memory next grows). */
  layerWeights(layer: number): LayerWeights {
    this.alive();
    checkInt('layer', layer, 0, this.config.nLayers - 1);
    this.sync();
    return this.v.layers[layer];
  }

  /** Views of the token embedding (vocabSize × dim), final norm (dim) and classifier (vocabSize × dim). */
  globalWeights(): { tokEmb: Float32Array; rmsFinal: Float32Array; wcls: Float32Array } {
    this.alive();
    this.sync();
    return { tokEmb: this.v.tokEmb, rmsFinal: this.v.rmsFinal, wcls: this.v.wcls };
  }

  /** Replace attention, FFN or projections of one layer; `undefined` restores the exact defaults. */
  setStrategies(layer: number, s: LayerStrategies | undefined): void {
    this.alive();
    checkInt('layer', layer, 0, this.config.nLayers - 1);
    if (s !== undefined) {
      if (typeof s !== 'object' || s === null) throw badArgument(`strategies must be an object or undefined`);
      if (s.attention !== undefined && typeof s.attention?.attend !== 'function') {
        throw badArgument('strategies.attention must have an attend(ctx) method');
      }
      if (s.ffn !== undefined && typeof s.ffn?.forward !== 'function') {
        throw badArgument('strategies.ffn must have a forward(ctx) method');
      }
      for (const [name, p] of Object.entries(s.projections ?? {})) {
        if (!['q', 'k', 'v', 'o'].includes(name)) throw badArgument(`strategies.projections.${name} is not a projection (q, k, v, o)`);
        if (p !== undefined && typeof p?.project !== 'function') {
          throw badArgument(`strategies.projections.${name} must have a project(ctx) method`);
        }
      }
    }
    this.strategies[layer] = s;
  }

  /** The strategies set on a layer (undefined = exact defaults). */
  getStrategies(layer: number): LayerStrategies | undefined {
    checkInt('layer', layer, 0, this.config.nLayers - 1);
    return this.strategies[layer];
  }

  /** Observe every activation during forward; `undefined` turns capture off. */
  setCapture(fn: ActivationCapture | undefined): void {
    if (fn !== undefined && typeof fn !== 'function') throw badArgument('capture must be a function or undefined');
    this.capture = fn;
  }

  /** Forget the KV cache: the next forward must start at position 0. */
  reset(): void {
    this.length = 0;
  }

  /** Tokens currently in the KV cache (the largest position forward accepts). */
  get cachedTokens(): number {
    return this.length;
  }

  /** Views of one layer's KV cache; rows ≥ length are stale. */
  kvCache(layer: number): LayerKvCache {
    this.alive();
    checkInt('layer', layer, 0, this.config.nLayers - 1);
    this.sync();
    return { keys: this.v.keys[layer], keysPreRope: this.v.keysPre[layer], values: this.v.values[layer], length: this.length };
  }

  /**
   * Run one token at position `pos` (0 ≤ pos ≤ cachedTokens, pos < seqLen); keeps its K/V at
   * row pos and drops any later rows. Returns the logits (vocabSize), a view valid until the
   * next call.
   */
  forward(token: number, pos: number): Float32Array {
    this.checkStep(token, pos);
    this.step(token, pos, true);
    return this.v.logits;
  }

  /**
   * Run tokens at positions startPos, startPos+1, … (sequential decode steps; the classifier
   * runs only for the last token). Returns the last token's logits (valid until the next call).
   */
  prefill(tokens: ArrayLike<number>, startPos = 0, opts: PrefillOptions = {}): Float32Array {
    this.alive();
    if (tokens === null || typeof tokens !== 'object' || typeof tokens.length !== 'number') {
      throw badArgument('tokens must be an array of token ids');
    }
    const n = tokens.length;
    if (n === 0) throw badArgument('tokens must not be empty');
    checkInt('startPos', startPos, 0, this.length);
    if (startPos + n > this.config.seqLen) {
      throw badArgument(`startPos + tokens.length = ${startPos + n} exceeds seqLen ${this.config.seqLen}`);
    }
    for (let i = 0; i < n; i++) checkInt(`tokens[${i}]`, tokens[i], 0, this.config.vocabSize - 1);
    for (let i = 0; i < n; i++) {
      throwIfAborted(opts.signal, 'prefill');
      this.step(tokens[i], startPos + i, i === n - 1);
      opts.onProgress?.((i + 1) / n);
    }
    return this.v.logits;
  }

  private checkStep(token: number, pos: number): void {
    this.alive();
    checkInt('token', token, 0, this.config.vocabSize - 1);
    checkInt('pos', pos, 0, this.config.seqLen - 1);
    if (pos > this.length) {
      throw badArgument(`pos must be ≤ ${this.length} (the tokens in the KV cache), got ${pos}`);
    }
  }

  private emit(layer: number, kind: ActivationKind, data: Float32Array, pos: number): void {
    if (this.capture === undefined) return;
    this.capture(layer, kind, data, pos);
    this.sync(); // the callback may have allocated (and grown WASM memory)
  }

  private project(layer: number, name: ProjectionName, x: Float32Array, out: Float32Array, W: Float32Array, rows: number): void {
    const p = this.strategies[layer]?.projections?.[name];
    if (p === undefined) {
      this.kernels.gemv(W, x, out, rows, this.config.dim);
      return;
    }
    p.project({ layer, name, config: this.config, kernels: this.kernels, weights: this.v.layers[layer], x, out });
    this.sync();
  }

  /** One decode step. Hooks may grow memory, so every access after one goes through this.v. */
  private step(token: number, pos: number, wantLogits: boolean): void {
    const c = this.config;
    const k = this.kernels;
    const { dim, kvDim, hiddenDim, headDim } = c;
    this.sync();
    this.v.x.set(this.v.tokEmb.subarray(token * dim, (token + 1) * dim));
    this.length = pos + 1;
    const row0 = pos * kvDim;
    const row1 = row0 + kvDim;
    for (let l = 0; l < c.nLayers; l++) {
      const s = this.strategies[l];
      // Attention block.
      k.rmsnorm(this.v.x, this.v.layers[l].rmsAtt, this.v.xb, dim, c.normEps);
      this.emit(l, 'attnInput', this.v.xb, pos);
      this.project(l, 'q', this.v.xb, this.v.q, this.v.layers[l].wq, dim);
      this.project(l, 'k', this.v.xb, this.v.keysPre[l].subarray(row0, row1), this.v.layers[l].wk, kvDim);
      this.project(l, 'v', this.v.xb, this.v.values[l].subarray(row0, row1), this.v.layers[l].wv, kvDim);
      this.v.qPre.set(this.v.q);
      const kRow = this.v.keys[l].subarray(row0, row1);
      kRow.set(this.v.keysPre[l].subarray(row0, row1));
      this.emit(l, 'qPreRope', this.v.qPre, pos);
      this.emit(l, 'kPreRope', this.v.keysPre[l].subarray(row0, row1), pos);
      this.emit(l, 'v', this.v.values[l].subarray(row0, row1), pos);
      k.rope(this.v.q, c.nHeads, headDim, pos, c.ropeBase, c.ropePairing);
      k.rope(this.v.keys[l].subarray(row0, row1), c.nKvHeads, headDim, pos, c.ropeBase, c.ropePairing);
      this.emit(l, 'qPostRope', this.v.q, pos);
      this.emit(l, 'kPostRope', this.v.keys[l].subarray(row0, row1), pos);
      const ctx: AttentionContext = {
        layer: l, pos, config: c, kernels: k, q: this.v.q, qPreRope: this.v.qPre,
        cache: { keys: this.v.keys[l], keysPreRope: this.v.keysPre[l], values: this.v.values[l], length: pos + 1 },
        out: this.v.xb2,
      };
      if (s?.attention) {
        s.attention.attend(ctx);
        this.sync();
      } else {
        this.exact.attend(ctx);
      }
      this.emit(l, 'oProjInput', this.v.xb2, pos);
      this.project(l, 'o', this.v.xb2, this.v.xb, this.v.layers[l].wo, dim);
      k.axpy(1, this.v.xb, this.v.x, dim);
      // Feed-forward block.
      k.rmsnorm(this.v.x, this.v.layers[l].rmsFfn, this.v.xb, dim, c.normEps);
      this.emit(l, 'ffnInput', this.v.xb, pos);
      if (s?.ffn) {
        s.ffn.forward({ layer: l, config: c, kernels: k, weights: this.v.layers[l], x: this.v.xb, out: this.v.xb2 });
        this.sync();
      } else {
        const lw = this.v.layers[l];
        k.gemv(lw.w1, this.v.xb, this.v.hb, hiddenDim, dim);
        k.gemv(lw.w3, this.v.xb, this.v.hb2, hiddenDim, dim);
        const hb = this.v.hb;
        for (let i = 0; i < hiddenDim; i++) hb[i] = hb[i] / (1 + Math.exp(-hb[i])); // silu
        this.emit(l, 'aGate', this.v.hb, pos);
        this.emit(l, 'aUp', this.v.hb2, pos);
        const gate = this.v.hb;
        const up = this.v.hb2;
        for (let i = 0; i < hiddenDim; i++) gate[i] *= up[i];
        this.emit(l, 'downInput', this.v.hb, pos);
        k.gemv(this.v.layers[l].w2, this.v.hb, this.v.xb2, dim, hiddenDim);
      }
      k.axpy(1, this.v.xb2, this.v.x, dim);
    }
    if (wantLogits) {
      k.rmsnorm(this.v.x, this.v.rmsFinal, this.v.x, dim, c.normEps);
      k.gemv(this.v.wcls, this.v.x, this.v.logits, c.vocabSize, dim);
    }
  }

  /**
   * Bytes of weights one decode step streams: every layer matrix and norm, the classifier, and
   * one embedding row (the rest of the embedding table is not read).
   */
  get weightBytesPerToken(): number {
    const L = this.layout;
    const c = this.config;
    return 4 * (L.weightCount - c.vocabSize * c.dim + c.dim + (c.sharedClassifier ? c.vocabSize * c.dim : 0));
  }

  /** Bytes this model holds resident: weights, KV cache, activations and the attention index. */
  get residentBytes(): number {
    const c = this.config;
    return 4 * (this.mem.length + c.seqLen);
  }

  /** Release the resident memory; the model must not be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.exact.dispose();
    this.mem.free();
  }
}

