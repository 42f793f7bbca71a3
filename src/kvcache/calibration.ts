/**
 * Offline calibration of A²ATS codebooks (§3.2): collect pre-RoPE keys and WRoPE-rotated queries
 * per (layer, KV head) — queries q̃ = q R(b) pooled over the g query heads of the group — then
 * train one codebook per (layer, KV head): query-aware (H from the queries) or plain (H = I).
 * Codebooks are trained on calibration sequences and used, frozen, on other inputs.
 *
 * @example
 * const cal = new KvCalibration({ nLayers: 1, nKvHeads: 8, nHeads: 32, headDim: 128, wrope });
 * cal.addKeys(0, h, keysPre, n);           // per KV head
 * cal.addQueries(0, qPre);                 // nHeads*headDim at one position
 * const set = await cal.train(kernels, { size: 4096, kind: 'query-aware' });
 */
import type { CpuKernels } from '../kernels/kernels.js';
import type { Kernels } from '../kernels/kernels.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { checkFinite, checkFloat32, checkInt, checkOneOf, describe } from '../core/validate.js';
import { Codebook } from './codebook.js';
import { CodebookSet, type CodebookKind } from './codebook-set.js';
import { KMEANS_MAX_ITERATIONS, type KMeansOptions } from './kmeans.js';
import { metricFactor, QueryMoment } from './query-metric.js';
import { trainCodebook } from './train-codebook.js';
import { checkWRope, type WRopeConfig } from './wrope.js';
import { checkOptions, optionKeys } from '../core/options.js';

/** Model shape and WRoPE setting of a calibration. */
export interface CalibrationShape {
  nLayers: number;
  nKvHeads: number;
  /** Query heads (a multiple of nKvHeads). */
  nHeads: number;
  headDim: number;
  /** Queries are rotated to wrope.distance with wrope.base / wrope.pairing. */
  wrope: WRopeConfig;
}

/** Codebook size and kind, key cap, and k-means options for KvCalibration.train. */
export interface CalibrationTrainOptions extends Omit<KMeansOptions, 'k' | 'onProgress' | 'signal'> {
  /** Centroids per codebook. */
  size: number;
  kind: CodebookKind;
  /** Use at most this many keys per codebook (a deterministic stride sample); default all. */
  maxKeys?: number;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

/** Every key of CalibrationTrainOptions, for checkOptions. */
export const CALIBRATION_TRAIN_KEYS = optionKeys<CalibrationTrainOptions>({ size: true, kind: true, maxKeys: true, maxIterations: true, tolerance: true, seed: true, init: true, miniBatch: true, onProgress: true, signal: true });

/** Collects calibration keys and query moments per (layer, KV head) and trains codebooks (see the file header). */
export class KvCalibration {
  readonly shape: Readonly<CalibrationShape>;
  private keys: Float32Array[];
  private counts: number[];
  private moments: QueryMoment[];
  private readonly qScratch: Float32Array;

  constructor(shape: CalibrationShape) {
    if (shape === null || typeof shape !== 'object') throw badArgument(`shape must be { nLayers, nKvHeads, nHeads, headDim, wrope }, got ${describe(shape)}`);
    checkInt('nLayers', shape.nLayers, 1); checkInt('nKvHeads', shape.nKvHeads, 1);
    checkInt('nHeads', shape.nHeads, 1); checkInt('headDim', shape.headDim, 2);
    if (shape.nHeads % shape.nKvHeads) throw badArgument(`nHeads (${shape.nHeads}) must be a multiple of nKvHeads (${shape.nKvHeads})`);
    checkWRope(shape.wrope);
    this.shape = Object.freeze({ ...shape, wrope: { ...shape.wrope } });
    const cells = shape.nLayers * shape.nKvHeads;
    this.keys = Array.from({ length: cells }, () => new Float32Array(0));
    this.counts = new Array(cells).fill(0);
    this.moments = Array.from({ length: cells }, () => new QueryMoment(shape.headDim));
    this.qScratch = new Float32Array(shape.nHeads * shape.headDim);
  }

  /** Keys collected for one (layer, KV head). */
  keyCount(layer: number, kvHead: number): number {
    return this.counts[this.cell(layer, kvHead)];
  }

  /** Queries collected (per KV head: positions × g). */
  queryCount(layer: number, kvHead: number): number {
    return this.moments[this.cell(layer, kvHead)].count;
  }

  /** Add `count` pre-RoPE keys (count*headDim) of one (layer, KV head). */
  addKeys(layer: number, kvHead: number, keysPre: Float32Array, count: number): void {
    const d = this.shape.headDim;
    const c = this.cell(layer, kvHead);
    checkInt('count', count, 0);
    checkFloat32('keysPre', keysPre, count * d);
    checkFinite('keysPre', keysPre, count * d);
    const need = (this.counts[c] + count) * d;
    if (this.keys[c].length < need) {
      const next = new Float32Array(Math.max(need, 2 * this.keys[c].length));
      next.set(this.keys[c].subarray(0, this.counts[c] * d));
      this.keys[c] = next;
    }
    this.keys[c].set(keysPre.subarray(0, count * d), this.counts[c] * d);
    this.counts[c] += count;
  }

