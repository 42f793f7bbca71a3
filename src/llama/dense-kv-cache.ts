/**
 * The default KvCache: every token's post-RoPE key and value, and exact attention over them.
 *
 *   out_h = Σ_{t ≤ pos} softmax_t(q_h · k_{t,g} / √d) · v_{t,g},   g = ⌊h / (nHeads/nKvHeads)⌋
 *
 * Vaswani et al., NeurIPS 2017; GQA: Ainslie et al., EMNLP 2023.
 *
 * Layout: per layer a token-major block of seqLen rows (row t holds all KV heads of token t,
 * kvDim floats), keys and values apart: 2·nLayers·seqLen·kvDim floats, allocated at bind and
 * untouched (so not resident in RAM) until a row is written. Attention of all query heads is one
 * kernel call: on CPU kernels `causalAttention` for the single row at pos (the prefill's kernel,
 * which reads each tile of keys and values once for the whole group of query heads sharing it:
 * a long-context decode step ~1.5x faster than head by head); on GPU kernels
 * `selectiveAttentionHeads` over the token list 0..pos (a resident identity index), one dispatch
 * chain for every head. The two agree within float rounding (the sums run in another order). Pre-RoPE
 * keys are kept only when asked (`keepPreRope`), for code that reads them back (`layer`).
 *
 * Precision (`kvType`): 'f32' (default) stores float32, the precision attention computes in,
 * which attention strategies, captures and `layer` views read in place. 'f16' stores IEEE
 * binary16 (llama.cpp's default KV type): one block of words, two values per word, half the
 * bytes per position; each row is rounded once when it is cached (`packF16`, after RoPE) and
 * attention reads it with `causalAttentionF16`. CPU kernels only; no pre-RoPE store.
 *
 * The model reads `layer(l)` directly on its fast paths (the fused decoder layer, the block
 * prefill), which compute the same arithmetic as append + attend.
 *
 * @example
 * const kv = new DenseKvCache();
 * await model.use({ kv });
 */
import type { Awaitable } from '../core/awaitable.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkInt, describe } from '../core/validate.js';
import { disposeSymbol } from '../core/dispose.js';
import { isDeviceArray, type DeviceArray, type F32Arg } from '../kernels/device-array.js';
import { hasView } from './host-view.js';
import { isCpuKernels } from '../kernels/check-kernels.js';
import { causalAttentionF16ScratchLength, causalAttentionScratchLength } from '../kernels/causal-attention-scratch.js';

/**
 * How a KV cache stores keys and values: 'f32' (float32) or 'f16' (IEEE binary16, two per
 * word: half the memory per position, each value rounded once when cached).
 */
export type KvType = 'f32' | 'f16';
import type { ComponentStats, KvCache, ModelShape } from './components.js';
import type { Kernels } from '../kernels/kernels.js';
import { checkBindArgs } from './check-component-args.js';

export interface DenseKvCacheOptions {
  /** Also store pre-RoPE keys (a third more memory), readable through `layer(l).keysPreRope`. */
  keepPreRope?: boolean;
  /** 'f32' (default) or 'f16': see KvType. 'f16' needs CPU kernels and no keepPreRope. */
  kvType?: KvType;
}

/** One layer's storage: seqLen × kvDim rows each (rows ≥ length are stale). */
export interface DenseLayerStorage {
  keys: DeviceArray<Float32Array>;
  values: DeviceArray<Float32Array>;
  /** Present when the cache keeps pre-RoPE keys. */
  keysPreRope?: DeviceArray<Float32Array>;
}

/** One layer's binary16 storage (kvType 'f16'): seqLen × kvDim/2 words each, value 2i in the low half of word i. */
export interface HostLayerStorage16 {
  keys: Int32Array;
  values: Int32Array;
}

/** One layer's storage as host views (CPU kernels). */
export interface HostLayerStorage {
  keys: Float32Array;
  values: Float32Array;
  keysPreRope?: Float32Array;
}

