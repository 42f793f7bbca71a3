/**
 * A per-KV-head, contiguous K/V store for one layer: pre-RoPE keys (what A²ATS codes), post-RoPE
 * keys (what exact attention uses) and values, each capacity*headDim per KV head, resident in
 * the backend's memory so kernels read them without copies. Token t of KV head h is row t of
 * head h's block. Used by the evaluators and the slow tier.
 */
import { checkElements, MAX_CHANNELS } from '../core/limits.js';
import { checkKernels } from '../kernels/check-kernels.js';
import type { CpuKernels, ResidentArray, RopePairing } from '../kernels/kernels.js';
import { badArgument } from '../core/errors.js';
import { checkFinite, checkFloat32, checkInt, checkNumber, checkOneOf } from '../core/validate.js';
import { disposeSymbol } from '../core/dispose.js';

/** Shape of a KvStore: KV heads, head dimension, capacity and the RoPE that makes post-RoPE keys. */
export interface KvStoreShape {
  nKvHeads: number;
  headDim: number;
  /** Maximum tokens. */
  capacity: number;
  ropeBase: number;
  ropePairing: RopePairing;
}

/**
 * The arrays of one KV head. In a KvStore these are getters that re-derive the view on every
 * access, so they stay valid when the backend's memory grows; hold a local copy of an array
 * only across code that does not allocate.
 */
export interface HeadKeys {
  /** length*headDim (capacity rows available) pre-RoPE keys. */
  keysPre: Float32Array;
  /** post-RoPE keys (exact positions). */
  keysPost: Float32Array;
  values: Float32Array;
  length: number;
}

/** Per-KV-head contiguous pre-RoPE keys, post-RoPE keys and values of one layer (see the file header). */
export class KvStore {
  readonly shape: Readonly<KvStoreShape>;
  private readonly pre: ResidentArray<Float32Array>;
  private readonly post: ResidentArray<Float32Array>;
  private readonly vals: ResidentArray<Float32Array>;
  private len = 0;

  /** @example const store = new KvStore(kernels, { nKvHeads: 8, headDim: 128, capacity: 32768, ropeBase: 5e5, ropePairing: 'half' }); */
  constructor(readonly kernels: CpuKernels, shape: KvStoreShape) {
    checkKernels('kernels', kernels);
    if (shape === null || typeof shape !== 'object') throw badArgument('shape must be a KvStoreShape object');
    checkInt('nKvHeads', shape.nKvHeads, 1, MAX_CHANNELS); checkInt('headDim', shape.headDim, 2, MAX_CHANNELS);
    if (shape.headDim % 2) throw badArgument(`headDim must be even, got ${shape.headDim}`);
    checkInt('capacity', shape.capacity, 1);
    checkElements('nKvHeads*capacity*headDim', shape.nKvHeads, shape.capacity, shape.headDim);
    checkNumber('ropeBase', shape.ropeBase, 1, Infinity, { minExclusive: true });
    checkOneOf('ropePairing', shape.ropePairing, ['adjacent', 'half'] as const);
    this.shape = Object.freeze({ ...shape });
    const n = shape.nKvHeads * shape.capacity * shape.headDim;
    const got: ResidentArray<Float32Array>[] = [];
    try {
      for (let i = 0; i < 3; i++) got.push(kernels.allocF32(n));
    } catch (e) {
      for (const a of got) a.dispose();
      throw e;
    }
    [this.pre, this.post, this.vals] = got;
  }

  get length(): number {
    return this.len;
  }

  /** Forget all tokens. */
  clear(): void {
    this.len = 0;
  }

  /**
   * Append one token at position `length`: kPre and v are nKvHeads*headDim (head-major);
   * post-RoPE keys are computed here with kernels.rope.
   */
  append(kPre: Float32Array, v: Float32Array): void {
    const { nKvHeads, headDim, capacity } = this.shape;
    const w = nKvHeads * headDim;
    checkFloat32('kPre', kPre, w); checkFloat32('v', v, w);
    checkFinite('kPre', kPre, w); checkFinite('v', v, w);
    if (this.len >= capacity) throw badArgument(`KvStore is full (capacity ${capacity})`);
    this.appendOne(kPre, v);
  }

