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
 * Asynchronous kernels (WebGPU): the same step body runs on `AsyncKernels`. Weights, the KV
 * cache and every activation are then device arrays (weights uploaded once; each activation
 * in its own buffer, because WebGPU cannot bind one buffer as both input and output); the
 * step issues its ~(10 + nHeads)·nLayers kernel calls without waiting for any of them (they
 * execute in program order, batched into GPU submissions) and only the logits come back.
 * Use `forwardAsync`/`prefillAsync` (generate and evaluateNll do). Hooks and capture hand
 * typed-array views to user code, so they need synchronous kernels.
 *
 * KV cache: post-RoPE keys and values, 2·nLayers·seqLen·kvDim floats, untouched (so not resident
 * in RAM) until a position is written. Pre-RoPE keys, which only attention strategies read
 * (WRoPE/VQ retrieval), get their own store the first time one is set (`keepPreRopeKeys`).
 *
 * @example
 * const model = loadLlama2c(bytes, { kernels: await createKernels() });
 * let logits = model.forward(1, 0);          // BOS at position 0 → vocabSize logits
 * logits = model.prefill([1, 403, 407]);     // positions 0..2, logits of the last token
 * // On a GPU: the same model code, asynchronous.
 * const gpu = loadLlama2c(bytes, { kernels: await createAsyncKernels({ backend: 'webgpu' }) });
 * logits = await gpu.forwardAsync(1, 0);
 */
import { yieldEvery } from '../core/yield.js';
import type { CpuKernels, ResidentArray } from '../kernels/kernels.js';
import { needsSyncKernels, type AsyncKernels, type DeviceArray, type F32Arg } from '../kernels/async-kernels.js';
import { isCpuKernels } from '../kernels/check-kernels.js';
import { SparseInferenceError, badArgument, throwIfAborted } from '../core/errors.js';
import { checkInt, describe } from '../core/validate.js';
import { checkAnyKernels } from '../kernels/check-kernels.js';
import type {
  ActivationCapture, ActivationKind, AttentionContext, LayerKvCache, LayerStrategies, LayerWeights,
  LlamaConfig, ProjectionName,
} from './hooks.js';
import { WeightLayout, LAYER_TENSORS, type TensorSlot, type WeightFormats } from './weight-layout.js';
import { decodeQuantizedRow } from './quantized-row.js';
import { ExactAttention } from './exact-attention.js';
import { eitherKernels } from '../kernels/maybe-async.js';
import type { DecoderLayerShape } from '../kernels/kernels.js';
import { decoderLayerOffsets, decoderLayerScratchLength } from '../kernels/decoder-layer-layout.js';
import { causalAttentionF16ScratchLength, causalAttentionScratchLength } from '../kernels/causal-attention-scratch.js';
import { disposeSymbol } from '../core/dispose.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { q8ActivationWords } from '../kernels/q8-activation-words.js';
import { f16Bits } from '../core/f16-bits.js';

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

/**
 * How the KV cache stores keys and values (LlamaModel.create):
 * 'f32' (default): float32, the precision attention computes in; what attention strategies,
 * captures and `kvCache` views read in place.
 * 'f16': IEEE binary16 (llama.cpp's default KV type): half the memory per position (23 KB instead
 * of 46 KB for SmolLM2), each key and value rounded once when it is cached; attention reads them
 * with causalAttentionF16. Synchronous kernels, no attention strategies (they read the float32
 * cache in place); `kvCache(l)` returns float32 copies.
 */
export type KvType = 'f32' | 'f16';

/** Numerics of a model: how quantized matrices multiply, how the KV cache stores its rows. */
export interface ModelNumerics extends QuantizedMatmulOptions {
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
  /** keysPre: per layer, the pre-RoPE key store when kept (keepPreRopeKeys), else empty. */
  keys: B[]; keysPre: B[]; values: B[];
  /** kvType 'f16': per layer, the binary16 keys and values (two per word); keys/values are then empty. */
  keys16?: Int32Array[]; values16?: Int32Array[];
  /** kvType 'f16': this token's post-RoPE key and its value in float32, before they are rounded into the cache. */
  kRow?: B; vRow?: B;
  x: B; xb: B; xb2: B;
  /** qPre, kPre: this token's pre-RoPE query and key (what hooks and captures see). */
  q: B; qPre: B; kPre: B; hb: B; hb2: B; logits: B;
  /** Fast path (sync kernels only): each layer's packed weight block, and the kernel's scratch. */
  layerBlocks?: B[]; layerScratch?: B;
  /** Block prefill (sync only): PREFILL_BLOCK rows of x, normed x, q, attention out, FFN hidden ×2. */
  block?: { x: Float32Array; xb: Float32Array; q: Float32Array; att: Float32Array; hb: Float32Array; hb2: Float32Array; attScratch: Float32Array;
    /** kvType 'f16': the block's keys and values in float32 before they are rounded into the cache. */
    k: Float32Array; v: Float32Array };
}