/** One layer of the dense KV cache as `model.kvCache(layer)` returns it (views, or copies for binary16). */
export interface LayerKvCache {
  /** seqLen·kvDim, post-RoPE, row t = token t. */
  keys: Float32Array;
  /**
   * Pre-RoPE keys (for WRoPE/VQ retrieval): a view of the store when the cache keeps one
   * (`keepPreRopeKeys()`), else a fresh array of the length·kvDim cached rows rotated back.
   */
  keysPreRope: Float32Array;
  /** seqLen·kvDim. */
  values: Float32Array;
  /** Tokens stored. */
  length: number;
}

export class DenseKvCache implements KvCache {
  readonly name = 'dense';
  /** append and attend issue their kernel calls at once (copies and one attention call). */
  readonly issuesBeforeReturn = true;
  readonly keepPreRope: boolean;
  readonly kvType: KvType;
  private shape: ModelShape | null = null;
  private k: Kernels | null = null;
  private owned: DeviceArray<Float32Array | Int32Array>[] = [];
  private layers: DenseLayerStorage[] = [];
  /** kvType 'f16': per layer, keys and values as binary16 words (layers is then empty). */
  private layers16: { keys: DeviceArray<Int32Array>; values: DeviceArray<Int32Array> }[] = [];
  private idx: DeviceArray<Int32Array> | null = null;
  private lse: DeviceArray<Float32Array> | null = null;
  /** causalAttention's working space for one query row (CPU kernels only). */
  private scratch: DeviceArray<Float32Array> | null = null;
  private stored = 0;
  private steps = 0;
  private keysRead = 0;

  constructor(opts: DenseKvCacheOptions = {}) {
    if (opts === null || typeof opts !== 'object') throw badArgument(`DenseKvCache options must be an object, got ${describe(opts)}`);
    if (opts.keepPreRope !== undefined && typeof opts.keepPreRope !== 'boolean') {
      throw badArgument(`keepPreRope must be a boolean, got ${describe(opts.keepPreRope)}`);
    }
    if (opts.kvType !== undefined && opts.kvType !== 'f32' && opts.kvType !== 'f16') {
      throw badArgument(`kvType must be 'f32' or 'f16', got ${describe(opts.kvType)}`);
    }
    this.keepPreRope = opts.keepPreRope ?? false;
    this.kvType = opts.kvType ?? 'f32';
    if (this.keepPreRope && this.kvType === 'f16') throw badArgument("keepPreRope needs kvType 'f32' (the pre-RoPE store is float32)");
  }

