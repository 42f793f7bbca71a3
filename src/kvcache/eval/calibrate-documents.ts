/**
 * Codebook calibration on long documents (A²ATS §3.2 on a real checkpoint, e.g. SmolLM2 on the
 * corpus's calibration split): each document is prefilled once with the dense cache, its pre-RoPE
 * keys are read back from the cache for every (layer, KV head), and the queries of its first
 * `queryTokens` positions are captured for the query-aware metric H (pooled over the GQA group).
 *
 * Why only the first positions' queries: a capture observes single tokens, so those positions run
 * token by token, while the rest of the document runs in blocks of PREFILL_BLOCK rows (about twice
 * as fast on CPU). H is a second moment of d×d entries (d = 64 for SmolLM2): a few thousand
 * queries per KV head estimate it well, and WRoPE rotates every query to the same distance b,
 * so the position a query comes from does not enter H.
 *
 * @example
 * const docs = texts.map((t) => tokenizer.encode(t).slice(0, 2048));
 * const { sets } = await calibrateOnDocuments(kernels, model, docs, wrope,
 *   { size: 512, iterations: 25, kinds: ['query-aware', 'plain'], queryTokens: 256 });
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import type { CpuKernels, Kernels } from '../../kernels/kernels.js';
import { badArgument, throwIfAborted } from '../../core/errors.js';
import { checkInt, checkNumber, checkOneOf } from '../../core/validate.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import type { LlamaModel } from '../../llama/model.js';
import { DenseKvCache } from '../../llama/dense-kv-cache.js';
import { checkLlamaModel } from '../../llama/check-llama-args.js';
import { KvCalibration } from '../calibration.js';
import type { CodebookSet } from '../codebook-set.js';
import { yieldToEventLoop } from '../cooperative.js';
import { checkWRope, type WRopeConfig } from '../wrope.js';

/** Codebook size, Lloyd iterations, seed and kinds, with progress and cancel. */
export interface CodebookTrainingOptions {
  /** Codebook size K_c (capped at the number of keys captured). */
  size: number;
  /** Lloyd iterations per codebook (at most: k-means stops earlier when it converges). */
  iterations: number;
  /** k-means seed (default 0). */
  seed?: number;
  kinds: ('query-aware' | 'plain')[];
  /** fraction in [0, 1] and what is being done ('capture 3/40', 'query-aware lloyd 2/25', …). */
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

/** CodebookTrainingOptions plus how much of each document is used. */
export interface DocumentCalibrationOptions extends CodebookTrainingOptions {
  /** Positions per document whose queries are captured (default 256; see the file header). */
  queryTokens?: number;
}

const DOCUMENT_CALIBRATION_KEYS = optionKeys<DocumentCalibrationOptions>({
  size: true, iterations: true, seed: true, kinds: true, queryTokens: true, onProgress: true, signal: true,
});

/** The trained sets, what they were trained on, and the time each stage took. */
export interface DocumentCalibrationResult {
  sets: { queryAware?: CodebookSet; plain?: CodebookSet };
  /** Keys per (layer, KV head) = tokens prefilled. */
  tokens: number;
  /** Query positions captured (each gives g queries per KV head). */
  queryPositions: number;
  seconds: { capture: number; train: number };
}

/** Checks size, iterations and kinds (shared by every calibration entry point). */
export function checkTrainingOptions(o: CodebookTrainingOptions): void {
  if (o === null || typeof o !== 'object') throw badArgument(`training options must be an object, got ${String(o)}`);
  checkInt('size', o.size, 1);
  checkInt('iterations', o.iterations, 0);
  if (o.seed !== undefined) checkInt('seed', o.seed, 0);
  if (!Array.isArray(o.kinds) || o.kinds.length === 0) throw badArgument(`kinds must be a non-empty array of 'query-aware' | 'plain', got ${String(o.kinds)}`);
  for (const kind of o.kinds) checkOneOf('kinds[]', kind, ['query-aware', 'plain'] as const);
}

/**
 * Train each kind of codebook set from what `cal` collected; progress runs from `from` to 1.
 * @example const sets = await trainCodebookKinds(kernels, cal, { size: 256, iterations: 25, kinds: ['plain'] }, 0.2);
 */
export async function trainCodebookKinds(kernels: Kernels, cal: KvCalibration, o: CodebookTrainingOptions,
  from: number): Promise<{ queryAware?: CodebookSet; plain?: CodebookSet }> {
  checkKernels('kernels', kernels);
  if (!(cal instanceof KvCalibration)) throw badArgument('cal must be the KvCalibration of a capture (captureDocuments)');
  checkTrainingOptions(o);
  checkNumber('from', from, 0, 1);
  const sets: { queryAware?: CodebookSet; plain?: CodebookSet } = {};
  const progress = o.onProgress ?? (() => {});
  for (let i = 0; i < o.kinds.length; i++) {
    const set = await cal.train(kernels, {
      size: Math.min(o.size, cal.keyCount(0, 0)), kind: o.kinds[i], maxIterations: o.iterations, seed: o.seed ?? 0, signal: o.signal,
      onProgress: (f, l) => progress(from + (1 - from) * (i + f) / o.kinds.length, `${o.kinds[i]} ${l}`),
    });
    if (o.kinds[i] === 'query-aware') sets.queryAware = set; else sets.plain = set;
  }
  return sets;
}

/** What `captureDocuments` collected: keys and queries per (layer, KV head), ready to train from. */
export interface DocumentCapture {
  calibration: KvCalibration;
  /** Keys per (layer, KV head) = tokens prefilled. */
  tokens: number;
  /** Query positions captured (each gives g queries per KV head). */
  queryPositions: number;
  /** Wall seconds of the capture. */
  seconds: number;
}

/**
 * Prefill each document (token ids, no more than the model's seqLen) with the dense cache and
 * collect its keys and its first positions' queries (see the file header). Training is separate,
 * so one capture can train codebooks for several k-means seeds (`trainCodebookKinds`).
 * Progress runs from 0 to `progressTo`.
 */
export async function captureDocuments(kernels: CpuKernels, model: LlamaModel, documents: readonly (readonly number[])[],
  wrope: WRopeConfig, options: { queryTokens?: number; onProgress?: (fraction: number, label: string) => void; signal?: AbortSignal },
  progressTo = 1): Promise<DocumentCapture> {
  checkKernels('kernels', kernels);
  checkLlamaModel('model', model);
  checkWRope(wrope);
  const queryTokens = checkInt('queryTokens', options.queryTokens ?? 256, 1);
  if (!Array.isArray(documents) || documents.length === 0) throw badArgument('documents must be a non-empty array of token-id arrays');
  const c = model.config, d = c.headDim;
  documents.forEach((ids, i) => {
    if (!Array.isArray(ids) || ids.length < 2) throw badArgument(`documents[${i}] must be an array of at least 2 token ids`);
    if (ids.length > c.seqLen) throw badArgument(`documents[${i}] has ${ids.length} tokens, more than the model's seqLen ${c.seqLen}`);
  });
  const progress = options.onProgress ?? (() => {});
  const signal = options.signal;
  const cal = new KvCalibration({ nLayers: c.nLayers, nKvHeads: c.nKvHeads, nHeads: c.nHeads, headDim: d, wrope });
  const t0 = performance.now();
  let tokens = 0, queryPositions = 0;
  const head = new Float32Array(c.seqLen * d);
  if (!(model.components.kv instanceof DenseKvCache)) await model.use({ kv: new DenseKvCache() });
  for (let s = 0; s < documents.length; s++) {
    throwIfAborted(signal, 'calibration');
    const ids = documents[s];
    const q = Math.min(queryTokens, ids.length);
    model.reset();
    model.setCapture((layer, kind, data) => { if (kind === 'qPreRope') cal.addQueries(layer, data, kernels); });
    try {
      await model.prefill(ids.slice(0, q), 0, { signal });
    } finally {
      model.setCapture(undefined);
    }
    if (q < ids.length) await model.prefill(ids.slice(q), q, { signal });
    for (let l = 0; l < c.nLayers; l++) {
      const keys = model.kvCache(l).keysPreRope;
      for (let h = 0; h < c.nKvHeads; h++) {
        for (let t = 0; t < ids.length; t++) head.set(keys.subarray(t * c.kvDim + h * d, t * c.kvDim + (h + 1) * d), t * d);
        cal.addKeys(l, h, head, ids.length);
      }
    }
    tokens += ids.length;
    queryPositions += q;
    progress(progressTo * (s + 1) / documents.length, `capture ${s + 1}/${documents.length}`);
    await yieldToEventLoop();
  }
  model.reset();
  return { calibration: cal, tokens, queryPositions, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Prefill each document with the dense cache, collect its keys and its first positions' queries,
 * and train codebooks (see the file header): `captureDocuments`, then `trainCodebookKinds`.
 */
export async function calibrateOnDocuments(kernels: CpuKernels, model: LlamaModel, documents: readonly (readonly number[])[],
  wrope: WRopeConfig, options: DocumentCalibrationOptions): Promise<DocumentCalibrationResult> {
  if (options === null || typeof options !== 'object') throw badArgument('calibrateOnDocuments options must give size, iterations and kinds');
  const o = checkOptions('calibrateOnDocuments options', options, DOCUMENT_CALIBRATION_KEYS);
  checkTrainingOptions(o);
  const capture = await captureDocuments(kernels, model, documents, wrope, o, 0.2);
  const t1 = performance.now();
  const sets = await trainCodebookKinds(kernels, capture.calibration, o, 0.2);
  return { sets, tokens: capture.tokens, queryPositions: capture.queryPositions, seconds: { capture: capture.seconds, train: (performance.now() - t1) / 1000 } };
}
