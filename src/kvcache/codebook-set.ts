/**
 * All codebooks of a model: one per (layer, KV head), trained together under one WRoPE setting
 * (the distance b shapes the query metric, so it travels with the codebooks).
 */
import { badArgument } from '../core/errors.js';
import { checkInt, checkNumber, checkOneOf } from '../core/validate.js';
import { Codebook } from './codebook.js';
import { checkWRope, type WRopeConfig } from './wrope.js';

/** Query-aware (H from calibration queries, A²ATS) or plain (H = I) codebooks. */
export type CodebookKind = 'query-aware' | 'plain';

/** What a CodebookSet is for and how it was calibrated (stored in codebook files). */
export interface CodebookSetInfo {
  nLayers: number;
  nKvHeads: number;
  headDim: number;
  /** Centroids per codebook. */
  size: number;
  kind: CodebookKind;
  /** WRoPE setting the queries were rotated with during calibration. */
  wrope: WRopeConfig;
  /** Calibration keys per codebook and queries per metric (for the record). */
  calibrationTokens: number;
  calibrationQueries: number;
  /** How k-means ran (absent in files written before it was recorded). */
  kmeans?: KMeansRecord;
}

/** The k-means runs behind a set: the cap, the iterations they took and how many converged. */
export interface KMeansRecord {
  maxIterations: number;
  seed: number;
  /** Lloyd iterations over the set's codebooks: mean and largest. */
  iterationsMean: number;
  iterationsMax: number;
  /** Codebooks whose k-means met its tolerance before the cap. */
  converged: number;
}

/** One codebook per (layer, KV head), trained under one WRoPE setting. */
export class CodebookSet {
  readonly info: Readonly<CodebookSetInfo>;
  private readonly books: Codebook[];

  /**
   * @param books - nLayers*nKvHeads codebooks, index layer*nKvHeads + kvHead.
   * @example
   * const set = new CodebookSet(info, books);
   * set.get(3, 1).encode(kernels, keys, n, codes);
   */
  constructor(info: CodebookSetInfo, books: Codebook[]) {
    if (info === null || typeof info !== 'object') throw badArgument('info must be an object');
    checkInt('info.nLayers', info.nLayers, 1); checkInt('info.nKvHeads', info.nKvHeads, 1);
    checkInt('info.headDim', info.headDim, 1); checkInt('info.size', info.size, 1);
    checkOneOf('info.kind', info.kind, ['query-aware', 'plain'] as const);
    checkWRope(info.wrope, 'info.wrope');
    checkInt('info.calibrationTokens', info.calibrationTokens, 0);
    checkInt('info.calibrationQueries', info.calibrationQueries, 0);
    if (info.kmeans !== undefined) {
      const k = info.kmeans;
      if (k === null || typeof k !== 'object') throw badArgument('info.kmeans must be an object');
      checkInt('info.kmeans.maxIterations', k.maxIterations, 0); checkInt('info.kmeans.seed', k.seed, 0);
      checkNumber('info.kmeans.iterationsMean', k.iterationsMean, 0); checkInt('info.kmeans.iterationsMax', k.iterationsMax, 0);
      checkInt('info.kmeans.converged', k.converged, 0, info.nLayers * info.nKvHeads);
    }
    if (!Array.isArray(books) || books.length !== info.nLayers * info.nKvHeads) {
      throw badArgument(`books must hold nLayers*nKvHeads = ${info.nLayers * info.nKvHeads} codebooks`);
    }
    books.forEach((b, i) => {
      if (!(b instanceof Codebook)) throw badArgument(`books[${i}] must be a Codebook`);
      if (b.dim !== info.headDim || b.size !== info.size) {
        throw badArgument(`books[${i}] is ${b.size}x${b.dim}, expected ${info.size}x${info.headDim}`);
      }
      if (b.queryAware !== (info.kind === 'query-aware')) throw badArgument(`books[${i}] does not match kind '${info.kind}'`);
    });
    this.info = Object.freeze({ ...info, wrope: Object.freeze({ ...info.wrope }), ...(info.kmeans ? { kmeans: Object.freeze({ ...info.kmeans }) } : {}) });
    this.books = books.slice();
  }

  /** The codebook of one (layer, KV head). */
  get(layer: number, kvHead: number): Codebook {
    checkInt('layer', layer, 0, this.info.nLayers - 1);
    checkInt('kvHead', kvHead, 0, this.info.nKvHeads - 1);
    return this.books[layer * this.info.nKvHeads + kvHead];
  }
}
