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
 * `selectiveAttentionHeads` call over the token list 0..pos (a resident identity index). Pre-RoPE
 * keys are kept only when asked (`keepPreRope`), for code that reads them back (`layer`).
 *
 * The model reads `layer(l)` directly on its fast paths (the fused decoder layer, the block
 * prefill), which compute the same arithmetic as append + attend.
 *
 * @example
 * const kv = new DenseKvCache();
 * await model.use({ kv });
 */
import type { Awaitable } from '../core/awaitable.js';
import { badArgument } from '../core/errors.js';
import { checkInt, describe } from '../core/validate.js';
import { disposeSymbol } from '../core/dispose.js';
import { isDeviceArray, type DeviceArray, type F32Arg } from '../kernels/device-array.js';
import { hasView } from './host-view.js';
import type { ComponentStats, KvCache, ModelShape } from './components.js';
import type { Kernels } from '../kernels/kernels.js';
import { checkBindArgs } from './check-component-args.js';

export interface DenseKvCacheOptions {
  /** Also store pre-RoPE keys (a third more memory), readable through `layer(l).keysPreRope`. */
  keepPreRope?: boolean;
}

/** One layer's storage: seqLen × kvDim rows each (rows ≥ length are stale). */
export interface DenseLayerStorage {
  keys: DeviceArray<Float32Array>;
  values: DeviceArray<Float32Array>;
  /** Present when the cache keeps pre-RoPE keys. */
  keysPreRope?: DeviceArray<Float32Array>;
}

/** One layer's storage as host views (CPU kernels). */
export interface HostLayerStorage {
  keys: Float32Array;
  values: Float32Array;
  keysPreRope?: Float32Array;
}

export class DenseKvCache implements KvCache {
  readonly name = 'dense';
  /** append and attend issue their kernel calls at once (copies and one attention call). */
  readonly issuesBeforeReturn = true;
  readonly keepPreRope: boolean;
  private shape: ModelShape | null = null;
  private k: Kernels | null = null;
  private owned: DeviceArray<Float32Array | Int32Array>[] = [];
  private layers: DenseLayerStorage[] = [];
  private idx: DeviceArray<Int32Array> | null = null;
  private lse: DeviceArray<Float32Array> | null = null;
  private stored = 0;
  private steps = 0;
  private keysRead = 0;

  constructor(opts: DenseKvCacheOptions = {}) {
    if (opts === null || typeof opts !== 'object') throw badArgument(`DenseKvCache options must be an object, got ${describe(opts)}`);
    if (opts.keepPreRope !== undefined && typeof opts.keepPreRope !== 'boolean') {
      throw badArgument(`keepPreRope must be a boolean, got ${describe(opts.keepPreRope)}`);
    }
    this.keepPreRope = opts.keepPreRope ?? false;
  }

  bind(shape: ModelShape, kernels: Kernels): void {
    if (this.shape !== null) throw badArgument('DenseKvCache is already bound to a model');
    checkBindArgs(shape, kernels);
    const c = shape;
    const per = c.seqLen * c.kvDim;
    const own = <T extends DeviceArray<Float32Array | Int32Array>>(a: T): T => { this.owned.push(a); return a; };
    try {
      // One block per kind: fewer, larger allocations grow WASM memory once.
      const keys = own(kernels.allocF32(c.nLayers * per));
      const values = own(kernels.allocF32(c.nLayers * per));
      const pre = this.keepPreRope ? own(kernels.allocF32(c.nLayers * per)) : null;
      this.idx = own(kernels.allocI32(c.seqLen));
      this.idx.write(Int32Array.from({ length: c.seqLen }, (_, t) => t));
      this.lse = own(kernels.allocF32(c.nHeads));
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
    return this.layers[l];
  }

  /**
   * Every layer's storage as host views when the kernels are CPU ones (valid until the next
   * allocation on them), else null (GPU buffers).
   */
  hostLayers(): HostLayerStorage[] | null {
    this.bound();
    const view = (a: DeviceArray<Float32Array>) => (hasView(a) ? a.view() : null);
    const out: HostLayerStorage[] = [];
    for (const s of this.layers) {
      const keys = view(s.keys), values = view(s.values);
      if (keys === null || values === null) return null;
      out.push({ keys, values, keysPreRope: s.keysPreRope ? view(s.keysPreRope) ?? undefined : undefined });
    }
    return out;
  }

  /** Layer l's storage as host views (see hostLayers), or null on GPU kernels. */
  hostLayer(l: number): HostLayerStorage | null {
    checkInt('layer', l, 0, this.bound().nLayers - 1);
    return this.hostLayers()?.[l] ?? null;
  }

  /** Bytes allocated: keys, values (and pre-RoPE keys), the token index and the lse scratch. */
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
    const s = this.layers[layer];
    const at = pos * c.kvDim;
    copyInto(s.keys, keyPostRope, at);
    copyInto(s.values, value, at);
    if (s.keysPreRope) copyInto(s.keysPreRope, keyPreRope, at);
  }

  attend(layer: number, pos: number, qPreRope: F32Arg, qPostRope: F32Arg, out: F32Arg): Awaitable<void> {
    const c = this.bound();
    checkInt('layer', layer, 0, c.nLayers - 1);
    checkInt('pos', pos, 0, this.stored - 1);
    for (const [what, a] of [['qPreRope', qPreRope], ['qPostRope', qPostRope], ['out', out]] as const) checkLength(what, a, c.nHeads * c.headDim);
    const s = this.layers[layer];
    const len = pos + 1;
    this.steps++;
    this.keysRead += len;
    return this.k!.selectiveAttentionHeads(qPostRope, s.keys, s.values, this.idx!, len, len, c.headDim, c.kvDim,
      c.nHeads, c.nHeads / c.nKvHeads, 1 / Math.sqrt(c.headDim), out, this.lse!);
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
    this.idx = this.lse = null;
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
