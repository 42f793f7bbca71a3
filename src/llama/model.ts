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
 * Components (./components.ts): the model hosts a KvCache (keys, values and attention), an Ffn
 * and optionally a Projection (some of q/k/v/o), given with `use({ kv, ffn, projections })`;
 * the defaults are DenseKvCache and DenseFfn (exact). The model owns the weights and the
 * residual stream. A capture callback (`setCapture`) sees each activation.
 *
 * One step body, asynchronous, runs on every backend. On asynchronous kernels (WebGPU) the
 * weights and every activation are device arrays (weights uploaded once; each activation in its
 * own buffer, because WebGPU cannot bind one buffer as both input and output); the step issues
 * its kernel calls without waiting for them (they execute in program order, batched into GPU
 * submissions), awaits only components that are not the built-in dense ones, and only the
 * logits come back. Capture hands typed-array views to user code, so it needs CPU kernels.
 *
 * Fast paths with the dense components (same arithmetic): the fused decoderLayer kernel per
 * layer (float32 weights on CPU kernels, no capture, no projection component), and the block
 * prefill (matrix–matrix products and causalAttention over the DenseKvCache's storage).
 *
 * @example
 * const model = loadLlama2c(bytes, { kernels: await createKernels() });
 * let logits = await model.forward(1, 0);        // BOS at position 0 → vocabSize logits
 * logits = await model.prefill([1, 403, 407]);   // positions 0..2, logits of the last token
 * await model.use({ kv: new DenseKvCache({ keepPreRope: true }) });   // swap a component
 */
import { yieldEvery } from '../core/yield.js';
import type { Awaitable } from '../core/awaitable.js';
import { hasView } from './host-view.js';
import type { CpuKernels, Kernels, ResidentArray } from '../kernels/kernels.js';
import type { DeviceArray, F32Arg } from '../kernels/device-array.js';
import { isCpuKernels, needsCpuKernels } from '../kernels/check-kernels.js';
import { SparseInferenceError, badArgument, throwIfAborted } from '../core/errors.js';
import { checkFloat32, checkInt, describe } from '../core/validate.js';
import { checkAnyKernels } from '../kernels/check-kernels.js';
import type { ActivationCapture, ActivationKind } from './activation-capture.js';
import type { LlamaConfig } from './config.js';
import type { Ffn, KvCache, ModelComponents, ModelWeights, Projection, LayerMatrixName, ProjectionWhich } from './components.js';
import { DenseKvCache, type HostLayerStorage, type KvType, type LayerKvCache } from './dense-kv-cache.js';
import { DenseFfn } from './dense-ffn.js';
import { checkOneOf } from '../core/validate.js';
import { stackedSlot, stackedViews } from './stacked-products.js';
import { WeightLayout, LAYER_TENSORS, type LayerTensorName, type LayerWeights, type TensorSlot, type WeightFormats } from './weight-layout.js';
import { decodeQuantizedRow } from './quantized-row.js';
import type { DecoderLayerShape } from '../kernels/kernels.js';
import { decoderLayerOffsets, decoderLayerScratchLength } from '../kernels/decoder-layer-layout.js';
import { causalAttentionF16ScratchLength, causalAttentionScratchLength } from '../kernels/causal-attention-scratch.js';
import { f16Bits } from '../core/f16-bits.js';

export type { KvType } from './dense-kv-cache.js';
import { disposeSymbol } from '../core/dispose.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { q8ActivationWords } from '../kernels/q8-activation-words.js';
import { decodeStepFactory, type DecodeStep } from '../kernels/decode-step.js';

/**
 * Writes weights into the resident buffers while a model is being built: float32 tensors into
 * `all`, quantized ones (layout.formats) into `quantized`, at their slots in `layout`.
 */
export type WeightFiller = (all: Float32Array, layout: WeightLayout, quantized: Int32Array) => void;

/** How a model multiplies its quantized matrices (LlamaModel.create). */
export interface QuantizedMatmulOptions {
  /**
   * 'int8' (default): activations are first quantized to 8-bit blocks (quantizeQ8_1) and
   * multiplied with integer dot products (gemvQ4_1Q8_1, gemvQ8_0Q8_1, their gemm forms) — what
   * llama.cpp's CPU backend computes, so logits follow its numerics, and 1.4–3x faster per matrix.
   * 'f32': activations stay float32 (gemvQ4_1, gemvQ8_0, …): no rounding of activations.
   */
  activations?: 'int8' | 'f32';
}

/** Numerics of a model: how quantized matrices multiply, how its default KV cache stores rows. */
export interface ModelNumerics extends QuantizedMatmulOptions {
  /**
   * The default DenseKvCache's precision (KvType): 'f32' (default) or 'f16' (binary16, llama.cpp's
   * default KV type: half the memory per position; CPU kernels; `kvCache(l)` returns float32
   * copies; no pre-RoPE store).
   */
  kvType?: KvType;
}

/** Options for long runs of forward steps (prefill). */
export interface PrefillOptions {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  /**
   * Called with every position's logits, in order (a view valid during the call): prefill then
   * runs the classifier for every token, e.g. to score a text (evaluateNll).
   */
  onLogits?: (pos: number, logits: Float32Array) => void;
}

/** Every key of PrefillOptions, for checkOptions. */
export const PREFILL_KEYS = optionKeys<PrefillOptions>({ onProgress: true, signal: true, onLogits: true });

/** The step's arrays: typed-array views (synchronous kernels) or device arrays (asynchronous). */
interface Views<B extends F32Arg = Float32Array> {
  base: B;
  tokEmb: B; rmsFinal: B; wcls: B;
  layers: { [K in keyof LayerWeights]: B }[];
  /** Quantized matrices by layer and name, and the quantized embedding/classifier (sync only). */
  qLayers: Partial<Record<keyof LayerWeights, Int32Array>>[];
  qTokEmb?: Int32Array; qWcls?: Int32Array;
  /** int8 activations: PREFILL_BLOCK vectors of the widest matrix input, quantized (quantizeQ8_1). */
  xq?: Int32Array;
  x: B; xb: B; xb2: B;
  /** This token's query, and its key and value before they go to the KvCache (pre- and post-RoPE). */
  q: B; qPre: B; kPre: B; kPost: B; vRow: B; hb: B; hb2: B; logits: B;
  /** Fast path (sync kernels only): each layer's packed weight block, and the kernel's scratch. */
  layerBlocks?: B[]; layerScratch?: B;
  /** Quantized weights (sync only): per layer, q/k/v and gate/up as one product each where they stack. */
  stacked?: { qkv: StackedProduct | null; gateUp: StackedProduct | null }[];
  /** Block prefill (sync only): PREFILL_BLOCK rows of x, normed x, q, attention out, FFN hidden ×2. */
  block?: { x: Float32Array; xb: Float32Array; q: Float32Array; att: Float32Array; hb: Float32Array; hb2: Float32Array; attScratch: Float32Array;
    /** Binary16 cache: the block's keys and values in float32 before they are rounded into it (else empty). */
    k: Float32Array; v: Float32Array };
}

/** Several matrices as one (stacked-products.ts): the stacked blocks and the stacked outputs. */
interface StackedProduct { slot: TensorSlot; W: Int32Array; out: Float32Array }

/**
 * Prompt tokens per block of the matrix–matrix prefill: weights stream once per block instead
 * of once per token, and the block's activations (32·(4·dim + 2·hidden) floats) stay in cache.
 */
export const PREFILL_BLOCK = 32;

/** Device memory of a model on asynchronous kernels: weights once, then one array per buffer. */
interface DeviceMemory {
  weights: DeviceArray<Float32Array>;
  /** The quantized matrices' words (layout.formats), when there are any. */
  quantized: DeviceArray<Int32Array> | null;
  owned: DeviceArray<Float32Array | Int32Array>[];
  views: Views<DeviceArray<Float32Array>>;
}

export class LlamaModel {
  readonly config: LlamaConfig;
  /** Synchronous kernels (CPU backends) or asynchronous ones (WebGPU); forward runs on both. */
  readonly kernels: Kernels;
  /** Where each tensor sits in the resident weight buffer. */
  readonly layout: WeightLayout;
  /** One resident block: weights, then activation buffers (sync kernels). */
  private readonly mem: ResidentArray<Float32Array> | null = null;
  /** The quantized matrices (layout.formats), when there are any; then the quantized activations (int8 mode). */
  private readonly qmem: ResidentArray<Int32Array> | null = null;
  /** Quantized matrices multiply int8 activations (QuantizedMatmulOptions). */
  private readonly int8: boolean;
  /** How the model's default DenseKvCache stores its rows (ModelNumerics.kvType). */
  readonly kvType: KvType;
  /** PREFILL_BLOCK rows of logits, allocated the first time a prefill asks for every position's. */
  private blockLogits: ResidentArray<Float32Array> | null = null;
  /** The same arrays as device arrays (async kernels). */
  private readonly dev: DeviceMemory | null = null;
  private readonly actOffset: number;
  private kv: KvCache;
  private ffn: Ffn;
  private proj: Projection | null = null;
  /** Per layer, which of q, k, v, o the projection component computes. */
  private covers: Record<ProjectionWhich, boolean>[] = [];
  /** The weights as components see them. */
  private readonly weightsHandle: ModelWeights;
  private capture: ActivationCapture | undefined;
  private length = 0;
  /**
   * The decoderLayer kernel's view of a layer, when the weight layout packs layers as the
   * kernel expects (it does for float32 weights); null: every layer runs call by call.
   */
  private readonly fused: DecoderLayerShape | null;
  private v!: Views;
  /** The DenseKvCache's storage as host views (CPU kernels), rebuilt with the views; else null. */
  private kvHost: HostLayerStorage[] | null = null;
  /** The backend's whole-step decoder (WebGPU) for the dense components, and the cache it writes. */
  private wholeStep: { kv: KvCache; ffn: Ffn; proj: Projection | null; step: DecodeStep } | null = null;
  private disposed = false;

  /**
   * Allocate resident memory for `config` and let `fill` write the weights into it. Loaders
   * (loadLlama2c, loadSafetensors, randomLlama) call this; users rarely do.
   */
  static create(config: LlamaConfig, kernels: Kernels, fill: WeightFiller,
    formats: WeightFormats = {}, matmul: ModelNumerics = {}): LlamaModel {
    return new LlamaModel(config, kernels, fill, formats, matmul);
  }

  private constructor(config: LlamaConfig, kernels: Kernels, fill: WeightFiller, formats: WeightFormats,
    matmul: ModelNumerics) {
    // The factories pass checked arguments; `new` from JavaScript (the constructor is private
    // only to TypeScript) gets the same checks. WeightLayout checks config and formats.
    checkAnyKernels('kernels', kernels);
    if (typeof fill !== 'function') throw badArgument(`fill must be a function that writes the weights, got ${describe(fill)}`);
    this.config = config;
    this.kernels = kernels;
    this.layout = new WeightLayout(config, formats);
    if (matmul.activations !== undefined && matmul.activations !== 'int8' && matmul.activations !== 'f32') {
      throw badArgument(`activations must be 'int8' or 'f32', got ${String(matmul.activations)}`);
    }
    // Int8 activations are the CPU kernels' (quantizeQ8_1 on the host); the GPU multiplies float32 ones.
    this.int8 = this.layout.quantized && matmul.activations !== 'f32' && isCpuKernels(kernels);
    if (matmul.kvType !== undefined && matmul.kvType !== 'f32' && matmul.kvType !== 'f16') {
      throw badArgument(`kvType must be 'f32' or 'f16', got ${describe(matmul.kvType)}`);
    }
    this.kvType = matmul.kvType ?? 'f32';
    if (this.kvType === 'f16' && !isCpuKernels(kernels)) {
      throw new SparseInferenceError('UNAVAILABLE', "kvType 'f16' needs CPU kernels (use kvType 'f32' on WebGPU)");
    }
    const f16 = this.kvType === 'f16';
    if (this.layout.quantized && !isCpuKernels(kernels) && !decodeStepFactory(kernels)) {
      throw new SparseInferenceError('UNAVAILABLE', `quantized weights need CPU kernels or a backend that reads them (webgpu); ${kernels.backend} does not`);
    }
    const c = config;
    this.weightsHandle = this.modelWeights();
    this.actOffset = this.layout.totalLength;
    // The decoderLayer fast path needs float weights laid out as its kernel expects (and a
    // float32 cache, which it writes in place).
    this.fused = !isCpuKernels(kernels) || this.layout.quantized || f16 ? null : fusedShape(config, this.layout);
    const actLength = 18 * 16 + 5 * c.dim + 3 * c.kvDim + 2 * c.hiddenDim + c.vocabSize + PREFILL_BLOCK * (4 * c.dim + 2 * c.hiddenDim) + 16 + causalAttentionScratchLength(PREFILL_BLOCK, c.nHeads)
      + (this.fused ? decoderLayerScratchLength(this.fused, c.seqLen) : 0)
      // Binary16 cache: the block's float32 keys and values, and the larger attention scratch.
      + (f16 ? 2 * 16 + 2 * PREFILL_BLOCK * c.kvDim + causalAttentionF16ScratchLength(PREFILL_BLOCK, c.nHeads, c.headDim)
        - causalAttentionScratchLength(PREFILL_BLOCK, c.nHeads) : 0);
    this.covers = Array.from({ length: c.nLayers }, () => ({ q: false, k: false, v: false, o: false }));
    if (!isCpuKernels(kernels)) {
      this.dev = this.allocDevice(kernels, fill);
    } else {
      try {
        if (this.layout.quantized) this.qmem = kernels.allocI32(this.layout.quantizedLength + this.xqLength);
        this.mem = kernels.allocF32(this.actOffset + actLength);
      } catch (e) {
        this.qmem?.dispose();
        throw e;
      }
      // All allocations are done, so these views stay valid while fill runs.
      fill(this.mem.view().subarray(0, this.layout.totalLength), this.layout,
        this.qmem?.view().subarray(0, this.layout.quantizedLength) ?? new Int32Array(0));
    }
    // The dense components bind synchronously (they only allocate).
    const kv = new DenseKvCache({ kvType: this.kvType });
    const ffn = new DenseFfn();
    try {
      kv.bind(c, this.kernels);
      ffn.bind(c, this.kernels, this.weightsHandle);
    } catch (e) {
      kv.dispose();
      this.dispose();
      throw e;
    }
    this.kv = kv;
    this.ffn = ffn;
    this.sync(true);
  }

  /** Weights (filled on the host, uploaded once), KV cache and activations as device arrays. */
  private allocDevice(k: Kernels, fill: WeightFiller): DeviceMemory {
    const c = this.config;
    const L = this.layout;
    const owned: DeviceArray<Float32Array | Int32Array>[] = [];
    const own = (n: number) => { const a = k.allocF32(n); owned.push(a); return a; };
    try {
      const weights = own(L.totalLength);
      const host = new Float32Array(L.totalLength);
      const words = new Int32Array(L.quantizedLength);
      fill(host, L, words);
      weights.write(host);
      let quantized: DeviceArray<Int32Array> | null = null;
      if (L.quantized) {
        quantized = k.allocI32(L.quantizedLength);
        owned.push(quantized);
        quantized.write(words);
      }
      // A quantized matrix has no float view (its words are in `quantized`): an empty one stands in.
      const view = (slot: TensorSlot) => (slot.format ? weights.subarray(0, 0) : WeightLayout.view(weights, slot));
      const views: Views<DeviceArray<Float32Array>> = {
        base: weights,
        tokEmb: view(L.tokEmb), rmsFinal: view(L.rmsFinal), wcls: view(L.wcls),
        layers: L.layers.map((slots) => {
          const lw = {} as Record<LayerTensorName, DeviceArray<Float32Array>>; // every name is set below
          for (const name of LAYER_TENSORS) lw[name] = view(slots[name]);
          return lw;
        }),
        qLayers: [],
        x: own(c.dim), xb: own(c.dim), xb2: own(c.dim), q: own(c.dim), qPre: own(c.dim), kPre: own(c.kvDim),
        kPost: own(c.kvDim), vRow: own(c.kvDim), hb: own(c.hiddenDim), hb2: own(c.hiddenDim), logits: own(c.vocabSize),
      };
      return { weights, quantized, owned, views };
    } catch (e) {
      for (const a of owned) a.dispose();
      throw e;
    }
  }

  /**
   * The model's kernels when they are synchronous (what capture and host-view callers need);
   * SparseInferenceError('UNAVAILABLE') naming `what` on asynchronous kernels.
   */
  syncKernels(what: string): CpuKernels {
    if (typeof what !== 'string') throw badArgument(`what must be a string naming the caller, got ${describe(what)}`);
    if (!isCpuKernels(this.kernels)) throw needsCpuKernels(what);
    return this.kernels;
  }

  /** True when the model runs on GPU kernels (results arrive asynchronously; capture needs CPU kernels). */
  get asynchronous(): boolean {
    return this.dev !== null;
  }

  /** Views handed to capture and to users: they need synchronous kernels. */
  private hostViews(what: string): Views {
    this.alive();
    if (this.dev) throw needsCpuKernels(what);
    this.sync();
    return this.v;
  }

  /** Rebuild the views when WASM memory has grown (or on first use). Cheap when it has not. */
  private sync(force = false): void {
    if (!this.mem) return;
    const base = this.mem.view();
    if (this.v && this.v.base === base && !force) return;
    // The cache's storage lives in the same memory: when that moved, so did the storage.
    this.kvHost = this.kv instanceof DenseKvCache ? this.kv.hostLayers() : null;
    const wBase = base.subarray(0, this.layout.totalLength);
    const actBase = base.subarray(this.actOffset);
    const c = this.config;
    const L = this.layout;
    const layers: LayerWeights[] = L.layers.map((slots) => {
      const lw = {} as Record<LayerTensorName, Float32Array>; // every name is set below
      for (const name of LAYER_TENSORS) lw[name] = WeightLayout.view(wBase, slots[name]);
      return lw;
    });
    const q = this.qmem?.view();
    const qView = (slot: TensorSlot) => (q && slot.format ? q.subarray(slot.offset, slot.offset + slot.length) : undefined);
    const qLayers = L.layers.map((slots) => {
      const lw: Partial<Record<keyof LayerWeights, Int32Array>> = {};
      for (const name of LAYER_TENSORS) lw[name] = qView(slots[name]);
      return lw;
    });
    let at = 0;
    const take = (n: number) => { const a = actBase.subarray(at, at + n); at += Math.ceil(n / 16) * 16; return a; };
    this.v = {
      base,
      xq: this.int8 ? q!.subarray(L.quantizedLength, L.quantizedLength + this.xqLength) : undefined,
      tokEmb: WeightLayout.view(wBase, L.tokEmb),
      rmsFinal: WeightLayout.view(wBase, L.rmsFinal),
      wcls: WeightLayout.view(wBase, L.wcls),
      layers, qLayers, qTokEmb: qView(L.tokEmb), qWcls: qView(L.wcls),
      // q, kPre, vRow and hb, hb2 in this order: neighbours, so their products can be stacked.
      x: take(c.dim), xb: take(c.dim), xb2: take(c.dim), q: take(c.dim), kPre: take(c.kvDim), vRow: take(c.kvDim),
      qPre: take(c.dim), kPost: take(c.kvDim), hb: take(c.hiddenDim), hb2: take(c.hiddenDim), logits: take(c.vocabSize),
    };
    if (q) {
      const v = this.v;
      const stack = (slots: TensorSlot[], outs: Float32Array[]): StackedProduct | null => {
        const slot = stackedSlot(slots), out = stackedViews(outs);
        return slot && out ? { slot, W: q.subarray(slot.offset, slot.offset + slot.length), out } : null;
      };
      v.stacked = L.layers.map((s) => ({
        qkv: stack([s.wq, s.wk, s.wv], [v.q, v.kPre, v.vRow]), gateUp: stack([s.w1, s.w3], [v.hb, v.hb2]),
      }));
    }
    const B = PREFILL_BLOCK;
    const f16 = this.kvType === 'f16';
    this.v.block = {
      x: take(B * c.dim), xb: take(B * c.dim), q: take(B * c.dim), att: take(B * c.dim),
      hb: take(B * c.hiddenDim), hb2: take(B * c.hiddenDim),
      attScratch: take(f16 ? causalAttentionF16ScratchLength(B, c.nHeads, c.headDim) : causalAttentionScratchLength(B, c.nHeads)),
      k: f16 ? take(B * c.kvDim) : new Float32Array(0), v: f16 ? take(B * c.kvDim) : new Float32Array(0),
    };
    if (this.fused) {
      const blockLength = decoderLayerOffsets(this.fused).length;
      this.v.layerBlocks = L.layers.map((slots) => wBase.subarray(slots.rmsAtt.offset, slots.rmsAtt.offset + blockLength));
      this.v.layerScratch = take(decoderLayerScratchLength(this.fused, c.seqLen));
    }
  }

  /** UNAVAILABLE when some matrix is kept quantized: float views of it do not exist. */
  private needFloatWeights(what: string): void {
    if (this.layout.quantized) {
      throw new SparseInferenceError('UNAVAILABLE', `${what} needs float32 weights, but this model keeps them quantized (load with weights: 'f32')`);
    }
  }

  private alive(): void {
    if (this.disposed) throw badArgument('model was disposed');
  }

  /** Views of one layer's weights (valid until WASM memory next grows). Needs float32 weights. */
  layerWeights(layer: number): LayerWeights {
    checkInt('layer', layer, 0, this.config.nLayers - 1);
    this.needFloatWeights('layerWeights');
    return this.hostViews('layerWeights').layers[layer];
  }

  /** Views of the token embedding (vocabSize × dim), final norm (dim) and classifier (vocabSize × dim). */
  globalWeights(): { tokEmb: Float32Array; rmsFinal: Float32Array; wcls: Float32Array } {
    this.needFloatWeights('globalWeights');
    const v = this.hostViews('globalWeights');
    return { tokEmb: v.tokEmb, rmsFinal: v.rmsFinal, wcls: v.wcls };
  }

  /**
   * Host the given components from now on (any left out stays as it is; `projections: null`
   * removes the projection component). Each is bound to this model (`bind`) before it is used;
   * the component it replaces is disposed, and the model disposes its components when it is
   * disposed. A new KvCache starts empty: the next forward must be at position 0.
   *
   * @example
   * await model.use({ kv: new DenseKvCache({ keepPreRope: true }), ffn: new DenseFfn() });
   */
  async use(components: ModelComponents): Promise<void> {
    this.alive();
    if (components === null || typeof components !== 'object') throw badArgument(`components must be an object { kv?, ffn?, projections? }, got ${describe(components)}`);
    checkOptions('components', components, ['kv', 'ffn', 'projections']);
    const { kv, ffn, projections } = components;
    checkComponent('components.kv', kv, ['bind', 'append', 'attend', 'reset', 'dispose']);
    checkComponent('components.ffn', ffn, ['bind', 'forward', 'dispose']);
    if (projections !== null) checkComponent('components.projections', projections, ['bind', 'covers', 'project', 'dispose']);
    if (kv !== undefined && kv !== this.kv) {
      await kv.bind(this.config, this.kernels);
      this.kv.dispose();
      this.kv = kv;
      this.length = 0;
      this.sync(true);
    }
    if (ffn !== undefined && ffn !== this.ffn) {
      await ffn.bind(this.config, this.kernels, this.weightsHandle);
      this.ffn.dispose();
      this.ffn = ffn;
    }
    if (projections !== undefined && projections !== this.proj) {
      const covers = this.covers.map(() => ({ q: false, k: false, v: false, o: false }));
      if (projections !== null) {
        await projections.bind(this.config, this.kernels, this.weightsHandle);
        for (let l = 0; l < this.config.nLayers; l++) {
          for (const p of ['q', 'k', 'v', 'o'] as const) covers[l][p] = projections.covers(l, p) === true;
        }
      }
      this.proj?.dispose();
      this.proj = projections;
      this.covers = covers;
    }
    this.sync(); // binding may have allocated (and grown WASM memory)
  }

  /** The components the model runs with now (for their names and stats). */
  get components(): { kv: KvCache; ffn: Ffn; projections: Projection | null } {
    return { kv: this.kv, ffn: this.ffn, projections: this.proj };
  }

  /**
   * Keep pre-RoPE keys from now on (what `kvCache(layer).keysPreRope` then views): the DenseKvCache is replaced by one that keeps them (nLayers·seqLen·kvDim
   * floats more), whose rows already cached are the cached keys rotated back (RoPE at −pos:
   * exact up to float rounding). Idempotent. Needs synchronous kernels and the dense KvCache.
   */
  keepPreRopeKeys(): void {
    this.alive();
    if (this.dev) throw needsCpuKernels('keepPreRopeKeys');
    const old = this.kv;
    if (!(old instanceof DenseKvCache)) throw new SparseInferenceError('UNAVAILABLE', `keepPreRopeKeys needs the dense KvCache, the model has '${old.name}'`);
    this.needFloatCache('keepPreRopeKeys (the pre-RoPE store is float32)');
    if (old.keepPreRope) return;
    const kv = new DenseKvCache({ keepPreRope: true });
    kv.bind(this.config, this.kernels);
    const c = this.config, n = this.length * c.kvDim;
    for (let l = 0; l < c.nLayers; l++) {
      const from = old.hostLayer(l)!, to = kv.hostLayer(l)!;
      to.keys.set(from.keys.subarray(0, n));
      to.values.set(from.values.subarray(0, n));
      this.unrotateKeys(from.keys, to.keysPreRope!);
    }
    kv.markStored(this.length);
    old.dispose();
    this.kv = kv;
    this.sync(true);
  }

  /** UNAVAILABLE, naming `what`, when the dense KvCache stores binary16 rows. */
  private needFloatCache(what: string): void {
    if (this.kv instanceof DenseKvCache && this.kv.kvType === 'f16') {
      throw new SparseInferenceError('UNAVAILABLE', `${what} needs a float32 KV cache, but this model's is binary16 (load with kvType: 'f32')`);
    }
  }

  /** out[0 … length·kvDim) ← the cached post-RoPE keys rotated back to before RoPE. */
  private unrotateKeys(keys: Float32Array, out: Float32Array): void {
    const c = this.config;
    const k = this.kernels as CpuKernels;
    out.set(keys.subarray(0, this.length * c.kvDim));
    for (let t = 0; t < this.length; t++) {
      k.rope(out.subarray(t * c.kvDim, (t + 1) * c.kvDim), c.nKvHeads, c.headDim, -t, c.ropeBase, c.ropePairing);
    }
  }

  /** Observe every activation during forward; `undefined` turns capture off. */
  setCapture(fn: ActivationCapture | undefined): void {
    if (fn !== undefined && typeof fn !== 'function') throw badArgument('capture must be a function or undefined');
    if (this.dev && fn !== undefined) throw needsCpuKernels('setCapture (captures receive typed-array views)');
    this.capture = fn;
  }

  /** Forget the KV cache: the next forward must start at position 0. */
  reset(): void {
    this.length = 0;
    this.kv.reset();
  }

  /** Tokens currently in the KV cache (the largest position forward accepts). */
  get cachedTokens(): number {
    return this.length;
  }

  /**
   * Views of one layer's KV cache (the dense KvCache on CPU kernels); rows ≥ length are stale.
   * `keysPreRope` is a view of the pre-RoPE store when the cache keeps one (keepPreRopeKeys),
   * else a fresh array of the `length` cached rows rotated back (RoPE at −pos: equal up to
   * float rounding).
   */
  kvCache(layer: number): LayerKvCache {
    checkInt('layer', layer, 0, this.config.nLayers - 1);
    this.hostViews('kvCache');
    const s16 = this.kv instanceof DenseKvCache ? this.kv.hostLayers16()?.[layer] : undefined;
    if (s16 !== undefined) return this.widenedCache(s16.keys, s16.values);
    const s = this.denseHost()?.[layer];
    if (s === undefined) throw new SparseInferenceError('UNAVAILABLE', `kvCache needs the dense KvCache, the model has '${this.kv.name}'`);
    let keysPreRope = s.keysPreRope;
    if (keysPreRope === undefined) {
      keysPreRope = new Float32Array(this.length * this.config.kvDim);
      this.unrotateKeys(s.keys, keysPreRope);
    }
    return { keys: s.keys, keysPreRope, values: s.values, length: this.length };
  }

  /**
   * Load the first `length` tokens of another run's cache into the hosted KvCache (CPU kernels):
   * every layer's keys (pre- and post-RoPE) and values go through `append`, position by
   * position, and cachedTokens becomes `length`. One dense prefill can so be shared by several
   * caches (e.g. retrieval methods compared on the same context): copy `kvCache(l)` of every
   * layer after the prefill, then `use` each cache and restore the copies into it.
   * @example
   * const layers = Array.from({ length: c.nLayers }, (_, l) => copyOf(model.kvCache(l)));
   * await model.use({ kv: sparseCache });
   * await model.restoreKv(layers, n);
   */
  async restoreKv(layers: readonly LayerKvCache[], length: number): Promise<void> {
    this.alive();
    if (this.dev) throw needsCpuKernels('restoreKv');
    const c = this.config;
    if (!Array.isArray(layers) || layers.length !== c.nLayers) throw badArgument(`layers must be an array of ${c.nLayers} LayerKvCache (one per layer)`);
    checkInt('length', length, 0, c.seqLen);
    const n = length * c.kvDim;
    layers.forEach((s, l) => {
      if (s === null || typeof s !== 'object') throw badArgument(`layers[${l}] must be a LayerKvCache`);
      for (const key of ['keys', 'keysPreRope', 'values'] as const) checkFloat32(`layers[${l}].${key}`, s[key], n);
    });
    this.kv.reset();
    this.length = 0;
    for (let t = 0; t < length; t++) {
      for (let l = 0; l < c.nLayers; l++) {
        const row = (a: Float32Array) => a.subarray(t * c.kvDim, (t + 1) * c.kvDim);
        await this.kv.append(l, t, row(layers[l].keysPreRope), row(layers[l].keys), row(layers[l].values));
      }
      this.length = t + 1;
    }
    this.sync(true); // appends may have allocated (and grown WASM memory)
  }

  /** A binary16 layer's cached rows as float32 copies (exact: binary16 widens losslessly). */
  private widenedCache(keys16: Int32Array, values16: Int32Array): LayerKvCache {
    const n = this.length * this.config.kvDim;
    const widen = (words: Int32Array) => Float32Array.from({ length: n }, (_, j) => f16Bits((words[j >> 1] >>> (16 * (j & 1))) & 0xffff));
    const keys = widen(keys16), values = widen(values16);
    const keysPreRope = new Float32Array(n);
    this.unrotateKeys(keys, keysPreRope);
    return { keys, keysPreRope, values, length: this.length };
  }

  /**
   * The DenseKvCache's storage as host views when the fast paths may write it in place (dense
   * cache on CPU kernels), else null. Valid until the next allocation (sync() rebuilds them).
   */
  private denseHost(): HostLayerStorage[] | null {
    this.sync();
    return this.kvHost;
  }

  /**
   * Run one token at position `pos` (0 ≤ pos ≤ cachedTokens, pos < seqLen); keeps its K/V at
   * row pos and drops any later rows. Resolves to the logits (vocabSize): on CPU kernels a view
   * valid until the next call, on asynchronous kernels a fresh copy. Await each call before the
   * next.
   *
   * @example
   * const logits = await model.forward(1, 0);
   */
  async forward(token: number, pos: number): Promise<Float32Array> {
    this.checkStep(token, pos);
    if (this.fusedStep(token, pos, true)) return this.v.logits;
    return this.runStep(token, pos, true);
  }

  /**
   * The fused fast path, synchronously, when it applies (float32 weights on CPU kernels, the
   * dense components, nothing observing the layers): every layer is one decoderLayer call writing
   * the dense cache in place — the same arithmetic as the step body; on wasm it never leaves
   * WebAssembly. Returns false (having done nothing) when it does not apply.
   */
  private fusedStep(token: number, pos: number, wantLogits: boolean): boolean {
    if (this.fused === null || !this.denseOnly()) return false;
    const store = this.denseHost();
    if (store === null) return false;
    const c = this.config;
    const v = this.v;
    this.embed(token, v.x);
    this.length = pos + 1;
    (this.kv as DenseKvCache).markStored(pos + 1);
    const k = this.kernels as CpuKernels;
    for (let l = 0; l < c.nLayers; l++) {
      // Without a pre-RoPE store the kernel gets keys twice: it writes k there, then rotates it.
      k.decoderLayer(v.x, v.layerBlocks![l], store[l].keys, store[l].keysPreRope ?? store[l].keys, store[l].values,
        v.layerScratch!, pos, this.fused);
    }
    if (wantLogits) {
      k.rmsnorm(v.x, v.rmsFinal, v.x, c.dim, c.normEps);
      k.gemv(v.wcls, v.x, v.logits, this.layout.wcls.rows, this.layout.wcls.cols);
    }
    return true;
  }

  /**
   * Positions pos0 … pos0+n−1 at once (n ≤ PREFILL_BLOCK; the dense components, no capture): the layer's matrices
   * multiply all n rows in one gemm call each, and causal attention is one causalAttention call
   * (row i attends to positions 0 … pos0+i; each cached key and value read once per block);
   * RMSNorm and RoPE run row by row. The same arithmetic as n forward steps up to the order of
   * the attention sums (float rounding; the matrix products give gemv's bits on float weights).
   * On abort the cache keeps only the tokens before the block.
   */
  private prefillBlock(tokens: number[], pos0: number, wantLogits: boolean, signal?: AbortSignal,
    onLogits?: PrefillOptions['onLogits']): void {
    const c = this.config;
    const k = this.kernels as CpuKernels;
    const { dim, kvDim, hiddenDim, headDim } = c;
    const n = tokens.length;
    // Allocated before any view is taken (it may grow memory): the block's logits, once.
    if (onLogits !== undefined && this.blockLogits === null) this.blockLogits = k.allocF32(PREFILL_BLOCK * c.vocabSize);
    this.sync();
    const b = this.v.block!;
    const kv = this.kv as DenseKvCache; // blocksPossible checked it
    // A float32 cache takes the block's rows in place; a binary16 one gets them rounded after RoPE.
    const store16 = kv.hostLayers16();
    const store = store16 === null ? kv.hostLayers()! : null;
    const row = (a: Float32Array, i: number, width: number) => a.subarray(i * width, (i + 1) * width);
    for (let i = 0; i < n; i++) this.embed(tokens[i], row(b.x, i, dim));
    const x = b.x.subarray(0, n * dim), xb = b.xb.subarray(0, n * dim), q = b.q.subarray(0, n * dim);
    const att = b.att.subarray(0, n * dim), hb = b.hb.subarray(0, n * hiddenDim), hb2 = b.hb2.subarray(0, n * hiddenDim);
    this.length = pos0 + n;
    kv.markStored(pos0 + n);
    try {
      for (let l = 0; l < c.nLayers; l++) {
        throwIfAborted(signal, 'prefill');
        const w = this.v.layers[l];
        const slots = this.layout.layers[l];
        const qw = this.v.qLayers[l];
        const keys = store ? store[l].keys.subarray(pos0 * kvDim, (pos0 + n) * kvDim) : b.k.subarray(0, n * kvDim);
        const values = store ? store[l].values.subarray(pos0 * kvDim, (pos0 + n) * kvDim) : b.v.subarray(0, n * kvDim);
        const keysPre = store?.[l].keysPreRope?.subarray(pos0 * kvDim, (pos0 + n) * kvDim);
        for (let i = 0; i < n; i++) k.rmsnorm(row(x, i, dim), w.rmsAtt, row(xb, i, dim), dim, c.normEps);
        const xq = this.quantizeInput(xb, dim, n); // q, k, v share their input
        this.matmul(slots.wq, w.wq, qw.wq, xb, q, n, xq);
        this.matmul(slots.wk, w.wk, qw.wk, xb, keys, n, xq);
        this.matmul(slots.wv, w.wv, qw.wv, xb, values, n, xq);
        keysPre?.set(keys);
        for (let i = 0; i < n; i++) {
          k.rope(row(q, i, dim), c.nHeads, headDim, pos0 + i, c.ropeBase, c.ropePairing);
          k.rope(row(keys, i, kvDim), c.nKvHeads, headDim, pos0 + i, c.ropeBase, c.ropePairing);
        }
        // The block's causal attention in one call: each cached key and value read once per block.
        if (store16 !== null) {
          const words = (a: Int32Array) => a.subarray((pos0 * kvDim) / 2, ((pos0 + n) * kvDim) / 2);
          k.packF16(keys, words(store16[l].keys), n * kvDim);
          k.packF16(values, words(store16[l].values), n * kvDim);
          k.causalAttentionF16(q, store16[l].keys, store16[l].values, pos0, n, headDim, kvDim, c.nHeads, c.nHeads / c.nKvHeads,
            1 / Math.sqrt(headDim), att, b.attScratch);
        } else {
          k.causalAttention(q, store![l].keys, store![l].values, pos0, n, headDim, kvDim, c.nHeads, c.nHeads / c.nKvHeads,
            1 / Math.sqrt(headDim), att, b.attScratch);
        }
        this.matmul(slots.wo, w.wo, qw.wo, att, xb, n);
        k.axpy(1, xb, x, n * dim);
        for (let i = 0; i < n; i++) k.rmsnorm(row(x, i, dim), w.rmsFfn, row(xb, i, dim), dim, c.normEps);
        const hq = this.quantizeInput(xb, dim, n); // w1 and w3 share their input
        this.matmul(slots.w1, w.w1, qw.w1, xb, hb, n, hq);
        this.matmul(slots.w3, w.w3, qw.w3, xb, hb2, n, hq);
        k.swiglu(hb, hb2, n * hiddenDim);
        this.matmul(slots.w2, w.w2, qw.w2, hb, att, n);
        k.axpy(1, att, x, n * dim);
      }
    } catch (e) {
      this.length = pos0;
      kv.markStored(pos0);
      throw e;
    }
    if (onLogits !== undefined) {
      // Every row's logits: one classifier pass over the block.
      for (let i = 0; i < n; i++) k.rmsnorm(row(x, i, dim), this.v.rmsFinal, row(xb, i, dim), dim, c.normEps);
      this.matmul(this.layout.wcls, this.v.wcls, this.v.qWcls, xb, this.blockLogits!.view().subarray(0, n * c.vocabSize), n);
      if (wantLogits) this.v.logits.set(row(this.blockLogits!.view(), n - 1, c.vocabSize));
      for (let i = 0; i < n; i++) {
        onLogits(pos0 + i, row(this.blockLogits!.view(), i, c.vocabSize));
        this.sync();
      }
    } else if (wantLogits) {
      this.v.x.set(row(x, n - 1, dim));
      k.rmsnorm(this.v.x, this.v.rmsFinal, this.v.x, dim, c.normEps);
      this.matvec(this.layout.wcls, this.v.wcls, this.v.qWcls, this.v.x, this.v.logits);
    }
  }

  /**
   * Whether n prompt tokens may run in blocks: more than one token, the dense components on CPU
   * kernels (the block writes the DenseKvCache's storage in place), and nothing that observes
   * single tokens (no capture, no projection component).
   */
  private blocksPossible(n: number): boolean {
    // A binary16 cache needs the block's float32 rows, which the model has when it was created
    // with kvType 'f16'; one hosted later (use) runs the prompt step by step.
    return n > 1 && !this.dev && this.denseOnly()
      && (this.denseHost() !== null || (this.kvType === 'f16' && (this.kv as DenseKvCache).hostLayers16() !== null));
  }

  /** The dense KvCache and Ffn, no projection component, no capture. */
  private denseOnly(): boolean {
    return this.kv instanceof DenseKvCache && this.ffn instanceof DenseFfn && this.proj === null
      && this.capture === undefined;
  }

  /**
   * Y = X·Wᵀ for the n rows of X (the block prefill's matrix products); see matvec. Xq: X already
   * quantized (quantizeInput), for matrices that share an input.
   */
  private matmul(slot: TensorSlot, W: Float32Array, Wq: Int32Array | undefined, X: Float32Array, Y: Float32Array, n: number,
    Xq?: Int32Array): void {
    const k = this.kernels as CpuKernels;
    const { rows, cols } = slot;
    if (slot.format === undefined) k.gemm(W, X, Y, rows, cols, n);
    else if (this.int8) {
      Xq ??= this.quantizeInput(X, cols, n)!;
      if (slot.format === 'Q4_1') k.gemmQ4_1Q8_1(Wq!, Xq, Y, rows, cols, n);
      else k.gemmQ8_0Q8_1(Wq!, Xq, Y, rows, cols, n);
    } else if (slot.format === 'Q4_1') k.gemmQ4_1(Wq!, X, Y, rows, cols, n);
    else k.gemmQ8_0(Wq!, X, Y, rows, cols, n);
  }

  /** Words of the quantized-activation buffer: PREFILL_BLOCK vectors as wide as any matrix input. */
  private get xqLength(): number {
    return this.int8 ? PREFILL_BLOCK * q8ActivationWords(Math.max(this.config.dim, this.config.hiddenDim)) : 0;
  }

  /**
   * In int8 mode, the n vectors of X (cols each) quantized into the model's buffer (valid until
   * the next call); otherwise undefined. Matrices that read the same input share one call.
   */
  private quantizeInput(X: F32Arg, cols: number, n = 1): Int32Array | undefined {
    if (!this.int8) return undefined;
    const xq = this.v.xq!.subarray(0, n * q8ActivationWords(cols));
    (this.kernels as CpuKernels).quantizeQ8_1((X as Float32Array).subarray(0, n * cols), xq, n * cols);
    return xq;
  }

  /** out = the token's embedding row (decoded when the embedding is kept quantized). */
  private embed(token: number, out: F32Arg): void {
    const dim = this.config.dim;
    if (this.layout.tokEmb.format && this.dev) {
      throw new SparseInferenceError('UNAVAILABLE', 'a quantized token embedding on webgpu is decoded by the whole decode step, which needs the dense components');
    }
    if (this.layout.tokEmb.format) decodeQuantizedRow(this.layout.tokEmb.format, this.v.qTokEmb!, token, dim, out as Float32Array);
    else copyInto(out, this.views.tokEmb.subarray(token * dim, (token + 1) * dim));
  }

  /**
   * Run tokens at positions startPos, startPos+1, … (the classifier runs only for the last
   * token, or for every one with `onLogits`). Resolves to the last token's logits (see forward).
   * With the dense components on CPU kernels the prompt runs in blocks of PREFILL_BLOCK rows
   * (matrix–matrix products). Returns to the event loop every ~25 ms of steps, so an abort
   * fired by a timer or another task is seen within a step or two, not after the whole prompt.
   */
  async prefill(tokens: ArrayLike<number>, startPos = 0, opts: PrefillOptions = {}): Promise<Float32Array> {
    opts = checkOptions('prefill options', opts, PREFILL_KEYS);
    const n = this.checkPrefill(tokens, startPos, opts);
    if (this.blocksPossible(n)) {
      for (let i = 0; i < n; i += PREFILL_BLOCK) {
        await yieldEvery(25);
        throwIfAborted(opts.signal, 'prefill');
        this.checkStep(tokens[i], startPos + i); // another caller may have moved the cache meanwhile
        const end = Math.min(n, i + PREFILL_BLOCK);
        this.prefillBlock(Array.from({ length: end - i }, (_, j) => tokens[i + j]), startPos + i, end === n, opts.signal, opts.onLogits);
        opts.onProgress?.(end / n);
      }
      return this.v.logits;
    }
    let logits: Float32Array = new Float32Array(0);
    for (let i = 0; i < n; i++) {
      if (!this.dev) await yieldEvery(25);
      throwIfAborted(opts.signal, 'prefill');
      this.checkStep(tokens[i], startPos + i); // another caller may have moved the cache meanwhile
      const want = i === n - 1 || opts.onLogits !== undefined;
      if (this.fusedStep(tokens[i], startPos + i, want)) logits = want ? this.v.logits : logits;
      else logits = await this.runStep(tokens[i], startPos + i, want);
      if (want && opts.onLogits) {
        opts.onLogits(startPos + i, logits);
        this.sync(); // the callback may have allocated
      }
      opts.onProgress?.((i + 1) / n);
    }
    return logits;
  }

  private checkPrefill(tokens: ArrayLike<number>, startPos: number, opts: PrefillOptions = {}): number {
    this.alive();
    if (opts.onLogits !== undefined && typeof opts.onLogits !== 'function') throw badArgument('onLogits must be a function');
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
    return n;
  }

  private checkStep(token: number, pos: number): void {
    this.alive();
    checkInt('token', token, 0, this.config.vocabSize - 1);
    checkInt('pos', pos, 0, this.config.seqLen - 1);
    if (pos > this.length) {
      throw badArgument(`pos must be ≤ ${this.length} (the tokens in the KV cache), got ${pos}`);
    }
  }

  /**
   * One step; resolves to the logits when wantLogits (a view on CPU kernels, a fresh copy on
   * asynchronous ones), else to an empty array.
   */
  private async runStep(token: number, pos: number, wantLogits: boolean): Promise<Float32Array> {
    const whole = this.backendStep(pos);
    if (whole) return wantLogits ? whole.run(token, pos, 'logits') : whole.run(token, pos, 'none').then(() => new Float32Array(0));
    const pending: unknown[] = [];
    await this.step(token, pos, wantLogits, pending);
    if (!this.dev) {
      if (pending.length > 0) await Promise.all(pending);
      return wantLogits ? this.v.logits : new Float32Array(0);
    }
    const logits = wantLogits ? this.dev.views.logits.read() : Promise.resolve(new Float32Array(0));
    const [out] = await Promise.all([logits, ...pending]);
    return out;
  }

  /**
   * The backend's whole decode step (one GPU submission per token) when it has one and the model
   * runs the dense KvCache, the dense FFN or one the step runs itself (gatedLayers), no projection
   * component or one the step runs itself (inputThresholds), with nothing observing the layers; it then holds token pos's
   * K/V row (the DenseKvCache's storage is written in place). Else null: the step runs call by call.
   */
  private backendStep(pos: number): DecodeStep | null {
    const kv = this.kv, ffn = this.ffn, proj = this.proj;
    const factory = this.dev ? decodeStepFactory(this.kernels) : undefined;
    if (!factory || this.capture !== undefined) return null;
    // The dense cache lends the step its storage; an A²ATS retrieval cache lets it keep its own.
    const retrieval = kv instanceof DenseKvCache ? (kv.keepPreRope ? null : undefined) : kv.decodeStepRetrieval?.() ?? null;
    if (retrieval === null) return null;
    const gatedFfn = ffn instanceof DenseFfn ? undefined : ffn.gatedLayers?.() ?? null;
    const inputThresholds = proj === null ? undefined : proj.inputThresholds?.() ?? null;
    if (gatedFfn === null || inputThresholds === null) return null;
    if (this.wholeStep?.kv !== kv || this.wholeStep.ffn !== ffn || this.wholeStep.proj !== proj) {
      // A step that keeps its own K/V starts with the sequence: earlier tokens live in the cache's host store.
      if (retrieval !== undefined && pos !== 0) return null;
      this.wholeStep?.step.dispose();
      this.wholeStep = null;
      const c = this.config, L = this.layout;
      const offsets = (slots: (typeof L.layers)[number]) =>
        Object.fromEntries(LAYER_TENSORS.map((n) => [n, slots[n].offset])) as Record<(typeof LAYER_TENSORS)[number], number>;
      const step = factory({
        ...c, weights: this.dev!.weights, tokEmb: L.tokEmb.offset, rmsFinal: L.rmsFinal.offset, wcls: L.wcls.offset,
        formats: { tokEmb: L.tokEmb.format, wcls: L.wcls.format, ...Object.fromEntries(LAYER_MATRICES.map((n) => [n, L.layers[0][n].format])) },
        quantized: this.dev!.quantized ?? undefined,
        layers: L.layers.map(offsets), gatedFfn, inputThresholds, retrieval,
        kv: kv instanceof DenseKvCache ? Array.from({ length: c.nLayers }, (_, l) => kv.layer(l)) : [],
      });
      if (step === null) return null;
      this.wholeStep = { kv, ffn, proj, step };
    }
    this.length = pos + 1;
    if (kv instanceof DenseKvCache) kv.markStored(pos + 1);
    return this.wholeStep.step;
  }

  /**
   * forward(token, pos) followed by greedy sampling: resolves to the id of the largest logit (ties
   * to the lower id; NaN logits are BAD_ARGUMENT). On a backend with a whole decode step the
   * argmax runs there too, and only the id comes back (4 bytes instead of the logits).
   *
   * @example
   * const next = await model.forwardGreedy(1, 0);
   */
  async forwardGreedy(token: number, pos: number): Promise<number> {
    this.checkStep(token, pos);
    const whole = this.backendStep(pos);
    if (whole) return whole.run(token, pos, 'token');
    return this.kernels.argmax(await this.forward(token, pos), this.config.vocabSize);
  }

  /** The step's arrays: views (sync kernels, rebuilt by sync()) or the device arrays. */
  private get views(): Views<F32Arg> {
    return this.dev ? this.dev.views : this.v;
  }

  private emit(layer: number, kind: ActivationKind, data: F32Arg, pos: number): void {
    if (this.capture === undefined) return; // never set on asynchronous kernels
    this.capture(layer, kind, data as Float32Array, pos);
    this.sync(); // the callback may have allocated (and grown WASM memory)
  }

  /**
   * out = W·x for the matrix at `slot`: gemv on float32 weights (W), or the quantized kernel of
   * its format on the resident blocks (Wq; synchronous kernels only).
   */
  private matvec(slot: TensorSlot, W: F32Arg, Wq: Int32Array | undefined, x: F32Arg, out: F32Arg, xq?: Int32Array): Awaitable<void> {
    const { rows, cols } = slot;
    if (slot.format === undefined) return this.kernels.gemv(W, x, out, rows, cols);
    if (this.dev) { // the GPU reads the blocks where they lie, with float32 activations
      const words = this.dev.quantized!.subarray(slot.offset, slot.offset + slot.length);
      return slot.format === 'Q4_1' ? this.kernels.gemvQ4_1(words, x, out, rows, cols) : this.kernels.gemvQ8_0(words, x, out, rows, cols);
    }
    const k = this.kernels as CpuKernels;
    if (this.int8) {
      xq ??= this.quantizeInput(x, cols)!;
      if (slot.format === 'Q4_1') return k.gemvQ4_1Q8_1(Wq!, xq, out as Float32Array, rows, cols);
      return k.gemvQ8_0Q8_1(Wq!, xq, out as Float32Array, rows, cols);
    }
    if (slot.format === 'Q4_1') return k.gemvQ4_1(Wq!, x as Float32Array, out as Float32Array, rows, cols);
    return k.gemvQ8_0(Wq!, x as Float32Array, out as Float32Array, rows, cols);
  }

  /** The weights as components see them (ModelWeights): views or device arrays, and matvec. */
  private modelWeights(): ModelWeights {
    const model = this;
    return {
      get quantized() { return model.layout.quantized; },
      layer(layer: number) {
        checkInt('layer', layer, 0, model.config.nLayers - 1);
        model.needFloatWeights('weights.layer');
        model.sync();
        return model.views.layers[layer];
      },
      matvec(layer: number, matrix: LayerMatrixName, x: F32Arg, out: F32Arg): Awaitable<void> {
        checkInt('layer', layer, 0, model.config.nLayers - 1);
        checkOneOf('matrix', matrix, LAYER_MATRICES);
        const slot = model.layout.layers[layer][matrix];
        if (model.dev) return model.matvec(slot, model.dev.views.layers[layer][matrix], undefined, x, out);
        model.sync();
        return model.matvec(slot, model.v.layers[layer][matrix], model.v.qLayers[layer][matrix], hostArray('x', x), hostArray('out', out));
      },
    };
  }

  /**
   * Projection `name` of layer l: the projection component's when it covers it (resolves when
   * done), else the model's matrix (issued into `pending`).
   */
  private project(l: number, name: ProjectionWhich, x: F32Arg, out: F32Arg, pending: unknown[], xq?: Int32Array): Awaitable<void> {
    if (this.covers[l][name]) return this.proj!.project(l, name, x, out);
    const tensor = `w${name}` as const;
    issue(pending, this.matvec(this.layout.layers[l][tensor], this.views.layers[l][tensor], this.v?.qLayers[l]?.[tensor], x, out, xq));
  }

  /**
   * Wait for a component's result, unless the component issues all its kernel calls before
   * returning (`issuesBeforeReturn`): then the step goes on issuing and the result joins
   * `pending` (on the GPU, no round trip per call). Then re-derive the views: a component may
   * have allocated.
   */
  private async settle(r: Awaitable<void>, issuedAll: boolean, pending: unknown[]): Promise<void> {
    if (issuedAll) issue(pending, r);
    else if (isThenable(r)) await r;
    this.sync();
  }

  /**
   * One decode step, on either kind of kernels: kernel results not needed within the step go to
   * `pending` (Promises on asynchronous kernels, which the caller awaits together). Components
   * and captures may grow memory, so every access after one goes through this.views.
   */
  private async step(token: number, pos: number, wantLogits: boolean, pending: unknown[]): Promise<void> {
    const c = this.config;
    const k = this.kernels;
    const { dim, hiddenDim, headDim } = c;
    this.sync();
    this.embed(token, this.views.x);
    this.length = pos + 1;
    const issued = (r: unknown) => issue(pending, r);
    const kvIssued = this.kv.issuesBeforeReturn === true;
    const ffnIssued = this.ffn.issuesBeforeReturn === true;
    const projIssued = this.proj?.issuesBeforeReturn === true;
    const denseFfn = this.ffn instanceof DenseFfn;
    for (let l = 0; l < c.nLayers; l++) {
      // Attention block.
      issued(k.rmsnorm(this.views.x, this.views.layers[l].rmsAtt, this.views.xb, dim, c.normEps));
      this.emit(l, 'attnInput', this.views.xb, pos);
      // q, k and v read the same input: quantized once (int8 mode).
      const xq = this.quantizeInput(this.views.xb, dim);
      const qkv = this.v?.stacked?.[l].qkv;
      if (qkv && !this.covers[l].q && !this.covers[l].k && !this.covers[l].v) {
        issued(this.matvec(qkv.slot, this.views.q, qkv.W, this.views.xb, qkv.out, xq));
      } else {
        await this.settle(this.project(l, 'q', this.views.xb, this.views.q, pending, xq), projIssued, pending);
        await this.settle(this.project(l, 'k', this.views.xb, this.views.kPre, pending, xq), projIssued, pending);
        await this.settle(this.project(l, 'v', this.views.xb, this.views.vRow, pending, xq), projIssued, pending);
      }
      issued(copyInto(this.views.qPre, this.views.q));
      issued(copyInto(this.views.kPost, this.views.kPre));
      this.emit(l, 'qPreRope', this.views.qPre, pos);
      this.emit(l, 'kPreRope', this.views.kPre, pos);
      this.emit(l, 'v', this.views.vRow, pos);
      issued(k.rope(this.views.q, c.nHeads, headDim, pos, c.ropeBase, c.ropePairing));
      issued(k.rope(this.views.kPost, c.nKvHeads, headDim, pos, c.ropeBase, c.ropePairing));
      this.emit(l, 'qPostRope', this.views.q, pos);
      this.emit(l, 'kPostRope', this.views.kPost, pos);
      const v = this.views;
      await this.settle(this.kv.append(l, pos, v.kPre, v.kPost, v.vRow), kvIssued, pending);
      await this.settle(this.kv.attend(l, pos, this.views.qPre, this.views.q, this.views.xb2), kvIssued, pending);
      this.emit(l, 'oProjInput', this.views.xb2, pos);
      await this.settle(this.project(l, 'o', this.views.xb2, this.views.xb, pending), projIssued, pending);
      issued(k.axpy(1, this.views.xb, this.views.x, dim));
      // Feed-forward block.
      issued(k.rmsnorm(this.views.x, this.views.layers[l].rmsFfn, this.views.xb, dim, c.normEps));
      this.emit(l, 'ffnInput', this.views.xb, pos);
      if (denseFfn) {
        // The dense FFN's arithmetic in place: w1 and w3 share one quantized input (int8
        // mode), and a capture sees SiLU(gate) before the product.
        const lw = this.views.layers[l];
        const slots = this.layout.layers[l];
        const q = this.v?.qLayers[l];
        const hq = this.quantizeInput(this.views.xb, dim);
        const gateUp = this.v?.stacked?.[l].gateUp;
        if (gateUp) issued(this.matvec(gateUp.slot, lw.w1, gateUp.W, this.views.xb, gateUp.out, hq));
        else {
          issued(this.matvec(slots.w1, lw.w1, q?.w1, this.views.xb, this.views.hb, hq));
          issued(this.matvec(slots.w3, lw.w3, q?.w3, this.views.xb, this.views.hb2, hq));
        }
        if (this.capture) this.swigluCaptured(l, pos);
        else issued(k.swiglu(this.views.hb, this.views.hb2, hiddenDim));
        issued(this.matvec(slots.w2, this.views.layers[l].w2, this.v?.qLayers[l]?.w2, this.views.hb, this.views.xb2));
      } else {
        await this.settle(this.ffn.forward(l, this.views.xb, this.views.xb2), ffnIssued, pending);
      }
      issued(k.axpy(1, this.views.xb2, this.views.x, dim));
    }
    if (wantLogits) {
      issued(k.rmsnorm(this.views.x, this.views.rmsFinal, this.views.x, dim, c.normEps));
      issued(this.matvec(this.layout.wcls, this.views.wcls, this.v?.qWcls, this.views.x, this.views.logits));
    }
  }

  /**
   * The swiglu kernel's arithmetic, spelled out so a capture sees SiLU(gate) before the product
   * (synchronous kernels only: the capture reads host views).
   */
  private swigluCaptured(l: number, pos: number): void {
    this.syncKernels('activation capture').silu(this.v.hb, this.config.hiddenDim);
    this.emit(l, 'aGate', this.v.hb, pos);
    this.emit(l, 'aUp', this.v.hb2, pos);
    const gate = this.v.hb;
    const up = this.v.hb2;
    for (let i = 0; i < this.config.hiddenDim; i++) gate[i] *= up[i];
    this.emit(l, 'downInput', this.v.hb, pos);
  }

  /**
   * Bytes of weights one decode step streams: every layer matrix and norm, the classifier, and
   * one embedding row (the rest of the embedding table is not read).
   */
  get weightBytesPerToken(): number {
    return this.layout.bytesPerToken;
  }

  /**
   * Bytes this model holds resident: weights, activations, the dense KV cache with its attention
   * index, and the backend's whole decode step once built (its tables and scratch).
   */
  get residentBytes(): number {
    const floats = this.mem ? this.mem.length : this.dev!.owned.reduce((t, a) => t + a.length, 0);
    const kv = this.kv instanceof DenseKvCache ? this.kv.residentBytes : 0;
    return 4 * (floats + (this.qmem?.length ?? 0)) + kv + (this.wholeStep?.step.residentBytes ?? 0);
  }

  /** Release the resident memory; the model must not be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // The components exist unless construction failed before they were made.
    this.wholeStep?.step.dispose();
    this.kv?.dispose();
    this.ffn?.dispose();
    this.proj?.dispose();
    this.mem?.dispose();
    this.qmem?.dispose();
    this.blockLogits?.dispose();
    for (const a of this.dev?.owned ?? []) a.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}

/** The matrices ModelWeights.matvec multiplies by. */
const LAYER_MATRICES: readonly LayerMatrixName[] = ['wq', 'wk', 'wv', 'wo', 'w1', 'w2', 'w3'];

/** True for a pending result (a Promise of the GPU's work). */
function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Keep a kernel result that may be pending (a Promise on asynchronous kernels). */
function issue(pending: unknown[], r: unknown): void {
  if (isThenable(r)) pending.push(r);
}

/** A component's `components.name` is undefined or an object with these methods. */
function checkComponent(name: string, c: unknown, methods: readonly string[]): void {
  if (c === undefined) return;
  if (c === null || typeof c !== 'object') throw badArgument(`${name} must be an object with ${methods.join(', ')}, got ${describe(c)}`);
  for (const m of methods) {
    if (typeof (c as Record<string, unknown>)[m] !== 'function') throw badArgument(`${name} must have a ${m}() method`);
  }
}

/** A host array for the CPU kernels: the array itself, or a CPU device array's view. */
function hostArray(what: string, a: F32Arg): Float32Array {
  if (a instanceof Float32Array) return a;
  if (hasView(a)) return a.view();
  throw badArgument(`${what} must be a Float32Array or a device array of the model's kernels, got ${describe(a)}`);
}

/** dst ← src (same length): a host copy for views, a device copy for device arrays. */
function copyInto(dst: F32Arg, src: F32Arg): void {
  if (dst instanceof Float32Array) dst.set(src as Float32Array);
  else dst.copyFrom(src as DeviceArray<Float32Array>);
}


/**
 * The decoderLayer shape of `config` when `layout` packs each layer's tensors exactly where the
 * kernel looks for them (consecutive, in LAYER_TENSORS order, at the kernel's offsets); else null.
 */
function fusedShape(config: LlamaConfig, layout: WeightLayout): DecoderLayerShape | null {
  const shape: DecoderLayerShape = Object.freeze({ // frozen: the kernel checks it once, not per call
    dim: config.dim, hiddenDim: config.hiddenDim, nHeads: config.nHeads, nKvHeads: config.nKvHeads,
    normEps: config.normEps, ropeBase: config.ropeBase, ropePairing: config.ropePairing,
  });
  const offsets = decoderLayerOffsets(shape);
  for (const slots of layout.layers) {
    const base = slots.rmsAtt.offset;
    for (const name of LAYER_TENSORS) {
      if (slots[name].format !== undefined || slots[name].offset - base !== offsets[name]) return null; // quantized: by calls
    }
  }
  return shape;
}