/**
 * Prompt tokens per block of the matrix–matrix prefill: weights stream once per block instead
 * of once per token, and the block's activations (32·(4·dim + 2·hidden) floats) stay in cache.
 */
export const PREFILL_BLOCK = 32;

/** Device memory of a model on asynchronous kernels: weights once, then one array per buffer. */
interface DeviceMemory {
  weights: DeviceArray<Float32Array>;
  owned: DeviceArray<Float32Array>[];
  views: Views<DeviceArray<Float32Array>>;
}

export class LlamaModel {
  readonly config: LlamaConfig;
  /** Synchronous kernels, or asynchronous ones (then use forwardAsync/prefillAsync). */
  readonly kernels: AsyncKernels;
  /** Where each tensor sits in the resident weight buffer. */
  readonly layout: WeightLayout;
  /** One resident block: weights, then the KV cache, then activation buffers (sync kernels). */
  private readonly mem: ResidentArray<Float32Array> | null = null;
  /** The quantized matrices (layout.formats), when there are any; then the quantized activations (int8 mode). */
  private readonly qmem: ResidentArray<Int32Array> | null = null;
  /** Quantized matrices multiply int8 activations (QuantizedMatmulOptions). */
  private readonly int8: boolean;
  /** How the KV cache stores its rows (KvType). */
  readonly kvType: KvType;
  /** kvType 'f16': the binary16 KV cache, keys then values, nLayers·seqLen·kvDim/2 words each. */
  private readonly kv16: ResidentArray<Int32Array> | null = null;
  /** Pre-RoPE keys, nLayers·seqLen·kvDim, allocated by keepPreRopeKeys (sync kernels only). */
  private preRope: ResidentArray<Float32Array> | null = null;
  /** PREFILL_BLOCK rows of logits, allocated the first time a prefill asks for every position's. */
  private blockLogits: ResidentArray<Float32Array> | null = null;
  /** The same arrays as device arrays (async kernels). */
  private readonly dev: DeviceMemory | null = null;
  private readonly kvOffset: number;
  private readonly actOffset: number;
  private readonly exact: ExactAttention;
  private readonly strategies: (LayerStrategies | undefined)[];
  private capture: ActivationCapture | undefined;
  private length = 0;
  /**
   * The decoderLayer kernel's view of a layer, when the weight layout packs layers as the
   * kernel expects (it does for float32 weights); null: every layer runs call by call.
   */
  private readonly fused: DecoderLayerShape | null;
  private v!: Views;
  private disposed = false;

  /**
   * Allocate resident memory for `config` and let `fill` write the weights into it. Loaders
   * (loadLlama2c, loadSafetensors, randomLlama) call this; users rarely do.
   */
  static create(config: LlamaConfig, kernels: AsyncKernels, fill: WeightFiller,
    formats: WeightFormats = {}, matmul: ModelNumerics = {}): LlamaModel {
    return new LlamaModel(config, kernels, fill, formats, matmul);
  }