  /**
   * Append one token whose post-RoPE keys are already known (e.g. a model's own cache rows), so
   * the store holds bit-identical keys. kPre, kPost, v: nKvHeads*headDim each (head-major).
   */
  appendWithPost(kPre: Float32Array, kPost: Float32Array, v: Float32Array): void {
    const { nKvHeads, headDim: d, capacity } = this.shape;
    const w = nKvHeads * d;
    checkFloat32('kPre', kPre, w); checkFloat32('kPost', kPost, w); checkFloat32('v', v, w);
    checkFinite('kPre', kPre, w); checkFinite('kPost', kPost, w); checkFinite('v', v, w); // as append does
    if (this.len >= capacity) throw badArgument(`KvStore is full (capacity ${capacity})`);
    const cap = capacity * d;
    const pre = this.pre.view(), post = this.post.view(), vals = this.vals.view();
    for (let h = 0; h < nKvHeads; h++) {
      const at = h * cap + this.len * d;
      pre.set(kPre.subarray(h * d, (h + 1) * d), at);
      post.set(kPost.subarray(h * d, (h + 1) * d), at);
      vals.set(v.subarray(h * d, (h + 1) * d), at);
    }
    this.len++;
  }

  /**
   * Append `count` tokens from head-major blocks: kPre[h*stride + t*headDim ..] is token t of
   * KV head h (stride ≥ count*headDim). Used to load a whole sequence at once.
   */
  appendBlock(kPre: Float32Array, v: Float32Array, count: number, stride: number): void {
    const { nKvHeads, headDim, capacity } = this.shape;
    checkInt('count', count, 0); checkInt('stride', stride, count * headDim);
    checkFloat32('kPre', kPre, (nKvHeads - 1) * stride + count * headDim);
    checkFloat32('v', v, (nKvHeads - 1) * stride + count * headDim);
    if (this.len + count > capacity) throw badArgument(`KvStore capacity ${capacity} exceeded by ${this.len + count - capacity} tokens`);
    const { ropeBase, ropePairing } = this.shape;
    const cap = capacity * headDim;
    const pre = this.pre.view(), post = this.post.view(), vals = this.vals.view();
    for (let h = 0; h < nKvHeads; h++) {
      const src = kPre.subarray(h * stride, h * stride + count * headDim);
      checkFinite('kPre', src);
      const at = h * cap + this.len * headDim;
      pre.set(src, at);
      post.set(src, at);
      vals.set(v.subarray(h * stride, h * stride + count * headDim), at);
    }
    for (let t = 0; t < count; t++) {
      for (let h = 0; h < nKvHeads; h++) {
        const at = h * cap + (this.len + t) * headDim;
        this.kernels.rope(post.subarray(at, at + headDim), 1, headDim, this.len + t, ropeBase, ropePairing);
      }
    }
    this.len += count;
  }

  private appendOne(kPre: Float32Array, v: Float32Array): void {
    const { nKvHeads, headDim, capacity, ropeBase, ropePairing } = this.shape;
    const cap = capacity * headDim;
    const pre = this.pre.view(), post = this.post.view(), vals = this.vals.view();
    for (let h = 0; h < nKvHeads; h++) {
      const at = h * cap + this.len * headDim;
      const src = kPre.subarray(h * headDim, (h + 1) * headDim);
      pre.set(src, at);
      post.set(src, at);
      vals.set(v.subarray(h * headDim, (h + 1) * headDim), at);
      this.kernels.rope(post.subarray(at, at + headDim), 1, headDim, this.len, ropeBase, ropePairing);
    }
    this.len += 1;
  }

  /** Views of one KV head's arrays (capacity rows; the first `length` are valid). */
  head(kvHead: number): HeadKeys {
    const { headDim, capacity } = this.shape;
    checkInt('kvHead', kvHead, 0, this.shape.nKvHeads - 1);
    const a = kvHead * capacity * headDim, b = a + capacity * headDim;
    const { pre, post, vals } = this;
    const length = this.len;
    return {
      get keysPre() { return pre.view().subarray(a, b); },
      get keysPost() { return post.view().subarray(a, b); },
      get values() { return vals.view().subarray(a, b); },
      length,
    };
  }

  /** Release the resident memory. */
  dispose(): void {
    this.pre.dispose(); this.post.dispose(); this.vals.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}
