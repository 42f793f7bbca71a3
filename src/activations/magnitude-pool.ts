/**
 * A pool of calibration magnitudes that answers k-sparsity thresholds (see order-statistic.ts):
 * 'exact' keeps every value and finds each order statistic by selection (expected O(n), no
 * sort; answers are cached per rank because TEAL's greedy allocation asks again and again),
 * 'sketch' keeps a bounded QuantileSketch.
 */
import { checkInt, checkNumber, checkOneOf, describe } from '../core/validate.js';
import { MAX_ELEMENTS } from '../core/limits.js';
import { QuantileSketch, type QuantileSketchOptions } from './quantile-sketch.js';
import { thresholdRank } from './order-statistic.js';
import { quantile } from '../core/stats/index.js';
import { badArgument } from '../core/errors.js';

export type QuantileMode = 'exact' | 'sketch';

export interface MagnitudePool {
  /** Values added. */
  readonly count: number;
  /** Bytes held. */
  readonly bytes: number;
  /** Add |v| for v in values[0..n). */
  addMagnitudes(values: ArrayLike<number>, n?: number): void;
  /** Add one value already ≥ 0. */
  add(v: number): void;
  /** The k-sparsity threshold: value of rank ⌈k·count⌉, or 0 when k = 0. */
  threshold(k: number): number;
}

/** Every value kept; Float32 storage is exact for magnitudes of float32 data, Float64 for derived values. */
/** values: an array of numbers with at least n of them (n an integer ≥ 0). */
function checkPoolValues(values: unknown, n: unknown): void {
  if (values === null || typeof values !== 'object' || typeof (values as ArrayLike<number>).length !== 'number') {
    throw badArgument(`values must be an array of numbers, got ${describe(values)}`);
  }
  checkInt('n', n, 0, (values as ArrayLike<number>).length);
}

export class ExactPool implements MagnitudePool {
  private buf: Float32Array | Float64Array;
  private n = 0;
  /** Selection reorders the buffer: after the first threshold() values() is no longer insertion order. */
  private reordered = false;
  private readonly cache = new Map<number, number>();

  constructor(private readonly precision: 'f32' | 'f64' = 'f32', initial = 1024) {
    checkOneOf('precision', precision, ['f32', 'f64'] as const);
    checkInt('initial', initial, 1, MAX_ELEMENTS);
    this.buf = precision === 'f32' ? new Float32Array(initial) : new Float64Array(initial);
  }

  get count(): number { return this.n; }
  get bytes(): number { return this.buf.byteLength; }

  /** The values in insertion order (rows × channels), until the first threshold() reorders them. */
  values(): Float32Array | Float64Array {
    if (this.reordered) throw badArgument('pool values were reordered by selection; read them before threshold()');
    return this.buf.subarray(0, this.n);
  }

  addMagnitudes(values: ArrayLike<number>, n = values?.length): void {
    checkPoolValues(values, n);
    this.reserve(n);
    for (let i = 0; i < n; i++) {
      const v = Math.abs(values[i]);
      if (!(v < Infinity)) { this.n -= i; throw badArgument(`values[${i}] must be a finite number, got ${String(values[i])}`); }
      this.buf[this.n++] = v;
    }
    this.cache.clear();
  }

  add(v: number): void {
    checkNumber('v', v, 0);
    this.reserve(1);
    this.buf[this.n++] = v;
    this.cache.clear();
  }

  threshold(k: number): number {
    if (this.n === 0) throw badArgument('cannot calibrate a threshold from zero values');
    const m = thresholdRank(this.n, k);
    if (m < 0) return 0;
    let t = this.cache.get(m);
    if (t === undefined) {
      // R type 1 returns x₍⌈np⌉₎ (1-based); p = (m + ½)/n makes that our 0-based rank m.
      t = quantile(this.buf.subarray(0, this.n), (m + 0.5) / this.n, { method: 'type1', overwrite: true });
      this.reordered = true;
      this.cache.set(m, t);
    }
    return t;
  }

  private reserve(extra: number): void {
    if (this.n + extra <= this.buf.length) return;
    const size = Math.max(this.n + extra, Math.ceil(this.buf.length * 1.5));
    const next = this.precision === 'f32' ? new Float32Array(size) : new Float64Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
}

/** Bounded memory: a QuantileSketch with relative value accuracy α. */
export class SketchPool implements MagnitudePool {
  readonly sketch: QuantileSketch;
  constructor(opts?: QuantileSketchOptions) { this.sketch = new QuantileSketch(opts); }
  get count(): number { return this.sketch.count; }
  get bytes(): number { return this.sketch.bytes; }
  addMagnitudes(values: ArrayLike<number>, n = values?.length): void {
    checkPoolValues(values, n);
    for (let i = 0; i < n; i++) this.sketch.add(Math.abs(values[i]));
  }
  add(v: number): void { this.sketch.add(v); }
  threshold(k: number): number {
    if (this.count === 0) throw badArgument('cannot calibrate a threshold from zero values');
    const m = thresholdRank(this.count, k);
    return m < 0 ? 0 : this.sketch.valueAtRank(m);
  }
}

export function createPool(mode: QuantileMode, sketch?: QuantileSketchOptions, precision: 'f32' | 'f64' = 'f32'): MagnitudePool {
  return mode === 'exact' ? new ExactPool(precision) : new SketchPool(sketch);
}