  private constructor(config: LlamaConfig, kernels: AsyncKernels, fill: WeightFiller, formats: WeightFormats,
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
    this.int8 = this.layout.quantized && matmul.activations !== 'f32';
    if (matmul.kvType !== undefined && matmul.kvType !== 'f32' && matmul.kvType !== 'f16') {
      throw badArgument(`kvType must be 'f32' or 'f16', got ${String(matmul.kvType)}`);
    }
    this.kvType = matmul.kvType ?? 'f32';
    if (this.kvType === 'f16' && !isCpuKernels(kernels)) {
      throw new SparseInferenceError('UNAVAILABLE', "kvType 'f16' needs CPU kernels (use kvType 'f32' on WebGPU)");
    }
    if (this.layout.quantized && !isCpuKernels(kernels)) {
      throw new SparseInferenceError('UNAVAILABLE', 'quantized weights need synchronous kernels (load float32 weights for WebGPU)');
    }
    const c = config;
    // The small attention index first, then one block for everything else: a single large
    // allocation grows WASM memory once, by what is needed (separate ones can double it).
    this.exact = new ExactAttention(c, kernels);
    this.kvOffset = this.layout.totalLength;
    const f16 = this.kvType === 'f16';
    // Post-RoPE keys, values (float32 here, or binary16 in their own block).
    this.actOffset = this.kvOffset + (f16 ? 0 : 2 * c.nLayers * c.seqLen * c.kvDim);
    // The decoderLayer fast path needs float weights laid out as its kernel expects (and a float32 cache).
    this.fused = !isCpuKernels(kernels) || this.layout.quantized || f16 ? null : fusedShape(config, this.layout);
    const actLength = 16 * 16 + 5 * c.dim + c.kvDim + 2 * c.hiddenDim + c.vocabSize + PREFILL_BLOCK * (4 * c.dim + 2 * c.hiddenDim) + 16
      + (f16 ? 2 * c.kvDim + 2 * PREFILL_BLOCK * c.kvDim + causalAttentionF16ScratchLength(PREFILL_BLOCK, c.nHeads, c.headDim) + 64
        : causalAttentionScratchLength(PREFILL_BLOCK, c.nHeads))
      + (this.fused ? decoderLayerScratchLength(this.fused, c.seqLen) : 0);
    this.strategies = new Array(c.nLayers).fill(undefined);
    if (!isCpuKernels(kernels)) {
      this.dev = this.allocDevice(kernels, fill);
      return;
    }
    try {
      if (this.layout.quantized) this.qmem = kernels.allocI32(this.layout.quantizedLength + this.xqLength);
      if (f16) this.kv16 = kernels.allocI32(c.nLayers * c.seqLen * c.kvDim); // keys and values, two per word
      this.mem = kernels.allocF32(this.actOffset + actLength);
    } catch (e) {
      this.qmem?.dispose();
      this.kv16?.dispose();
      this.exact.dispose();
      throw e;
    }
    // All allocations are done, so these views stay valid while fill runs.
    fill(this.mem.view().subarray(0, this.layout.totalLength), this.layout,
      this.qmem?.view().subarray(0, this.layout.quantizedLength) ?? new Int32Array(0));
    this.sync();
  }

  /** Weights (filled on the host, uploaded once), KV cache and activations as device arrays. */
  private allocDevice(k: AsyncKernels, fill: WeightFiller): DeviceMemory {
    const c = this.config;
    const L = this.layout;
    const owned: DeviceArray<Float32Array>[] = [];
    const own = (n: number) => { const a = k.allocF32(n); owned.push(a); return a; };
    try {
      const weights = own(L.totalLength);
      const host = new Float32Array(L.totalLength);
      fill(host, L, new Int32Array(0));
      weights.write(host);
      const per = c.seqLen * c.kvDim;
      const keys = own(c.nLayers * per), values = own(c.nLayers * per);
      const rows = (a: DeviceArray<Float32Array>) => Array.from({ length: c.nLayers }, (_, l) => a.subarray(l * per, (l + 1) * per));
      const views: Views<DeviceArray<Float32Array>> = {
        base: weights,
        tokEmb: WeightLayout.view(weights, L.tokEmb), rmsFinal: WeightLayout.view(weights, L.rmsFinal),
        wcls: WeightLayout.view(weights, L.wcls),
        layers: L.layers.map((slots) => {
          const lw = {} as Record<string, DeviceArray<Float32Array>>;
          for (const name of LAYER_TENSORS) lw[name] = WeightLayout.view(weights, slots[name]);
          return lw as unknown as Views<DeviceArray<Float32Array>>['layers'][number];
        }),
        qLayers: [],
        keys: rows(keys), keysPre: [], values: rows(values),
        x: own(c.dim), xb: own(c.dim), xb2: own(c.dim), q: own(c.dim), qPre: own(0), kPre: own(0),
        hb: own(c.hiddenDim), hb2: own(c.hiddenDim), logits: own(c.vocabSize),
      };
      return { weights, owned, views };
    } catch (e) {
      for (const a of owned) a.dispose();
      this.exact.dispose();
      throw e;
    }
  }

  /**
   * The model's kernels when they are synchronous (what hooks and strategy builders need);
   * SparseInferenceError('UNAVAILABLE') naming `what` on asynchronous kernels.
   */
  syncKernels(what: string): CpuKernels {
    if (typeof what !== 'string') throw badArgument(`what must be a string naming the caller, got ${describe(what)}`);
    if (!isCpuKernels(this.kernels)) throw needsSyncKernels(what);
    return this.kernels;
  }

  /** True when the model runs on asynchronous kernels (use forwardAsync/prefillAsync). */
  get asynchronous(): boolean {
    return this.dev !== null;
  }

  /** Views handed to hooks and to users: they need synchronous kernels. */
  private hostViews(what: string): Views {
    this.alive();
    if (this.dev) throw needsSyncKernels(what);
    this.sync();
    return this.v;
  }