  bind(shape: ModelShape, kernels: Kernels): void {
    if (this.shape !== null) throw badArgument('DenseKvCache is already bound to a model');
    checkBindArgs(shape, kernels);
    const c = shape;
    const per = c.seqLen * c.kvDim;
    const own = <T extends DeviceArray<Float32Array | Int32Array>>(a: T): T => { this.owned.push(a); return a; };
    if (this.kvType === 'f16') {
      if (!isCpuKernels(kernels)) throw new SparseInferenceError('UNAVAILABLE', "kvType 'f16' needs CPU kernels (use kvType 'f32' on WebGPU)");
      if (c.kvDim % 2 !== 0) throw badArgument(`kvType 'f16' packs two values per word: kvDim must be even, got ${c.kvDim}`);
    }
    try {
      if (this.kvType === 'f16') {
        // Keys then values, two binary16 values per word.
        const half = per / 2;
        const words = own(kernels.allocI32(2 * c.nLayers * half));
        this.scratch = own(kernels.allocF32(causalAttentionF16ScratchLength(1, c.nHeads, c.headDim)));
        this.layers16 = Array.from({ length: c.nLayers }, (_, l) => ({
          keys: words.subarray(l * half, (l + 1) * half),
          values: words.subarray((c.nLayers + l) * half, (c.nLayers + l + 1) * half),
        }));
        this.shape = shape;
        this.k = kernels;
        return;
      }
      // One block per kind: fewer, larger allocations grow WASM memory once.
      const keys = own(kernels.allocF32(c.nLayers * per));
      const values = own(kernels.allocF32(c.nLayers * per));
      const pre = this.keepPreRope ? own(kernels.allocF32(c.nLayers * per)) : null;
      if (isCpuKernels(kernels)) {
        this.scratch = own(kernels.allocF32(causalAttentionScratchLength(1, c.nHeads)));
      } else {
        // selectiveAttentionHeads (GPU) attends over a token list: the identity 0..seqLen−1.
        this.idx = own(kernels.allocI32(c.seqLen));
        this.idx.write(Int32Array.from({ length: c.seqLen }, (_, t) => t));
        this.lse = own(kernels.allocF32(c.nHeads));
      }
      this.layers = Array.from({ length: c.nLayers }, (_, l) => ({
        keys: keys.subarray(l * per, (l + 1) * per),
        values: values.subarray(l * per, (l + 1) * per),
        keysPreRope: pre?.subarray(l * per, (l + 1) * per),
      }));
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.shape = shape;
    this.k = kernels;
  }

  /** Tokens stored (rows 0..length−1 of every layer are valid). */
  get length(): number {
    return this.stored;
  }

  /**
   * Layer l's storage (device arrays of the bound kernels; on CPU backends `view()` reads them
   * in place). Rows ≥ length are stale.
   */
  layer(l: number): DenseLayerStorage {
    const c = this.bound();
    checkInt('layer', l, 0, c.nLayers - 1);
    if (this.kvType === 'f16') throw new SparseInferenceError('UNAVAILABLE', "layer() views a float32 cache, but this one is binary16 (hostLayers16, or kvType: 'f32')");
    return this.layers[l];
  }

  /**
   * Every layer's storage as host views when the kernels are CPU ones (valid until the next
   * allocation on them), else null (GPU buffers, or a binary16 cache: see hostLayers16).
   */
  hostLayers(): HostLayerStorage[] | null {
    this.bound();
    if (this.kvType === 'f16') return null;
    const view = (a: DeviceArray<Float32Array>) => (hasView(a) ? a.view() : null);
    const out: HostLayerStorage[] = [];
    for (const s of this.layers) {
      const keys = view(s.keys), values = view(s.values);
      if (keys === null || values === null) return null;
      out.push({ keys, values, keysPreRope: s.keysPreRope ? view(s.keysPreRope) ?? undefined : undefined });
    }
    return out;
  }

  /**
   * kvType 'f16': every layer's binary16 words as host views (valid until the next allocation on
   * the kernels); null for a float32 cache.
   */
  hostLayers16(): HostLayerStorage16[] | null {
    this.bound();
    if (this.kvType !== 'f16') return null;
    const view = (a: DeviceArray<Int32Array>) => (a as DeviceArray<Int32Array> & { view(): Int32Array }).view();
    return this.layers16.map((s) => ({ keys: view(s.keys), values: view(s.values) }));
  }

  /** Layer l's storage as host views (see hostLayers), or null on GPU kernels. */
  hostLayer(l: number): HostLayerStorage | null {
    checkInt('layer', l, 0, this.bound().nLayers - 1);
    return this.hostLayers()?.[l] ?? null;
  }

  /** Bytes allocated: keys, values (and pre-RoPE keys), the attention scratch (CPU) or token index (GPU); 4 per float or word. */
  get residentBytes(): number {
    return 4 * this.owned.reduce((t, a) => t + a.length, 0);
  }

  /**
   * Record that rows 0..length−1 were written by the model directly (its fused and block paths
   * write `layer(l)` in place).
   */
  markStored(length: number): void {
    this.stored = checkInt('length', length, 0, this.bound().seqLen);
  }

  append(layer: number, pos: number, keyPreRope: F32Arg, keyPostRope: F32Arg, value: F32Arg): Awaitable<void> {
    const c = this.bound();
    checkInt('layer', layer, 0, c.nLayers - 1);
    // Layer 0 starts a token (at most one past the stored ones; earlier rewinds); the other
    // layers store the same token.
    if (layer === 0) checkInt('pos', pos, 0, Math.min(this.stored, c.seqLen - 1));
    else checkInt('pos', pos, this.stored - 1, this.stored - 1);
    for (const [what, a] of [['keyPreRope', keyPreRope], ['keyPostRope', keyPostRope], ['value', value]] as const) {
      checkLength(what, a, c.kvDim);
    }
    if (layer === 0) this.stored = pos + 1;
    const at = pos * c.kvDim;
    if (this.kvType === 'f16') {
      // Rounded once, after RoPE: the rows attention will read.
      const s16 = this.layers16[layer];
      this.k!.packF16(keyPostRope, s16.keys.subarray(at / 2, (at + c.kvDim) / 2), c.kvDim);
      this.k!.packF16(value, s16.values.subarray(at / 2, (at + c.kvDim) / 2), c.kvDim);
      return;
    }
    const s = this.layers[layer];
    copyInto(s.keys, keyPostRope, at);
    copyInto(s.values, value, at);
    if (s.keysPreRope) copyInto(s.keysPreRope, keyPreRope, at);
  }

  attend(layer: number, pos: number, qPreRope: F32Arg, qPostRope: F32Arg, out: F32Arg): Awaitable<void> {
    const c = this.bound();
    checkInt('layer', layer, 0, c.nLayers - 1);
    checkInt('pos', pos, 0, this.stored - 1);
    for (const [what, a] of [['qPreRope', qPreRope], ['qPostRope', qPostRope], ['out', out]] as const) checkLength(what, a, c.nHeads * c.headDim);
    const len = pos + 1;
    this.steps++;
    this.keysRead += len;
    const group = c.nHeads / c.nKvHeads, scale = 1 / Math.sqrt(c.headDim);
    if (this.kvType === 'f16') {
      const s16 = this.layers16[layer];
      return this.k!.causalAttentionF16(qPostRope, s16.keys, s16.values, pos, 1, c.headDim, c.kvDim, c.nHeads, group, scale, out, this.scratch!);
    }
    const s = this.layers[layer];
    if (this.scratch !== null) {
      return this.k!.causalAttention(qPostRope, s.keys, s.values, pos, 1, c.headDim, c.kvDim, c.nHeads, group, scale, out, this.scratch);
    }
    return this.k!.selectiveAttentionHeads(qPostRope, s.keys, s.values, this.idx!, len, len, c.headDim, c.kvDim,
      c.nHeads, group, scale, out, this.lse!);
  }

  reset(): void {
    this.stored = 0;
    this.steps = 0;
    this.keysRead = 0;
  }

  /** Attention calls and the mean number of keys each read (every cached token: the dense baseline). */
  stats(): ComponentStats {
    return { attendCalls: this.steps, meanKeysRead: this.steps === 0 ? 0 : this.keysRead / this.steps };
  }

  dispose(): void {
    for (const a of this.owned) a.dispose();
    this.owned = [];
    this.layers = [];
    this.layers16 = [];
    this.idx = this.lse = this.scratch = null;
    this.k = null;
  }

  [disposeSymbol](): void { this.dispose(); }

  private bound(): ModelShape {
    if (this.shape === null || this.k === null) throw badArgument('DenseKvCache is not bound to a model (or was disposed)');
    return this.shape;
  }
}

/** a must be a host or device float array of exactly n elements. */
function checkLength(what: string, a: F32Arg, n: number): void {
  if (!(a instanceof Float32Array) && !isDeviceArray(a)) throw badArgument(`${what} must be a Float32Array or a device array, got ${describe(a)}`);
  if (a.length !== n) throw badArgument(`${what} must have ${n} elements, got ${a.length}`);
}

/** dst[at …) ← src: a host write or a device copy. */
function copyInto(dst: DeviceArray<Float32Array>, src: F32Arg, at: number): void {
  if (src instanceof Float32Array) dst.write(src, at);
  else dst.copyFrom(src, at);
}