  /**
   * Add the pre-RoPE queries of all nHeads heads at one position (nHeads*headDim); each is rotated
   * to the WRoPE distance b and added to its KV head's second moment.
   */
  addQueries(layer: number, qPre: Float32Array, kernels: CpuKernels): void {
    const { nHeads, nKvHeads, headDim: d, wrope } = this.shape;
    checkInt('layer', layer, 0, this.shape.nLayers - 1);
    checkFloat32('qPre', qPre, nHeads * d);
    const q = this.qScratch;
    q.set(qPre.subarray(0, nHeads * d));
    kernels.rope(q, nHeads, d, wrope.distance, wrope.base, wrope.pairing);
    const g = nHeads / nKvHeads;
    for (let kv = 0; kv < nKvHeads; kv++) this.moments[this.cell(layer, kv)].add(q.subarray(kv * g * d, (kv + 1) * g * d), g);
  }

  /** H = E[q̃ᵀq̃] of one (layer, KV head) (unscaled). */
  moment(layer: number, kvHead: number): Float64Array {
    return this.moments[this.cell(layer, kvHead)].moment();
  }

  /**
   * Train every codebook. `kernels` may be asynchronous (e.g. webgpu): each codebook's k-means
   * assignments then run there (see trainCodebook and kmeans for how results compare).
   */
  async train(kernels: Kernels, opts: CalibrationTrainOptions): Promise<CodebookSet> {
    const { nLayers, nKvHeads, headDim: d, wrope } = this.shape;
    if (opts === null || opts === undefined) throw badArgument('KvCalibration.train options must give size and kind');
    checkOptions('KvCalibration.train options', opts, CALIBRATION_TRAIN_KEYS);
    const kind = checkOneOf('kind', opts.kind, ['query-aware', 'plain'] as const);
    checkInt('size', opts.size, 1);
    const maxKeys = opts.maxKeys === undefined ? Infinity : checkInt('maxKeys', opts.maxKeys, 1);
    const { size, kind: _k, maxKeys: _m, onProgress, signal, ...kopts } = opts;
    const books: Codebook[] = [];
    let minKeys = Infinity, minQueries = Infinity;
    let iterationsSum = 0, iterationsMax = 0, converged = 0;
    const cells = nLayers * nKvHeads;
    for (let c = 0; c < cells; c++) {
      throwIfAborted(signal, 'calibration');
      const n0 = this.counts[c];
      if (n0 < size) throw badArgument(`layer ${Math.floor(c / nKvHeads)} KV head ${c % nKvHeads} has ${n0} calibration keys, fewer than size = ${size}`);
      const { keys, n } = strideSample(this.keys[c], n0, d, maxKeys);
      minKeys = Math.min(minKeys, n);
      let factor: Float64Array | null = null;
      if (kind === 'query-aware') {
        minQueries = Math.min(minQueries, this.moments[c].count);
        factor = metricFactor(this.moments[c].moment(), d).L;
      }
      const { codebook, kmeans } = await trainCodebook(kernels, keys, n, d, {
        ...kopts, size, factor, signal,
        onProgress: (f, label) => onProgress?.((c + f) / cells, `layer ${Math.floor(c / nKvHeads)} kv ${c % nKvHeads}: ${label}`),
      });
      books.push(codebook);
      iterationsSum += kmeans.iterations;
      iterationsMax = Math.max(iterationsMax, kmeans.iterations);
      if (kmeans.converged) converged++;
    }
    return new CodebookSet({
      nLayers, nKvHeads, headDim: d, size, kind, wrope: { ...wrope },
      calibrationTokens: minKeys === Infinity ? 0 : minKeys,
      calibrationQueries: kind === 'query-aware' ? minQueries : 0,
      kmeans: { maxIterations: kopts.maxIterations ?? KMEANS_MAX_ITERATIONS, seed: kopts.seed ?? 0, iterationsMean: iterationsSum / cells, iterationsMax, converged },
    }, books);
  }

  private cell(layer: number, kvHead: number): number {
    checkInt('layer', layer, 0, this.shape.nLayers - 1);
    checkInt('kvHead', kvHead, 0, this.shape.nKvHeads - 1);
    return layer * this.shape.nKvHeads + kvHead;
  }
}

/** At most `max` rows, evenly strided (deterministic). */
function strideSample(keys: Float32Array, n: number, d: number, max: number): { keys: Float32Array; n: number } {
  if (n <= max) return { keys: keys.subarray(0, n * d), n };
  const out = new Float32Array(max * d);
  for (let i = 0; i < max; i++) {
    const src = Math.floor((i * n) / max);
    out.set(keys.subarray(src * d, (src + 1) * d), i * d);
  }
  return { keys: out, n: max };
}