  /** Rebuild the views when WASM memory has grown (or on first use). Cheap when it has not. */
  private sync(force = false): void {
    if (!this.mem) return;
    const base = this.mem.view();
    if (this.v && this.v.base === base && !force) return;
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
    const q = this.qmem?.view();
    const qView = (slot: TensorSlot) => (q && slot.format ? q.subarray(slot.offset, slot.offset + slot.length) : undefined);
    const qLayers = L.layers.map((slots) => {
      const lw: Partial<Record<keyof LayerWeights, Int32Array>> = {};
      for (const name of LAYER_TENSORS) lw[name] = qView(slots[name]);
      return lw;
    });
    const per = c.seqLen * c.kvDim;
    const cacheOf = (which: number) => Array.from({ length: c.nLayers },
      (_, l) => kvBase.subarray((which * c.nLayers + l) * per, (which * c.nLayers + l + 1) * per));
    const pre = this.preRope?.view();
    const kv16 = this.kv16?.view();
    const half = per / 2;
    const cache16 = (which: number) => Array.from({ length: c.nLayers },
      (_, l) => kv16!.subarray((which * c.nLayers + l) * half, (which * c.nLayers + l + 1) * half));
    let at = 0;
    const take = (n: number) => { const a = actBase.subarray(at, at + n); at += Math.ceil(n / 16) * 16; return a; };
    this.v = {
      base,
      xq: this.int8 ? q!.subarray(L.quantizedLength, L.quantizedLength + this.xqLength) : undefined,
      tokEmb: WeightLayout.view(wBase, L.tokEmb),
      rmsFinal: WeightLayout.view(wBase, L.rmsFinal),
      wcls: WeightLayout.view(wBase, L.wcls),
      layers, qLayers, qTokEmb: qView(L.tokEmb), qWcls: qView(L.wcls),
      keys: kv16 ? [] : cacheOf(0), values: kv16 ? [] : cacheOf(1),
      keys16: kv16 ? cache16(0) : undefined, values16: kv16 ? cache16(1) : undefined,
      keysPre: pre ? Array.from({ length: c.nLayers }, (_, l) => pre.subarray(l * per, (l + 1) * per)) : [],
      x: take(c.dim), xb: take(c.dim), xb2: take(c.dim), q: take(c.dim), qPre: take(c.dim), kPre: take(c.kvDim),
      hb: take(c.hiddenDim), hb2: take(c.hiddenDim), logits: take(c.vocabSize),
    };
    if (kv16) { this.v.kRow = take(c.kvDim); this.v.vRow = take(c.kvDim); }
    const B = PREFILL_BLOCK;
    this.v.block = {
      x: take(B * c.dim), xb: take(B * c.dim), q: take(B * c.dim), att: take(B * c.dim),
      hb: take(B * c.hiddenDim), hb2: take(B * c.hiddenDim),
      attScratch: take(kv16 ? causalAttentionF16ScratchLength(B, c.nHeads, c.headDim) : causalAttentionScratchLength(B, c.nHeads)),
      k: kv16 ? take(B * c.kvDim) : new Float32Array(0), v: kv16 ? take(B * c.kvDim) : new Float32Array(0),
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

  /** Replace attention, FFN or projections of one layer; `undefined` restores the exact defaults. */
  setStrategies(layer: number, s: LayerStrategies | undefined): void {
    this.alive();
    checkInt('layer', layer, 0, this.config.nLayers - 1);
    if (this.dev && s !== undefined) throw needsSyncKernels('setStrategies (hooks receive typed-array views)');
    if (s?.ffn !== undefined || Object.keys(s?.projections ?? {}).length > 0) {
      this.needFloatWeights('FFN and projection strategies (they receive the weights)');
    }
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
    if (s?.attention !== undefined) this.keepPreRopeKeys(); // attention strategies read keysPreRope
    this.strategies[layer] = s;
  }

  /**
   * Keep pre-RoPE keys from now on (setStrategies does this for an attention strategy, which
   * may read them): allocates nLayers·seqLen·kvDim floats (a third more KV-cache memory) and
   * fills the rows already cached by rotating their keys back (RoPE at −pos: exact up to float
   * rounding); later rows are stored as computed. Idempotent. Needs synchronous kernels.
   */
  keepPreRopeKeys(): void {
    this.alive();
    if (this.dev) throw needsSyncKernels('keepPreRopeKeys');
    if (this.preRope) return;
    if (this.kvType === 'f16') {
      throw new SparseInferenceError('UNAVAILABLE', "attention strategies and the pre-RoPE key store read a float32 KV cache in place, but this model's is binary16 (load with kvType: 'f32')");
    }
    const c = this.config;
    this.preRope = (this.kernels as CpuKernels).allocF32(c.nLayers * c.seqLen * c.kvDim);
    this.sync(true);
    for (let l = 0; l < c.nLayers; l++) this.unrotateKeys(l, this.v.keysPre[l]);
  }

  /** out[0 … length·kvDim) ← layer l's cached keys rotated back to before RoPE. */
  private unrotateKeys(l: number, out: Float32Array): void {
    const c = this.config;
    const k = this.kernels as CpuKernels;
    out.set(this.v.keys[l].subarray(0, this.length * c.kvDim));
    for (let t = 0; t < this.length; t++) {
      k.rope(out.subarray(t * c.kvDim, (t + 1) * c.kvDim), c.nKvHeads, c.headDim, -t, c.ropeBase, c.ropePairing);
    }
  }

  /** The strategies set on a layer (undefined = exact defaults). */
  getStrategies(layer: number): LayerStrategies | undefined {
    checkInt('layer', layer, 0, this.config.nLayers - 1);
    return this.strategies[layer];
  }

  /** Observe every activation during forward; `undefined` turns capture off. */
  setCapture(fn: ActivationCapture | undefined): void {
    if (fn !== undefined && typeof fn !== 'function') throw badArgument('capture must be a function or undefined');
    if (this.dev && fn !== undefined) throw needsSyncKernels('setCapture (captures receive typed-array views)');
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

  /**
   * Views of one layer's KV cache; rows ≥ length are stale. `keysPreRope` is a view of the
   * pre-RoPE store when the model keeps one (keepPreRopeKeys), else a fresh array of the
   * `length` cached rows rotated back (RoPE at −pos: equal up to float rounding).
   */
  kvCache(layer: number): LayerKvCache {
    checkInt('layer', layer, 0, this.config.nLayers - 1);
    const v = this.hostViews('kvCache');
    if (this.kvType === 'f16') return this.widenedCache(layer);
    let keysPreRope = v.keysPre[layer];
    if (keysPreRope === undefined) {
      keysPreRope = new Float32Array(this.length * this.config.kvDim);
      this.unrotateKeys(layer, keysPreRope);
    }
    return { keys: v.keys[layer], keysPreRope, values: v.values[layer], length: this.length };
  }

  /** kvType 'f16': float32 copies of layer l's cached rows (exact: binary16 widens losslessly). */
  private widenedCache(l: number): LayerKvCache {
    const n = this.length * this.config.kvDim;
    const widen = (words: Int32Array) => Float32Array.from({ length: n }, (_, j) => f16Bits((words[j >> 1] >>> (16 * (j & 1))) & 0xffff));
    const keys = widen(this.v.keys16![l]), values = widen(this.v.values16![l]);
    const keysPreRope = keys.slice();
    const c = this.config;
    for (let t = 0; t < this.length; t++) {
      (this.kernels as CpuKernels).rope(keysPreRope.subarray(t * c.kvDim, (t + 1) * c.kvDim), c.nKvHeads, c.headDim, -t, c.ropeBase, c.ropePairing);
    }
    return { keys, keysPreRope, values, length: this.length };
  }

  /**
   * Run one token at position `pos` (0 ≤ pos ≤ cachedTokens, pos < seqLen); keeps its K/V at
   * row pos and drops any later rows. Returns the logits (vocabSize), a view valid until the
   * next call. Needs synchronous kernels (see forwardAsync).
   */
  forward(token: number, pos: number): Float32Array {
    if (this.dev) throw needsSyncKernels('forward');
    this.checkStep(token, pos);
    this.step(token, pos, true, ignore);
    return this.v.logits;
  }

  /**
   * forward on either kind of kernels. On asynchronous kernels the step's kernel calls are all
   * issued before any is awaited, and the result is a fresh copy of the logits; await each
   * call before the next.
   *
   * @example
   * const logits = await model.forwardAsync(1, 0);
   */
  async forwardAsync(token: number, pos: number): Promise<Float32Array> {
    if (!this.dev) return this.forward(token, pos);
    this.checkStep(token, pos);
    return this.stepAsync(token, pos, true);
  }

  /**
   * Run tokens at positions startPos, startPos+1, … (sequential decode steps; the classifier
   * runs only for the last token). Returns the last token's logits (valid until the next call).
   * Needs synchronous kernels (see prefillAsync).
   */
  prefill(tokens: ArrayLike<number>, startPos = 0, opts: PrefillOptions = {}): Float32Array {
    opts = checkOptions('prefill options', opts, PREFILL_KEYS);
    if (this.dev) throw needsSyncKernels('prefill');
    const n = this.checkPrefill(tokens, startPos, opts);
    if (this.blocksPossible(n)) {
      for (let i = 0; i < n; i += PREFILL_BLOCK) {
        throwIfAborted(opts.signal, 'prefill');
        const end = Math.min(n, i + PREFILL_BLOCK);
        this.prefillBlock(Array.from({ length: end - i }, (_, j) => tokens[i + j]), startPos + i, end === n, opts.signal, opts.onLogits);
        opts.onProgress?.(end / n);
      }
      return this.v.logits;
    }
    for (let i = 0; i < n; i++) {
      throwIfAborted(opts.signal, 'prefill');
      this.step(tokens[i], startPos + i, i === n - 1 || opts.onLogits !== undefined, ignore);
      this.giveLogits(opts.onLogits, startPos + i);
      opts.onProgress?.((i + 1) / n);
    }
    return this.v.logits;
  }

  /** Hand the current logits to an onLogits callback (which may allocate: views are rebuilt). */
  private giveLogits(onLogits: PrefillOptions['onLogits'], pos: number): void {
    if (onLogits === undefined) return;
    onLogits(pos, this.v.logits);
    this.sync();
  }

  /**
   * Positions pos0 … pos0+n−1 at once (n ≤ PREFILL_BLOCK; no hooks set): the layer's matrices
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
    const f16 = this.kvType === 'f16';
    // Allocated before any view is taken (it may grow memory): the block's logits, once.
    if (onLogits !== undefined && this.blockLogits === null) this.blockLogits = k.allocF32(PREFILL_BLOCK * c.vocabSize);
    this.sync();
    const b = this.v.block!;
    const row = (a: Float32Array, i: number, width: number) => a.subarray(i * width, (i + 1) * width);
    for (let i = 0; i < n; i++) this.embed(tokens[i], row(b.x, i, dim));
    const x = b.x.subarray(0, n * dim), xb = b.xb.subarray(0, n * dim), q = b.q.subarray(0, n * dim);
    const att = b.att.subarray(0, n * dim), hb = b.hb.subarray(0, n * hiddenDim), hb2 = b.hb2.subarray(0, n * hiddenDim);
    this.length = pos0 + n;
    try {
      for (let l = 0; l < c.nLayers; l++) {
        throwIfAborted(signal, 'prefill');
        const w = this.v.layers[l];
        const slots = this.layout.layers[l];
        const qw = this.v.qLayers[l];
        // A float32 cache takes the block's rows directly; a binary16 one gets them rounded after RoPE.
        const keys = f16 ? b.k.subarray(0, n * kvDim) : this.v.keys[l].subarray(pos0 * kvDim, (pos0 + n) * kvDim);
        const values = f16 ? b.v.subarray(0, n * kvDim) : this.v.values[l].subarray(pos0 * kvDim, (pos0 + n) * kvDim);
        const keysPre = this.v.keysPre[l]?.subarray(pos0 * kvDim, (pos0 + n) * kvDim);
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
        if (f16) {
          const words = (a: Int32Array) => a.subarray((pos0 * kvDim) / 2, ((pos0 + n) * kvDim) / 2);
          k.packF16(keys, words(this.v.keys16![l]), n * kvDim);
          k.packF16(values, words(this.v.values16![l]), n * kvDim);
          k.causalAttentionF16(q, this.v.keys16![l], this.v.values16![l], pos0, n, headDim, kvDim, c.nHeads, c.nHeads / c.nKvHeads,
            1 / Math.sqrt(headDim), att, b.attScratch);
        } else {
          k.causalAttention(q, this.v.keys[l], this.v.values[l], pos0, n, headDim, kvDim, c.nHeads, c.nHeads / c.nKvHeads,
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
   * Whether n prompt tokens may run in blocks: no hook can observe single tokens (no capture, no
   * strategies), and there is more than one token.
   */
  private blocksPossible(n: number): boolean {
    return n > 1 && this.capture === undefined && this.strategies.every((s) => s === undefined);
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
    if (this.layout.tokEmb.format) decodeQuantizedRow(this.layout.tokEmb.format, this.v.qTokEmb!, token, dim, out as Float32Array);
    else copyInto(out, this.views.tokEmb.subarray(token * dim, (token + 1) * dim));
  }

  /**
   * prefill on either kind of kernels (the logits are a fresh copy on asynchronous kernels).
   * On synchronous kernels it returns to the event loop every ~25 ms of steps, so an abort
   * fired by a timer or another task is seen within a step or two, not after the whole prompt.
   */
  async prefillAsync(tokens: ArrayLike<number>, startPos = 0, opts: PrefillOptions = {}): Promise<Float32Array> {
    opts = checkOptions('prefillAsync options', opts, PREFILL_KEYS);
    const n = this.checkPrefill(tokens, startPos, opts);
    if (!this.dev && this.blocksPossible(n)) {
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
    if (!this.dev) {
      for (let i = 0; i < n; i++) {
        await yieldEvery(25);
        throwIfAborted(opts.signal, 'prefill');
        this.checkStep(tokens[i], startPos + i); // another caller may have moved the cache meanwhile
        this.step(tokens[i], startPos + i, i === n - 1 || opts.onLogits !== undefined, ignore);
        this.giveLogits(opts.onLogits, startPos + i);
        opts.onProgress?.((i + 1) / n);
      }
      return this.v.logits;
    }
    let logits: Float32Array = new Float32Array(0);
    for (let i = 0; i < n; i++) {
      throwIfAborted(opts.signal, 'prefill');
      if (i === n - 1 || opts.onLogits !== undefined) {
        logits = await this.stepAsync(tokens[i], startPos + i, true);
        opts.onLogits?.(startPos + i, logits);
      } else await this.stepAsync(tokens[i], startPos + i, false);
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

  /** One step on asynchronous kernels: issue every call, then wait for all (and the logits). */
  private async stepAsync(token: number, pos: number, wantLogits: boolean): Promise<Float32Array> {
    const pending: unknown[] = [];
    this.step(token, pos, wantLogits, (r) => pending.push(r));
    const logits = wantLogits ? this.dev!.views.logits.read() : Promise.resolve(new Float32Array(0));
    const [out] = await Promise.all([logits, ...pending]);
    return out;
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
  private matvec(slot: TensorSlot, W: F32Arg, Wq: Int32Array | undefined, x: F32Arg, out: F32Arg, xq?: Int32Array): unknown {
    const { rows, cols } = slot;
    if (slot.format === undefined) return eitherKernels(this.kernels).gemv(W, x, out, rows, cols);
    const k = this.kernels as CpuKernels;
    if (this.int8) {
      xq ??= this.quantizeInput(x, cols)!;
      if (slot.format === 'Q4_1') return k.gemvQ4_1Q8_1(Wq!, xq, out as Float32Array, rows, cols);
      return k.gemvQ8_0Q8_1(Wq!, xq, out as Float32Array, rows, cols);
    }
    if (slot.format === 'Q4_1') return k.gemvQ4_1(Wq!, x as Float32Array, out as Float32Array, rows, cols);
    return k.gemvQ8_0(Wq!, x as Float32Array, out as Float32Array, rows, cols);
  }

  private project(layer: number, name: ProjectionName, x: F32Arg, out: F32Arg, W: F32Arg, rows: number,
    issued: (r: unknown) => void, xq?: Int32Array): void {
    const p = this.strategies[layer]?.projections?.[name]; // never set on asynchronous kernels
    if (p === undefined) {
      const tensor = `w${name}` as const;
      issued(this.matvec(this.layout.layers[layer][tensor], W, this.v?.qLayers[layer]?.[tensor], x, out, xq));
      return;
    }
    p.project({ layer, name, config: this.config, kernels: this.kernels as CpuKernels, weights: this.v.layers[layer],
      x: x as Float32Array, out: out as Float32Array });
    this.sync();
  }

  /**
   * One decode step, on either kind of kernels: `issued` receives every kernel call's result
   * (Promises on asynchronous kernels, which the caller awaits together). Hooks may grow
   * memory, so every access after one goes through this.views.
   */
  private step(token: number, pos: number, wantLogits: boolean, issued: (r: unknown) => void): void {
    const c = this.config;
    const k = eitherKernels(this.kernels);
    const { dim, kvDim, hiddenDim, headDim } = c;
    this.sync();
    this.embed(token, this.views.x);
    this.length = pos + 1;
    const row0 = pos * kvDim;
    const row1 = row0 + kvDim;
    const host = this.dev === null; // pre-RoPE queries and keys are for hooks and captures only
    const f16 = this.kvType === 'f16'; // synchronous kernels only (checked at creation)
    for (let l = 0; l < c.nLayers; l++) {
      const s = this.strategies[l];
      if (this.fused && s === undefined && this.capture === undefined) {
        // Fast path: no hook can see inside this layer, so it is one kernel call (the same
        // arithmetic as the calls below; on wasm it never leaves WebAssembly).
        const v = this.v;
        // Without a pre-RoPE store the kernel gets keys twice: it writes k there, then rotates it.
        (this.kernels as CpuKernels).decoderLayer(v.x, v.layerBlocks![l], v.keys[l], v.keysPre[l] ?? v.keys[l], v.values[l], v.layerScratch!, pos, this.fused);
        continue;
      }
      // Attention block.
      issued(k.rmsnorm(this.views.x, this.views.layers[l].rmsAtt, this.views.xb, dim, c.normEps));
      this.emit(l, 'attnInput', this.views.xb, pos);
      // q, k and v read the same input: quantized once (int8 mode; projection hooks need float weights).
      const xq = this.quantizeInput(this.views.xb, dim);
      this.project(l, 'q', this.views.xb, this.views.q, this.views.layers[l].wq, dim, issued, xq);
      // A float32 cache holds the rows themselves; a binary16 one gets them rounded after RoPE.
      const kRow = () => (f16 ? this.v.kRow! : this.views.keys[l].subarray(row0, row1));
      const vRow = () => (f16 ? this.v.vRow! : this.views.values[l].subarray(row0, row1));
      // On the host, k lands first in the pre-RoPE row (the store's, or the kPre scratch).
      const kOut = () => (host ? this.v.keysPre[l]?.subarray(row0, row1) ?? this.v.kPre : kRow());
      this.project(l, 'k', this.views.xb, kOut(), this.views.layers[l].wk, kvDim, issued, xq);
      this.project(l, 'v', this.views.xb, vRow(), this.views.layers[l].wv, kvDim, issued, xq);
      if (host) {
        copyInto(this.views.qPre, this.views.q);
        copyInto(kRow(), kOut());
        this.emit(l, 'qPreRope', this.views.qPre, pos);
        this.emit(l, 'kPreRope', kOut(), pos);
        this.emit(l, 'v', vRow(), pos);
      }
      issued(k.rope(this.views.q, c.nHeads, headDim, pos, c.ropeBase, c.ropePairing));
      issued(k.rope(kRow(), c.nKvHeads, headDim, pos, c.ropeBase, c.ropePairing));
      this.emit(l, 'qPostRope', this.views.q, pos);
      this.emit(l, 'kPostRope', kRow(), pos);
      if (f16) {
        const v = this.v;
        (this.kernels as CpuKernels).packF16(v.kRow!, v.keys16![l].subarray(row0 / 2, row1 / 2), kvDim);
        (this.kernels as CpuKernels).packF16(v.vRow!, v.values16![l].subarray(row0 / 2, row1 / 2), kvDim);
        (this.kernels as CpuKernels).causalAttentionF16(v.q, v.keys16![l], v.values16![l], pos, 1, headDim, kvDim, c.nHeads,
          c.nHeads / c.nKvHeads, 1 / Math.sqrt(headDim), v.xb2, v.block!.attScratch);
      } else if (s?.attention) {
        s.attention.attend({
          layer: l, pos, config: c, kernels: this.kernels as CpuKernels, q: this.v.q, qPreRope: this.v.qPre,
          cache: { keys: this.v.keys[l], keysPreRope: this.v.keysPre[l], values: this.v.values[l], length: pos + 1 },
          out: this.v.xb2,
        });
        this.sync();
      } else {
        this.exact.heads(this.views.q, this.views.keys[l], this.views.values[l], pos + 1, this.views.xb2, issued);
      }
      this.emit(l, 'oProjInput', this.views.xb2, pos);
      this.project(l, 'o', this.views.xb2, this.views.xb, this.views.layers[l].wo, dim, issued);
      issued(k.axpy(1, this.views.xb, this.views.x, dim));
      // Feed-forward block.
      issued(k.rmsnorm(this.views.x, this.views.layers[l].rmsFfn, this.views.xb, dim, c.normEps));
      this.emit(l, 'ffnInput', this.views.xb, pos);
      if (s?.ffn) {
        s.ffn.forward({ layer: l, config: c, kernels: this.kernels as CpuKernels, weights: this.v.layers[l], x: this.v.xb, out: this.v.xb2 });
        this.sync();
      } else {
        const lw = this.views.layers[l];
        const slots = this.layout.layers[l];
        const q = this.v?.qLayers[l];
        const hq = this.quantizeInput(this.views.xb, dim); // w1 and w3 share their input
        issued(this.matvec(slots.w1, lw.w1, q?.w1, this.views.xb, this.views.hb, hq));
        issued(this.matvec(slots.w3, lw.w3, q?.w3, this.views.xb, this.views.hb2, hq));
        if (this.capture) this.swigluCaptured(l, pos);
        else issued(k.swiglu(this.views.hb, this.views.hb2, hiddenDim));
        issued(this.matvec(slots.w2, this.views.layers[l].w2, this.v?.qLayers[l]?.w2, this.views.hb, this.views.xb2));
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

  /** Bytes this model holds resident: weights, KV cache, activations and the attention index. */
  get residentBytes(): number {
    const c = this.config;
    const floats = this.mem ? this.mem.length : this.dev!.owned.reduce((t, a) => t + a.length, 0);
    return 4 * (floats + (this.qmem?.length ?? 0) + (this.kv16?.length ?? 0) + (this.preRope?.length ?? 0) + c.seqLen);
  }

  /** Release the resident memory; the model must not be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.exact.dispose();
    this.mem?.dispose();
    this.qmem?.dispose();
    this.kv16?.dispose();
    this.preRope?.dispose();
    this.blockLogits?.dispose();
    for (const a of this.dev?.owned ?? []) a.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}

function ignore(): void {}

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
