/**
 * A bounded-memory quantile sketch for non-negative values with relative value accuracy α:
 * the returned order statistic x̂ satisfies |x̂ − x| ≤ α·x for the exact one x (DDSketch;
 * Masson, Rim & Lee, "DDSketch: a fast and fully-mergeable quantile sketch with
 * relative-error guarantees", VLDB 2019). Values are counted in logarithmic buckets
 * (γ^(i−1), γ^i] with γ = (1+α)/(1−α); zeros are counted apart.
 *
 * Memory is at most `maxBuckets` counts: past that, the lowest buckets are merged into the lowest
 * kept one (their values then read as that bucket's), which only degrades quantiles that fall
 * in the merged, smallest-value range. With α = 0.005 and 4096
 * buckets that range starts 1e-17 below the largest value, far beyond what activations span.
 *
 * @example
 * const s = new QuantileSketch({ relativeAccuracy: 0.005 });
 * s.addMagnitudes(Float32Array.of(-3, 1, 2, 0.5));
 * s.valueAtRank(2); // ≈ 2, within 0.5 %
 */
import { badArgument } from '../core/errors.js';
import { checkInt, checkNumber } from '../core/validate.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface QuantileSketchOptions {
  /** α in (0, 0.5): relative accuracy of returned values (default 0.005). */
  relativeAccuracy?: number;
  /** Cap on stored buckets (default 4096): the memory bound. */
  maxBuckets?: number;
}

/** Every key of QuantileSketchOptions, for checkOptions. */
export const QUANTILE_SKETCH_KEYS = optionKeys<QuantileSketchOptions>({ relativeAccuracy: true, maxBuckets: true });

export class QuantileSketch {
  readonly relativeAccuracy: number;
  readonly maxBuckets: number;
  private readonly logGamma: number;
  private readonly gamma: number;
  private counts: Float64Array;
  /** Bucket index of counts[0]. */
  private offset = 0;
  /** Buckets in use: counts[0..used). */
  private used = 0;
  private zeros = 0;
  private n = 0;

  constructor(opts: QuantileSketchOptions = {}) {
    opts = checkOptions('QuantileSketch options', opts, QUANTILE_SKETCH_KEYS);
    this.relativeAccuracy = checkNumber('relativeAccuracy', opts.relativeAccuracy ?? 0.005, 0, 0.5,
      { minExclusive: true, maxExclusive: true });
    this.maxBuckets = checkInt('maxBuckets', opts.maxBuckets ?? 4096, 16, 1 << 24);
    this.gamma = (1 + this.relativeAccuracy) / (1 - this.relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
    this.counts = new Float64Array(Math.min(64, this.maxBuckets));
  }

  /** Values added so far. */
  get count(): number { return this.n; }

  /** Bytes held by the bucket array (the memory the bound is about). */
  get bytes(): number { return this.counts.byteLength; }

  /** Buckets in use (≤ maxBuckets). */
  get bucketCount(): number { return this.used; }

  /** Add one non-negative finite value. */
  add(v: number): void {
    if (typeof v !== 'number' || !(v >= 0) || v === Infinity) throw badArgument(`sketch values must be finite and ≥ 0, got ${String(v)}`);
    this.n++;
    if (v === 0) { this.zeros++; return; }
    this.bump(Math.ceil(Math.log(v) / this.logGamma));
  }

  /** Add |values[i]| for every element. */
  addMagnitudes(values: ArrayLike<number>): void {
    if (values === null || typeof values !== 'object' || typeof values.length !== 'number') throw badArgument(`values must be an array of numbers, got ${String(values)}`);
    for (let i = 0; i < values.length; i++) this.add(Math.abs(values[i]));
  }

  /**
   * Estimate of the value of rank m (0-based) among the values added: the representative
   * 2γ^i/(γ+1) of the bucket holding it (0 for zeros).
   */
  valueAtRank(m: number): number {
    checkInt('rank', m, 0, Math.max(0, this.n - 1));
    if (this.n === 0) throw badArgument('the sketch is empty');
    if (m < this.zeros) return 0;
    let cum = this.zeros;
    for (let j = 0; j < this.used; j++) {
      cum += this.counts[j];
      if (cum > m) return (2 * Math.pow(this.gamma, j + this.offset)) / (this.gamma + 1);
    }
    return (2 * Math.pow(this.gamma, this.used - 1 + this.offset)) / (this.gamma + 1);
  }

  /** Add everything another sketch with the same α has counted (sketches are mergeable). */
  merge(other: QuantileSketch): void {
    if (!(other instanceof QuantileSketch)) throw badArgument(`other must be a QuantileSketch, got ${String(other)}`);
    if (other.relativeAccuracy !== this.relativeAccuracy) throw badArgument('cannot merge sketches with different relativeAccuracy');
    this.n += other.n;
    this.zeros += other.zeros;
    for (let j = 0; j < other.used; j++) {
      const c = other.counts[j];
      if (c > 0) this.bump(j + other.offset, c);
    }
  }

  private bump(index: number, c = 1): void {
    if (this.used === 0) {
      this.offset = index;
      this.used = 1;
      this.counts[0] += c;
      return;
    }
    if (index < this.offset) {
      const grow = this.offset - index;
      if (this.used + grow > this.maxBuckets) {
        // Below the kept range: it belongs to the merged lowest bucket.
        this.counts[0] += c;
        return;
      }
      this.ensure(this.used + grow);
      this.counts.copyWithin(grow, 0, this.used);
      this.counts.fill(0, 0, grow);
      this.offset = index;
      this.used += grow;
    } else if (index >= this.offset + this.used) {
      // Keep at most maxBuckets: the lowest ones merge (only the smallest values lose accuracy).
      if (index - this.offset + 1 > this.maxBuckets) this.shiftLowTo(index - this.maxBuckets + 1);
      this.ensure(index - this.offset + 1);
      this.used = index - this.offset + 1;
    }
    this.counts[index - this.offset] += c;
  }

  /** Move the lowest kept bucket up to `newOffset`, merging every bucket at or below it into it. */
  private shiftLowTo(newOffset: number): void {
    const drop = newOffset - this.offset;
    let low = 0;
    for (let j = 0; j < Math.min(this.used, drop + 1); j++) low += this.counts[j];
    if (drop < this.used) {
      this.counts.copyWithin(0, drop, this.used);
      this.counts.fill(0, this.used - drop, this.used);
      this.used -= drop;
    } else {
      this.counts.fill(0, 0, this.used);
      this.used = 1;
    }
    this.counts[0] = low;
    this.offset = newOffset;
  }

  private ensure(size: number): void {
    if (size <= this.counts.length) return;
    const next = new Float64Array(Math.min(this.maxBuckets, Math.max(size, this.counts.length * 2)));
    next.set(this.counts.subarray(0, this.used));
    this.counts = next;
  }
}
