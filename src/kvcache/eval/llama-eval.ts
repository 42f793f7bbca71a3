/**
 * Evaluation on a real Llama checkpoint with each method as the model's KV cache, e.g.
 * stories260K (seq_len 512, head dim 8, 8 query / 4 KV heads, 5 layers):
 *
 *  1. Calibration: run the first `calibrationStories` stories with exact attention and capture
 *     every layer's pre-RoPE keys and queries (ActivationCapture); train query-aware and plain
 *     codebooks per (layer, KV head).
 *  2. Retrieval quality: on held-out stories, at every position and layer, each method selects
 *     tokens and is scored against exact attention on the real activations (the model itself
 *     runs exactly — probe mode).
 *  3. End-to-end: the mean NLL of the whole model with each method replacing attention in every
 *     layer, on the same held-out tokens (protocol of evaluateNll), and its increase over exact.
 *
 * Window, sinks and distance are scaled to the 512-token context (defaults w = 16, s = 4,
 * b = 64 instead of 64 / 8 / 2048 for 32K–128K; docs/kvcache.md#real-model).
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import type { CpuKernels } from '../../kernels/kernels.js';
import { throwIfAborted, badArgument } from '../../core/errors.js';
import { checkInt, checkOneOf } from '../../core/validate.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import type { LlamaModel } from '../../llama/model.js';
import type { Tokenizer } from '../../llama/tokenizer.js';
import { evaluateNll } from '../../llama/evaluate-nll.js';
import { splitStories, STORY_SEPARATOR } from '../../llama/split-stories.js';
import type { Budget } from '../budget.js';
import { KvCalibration } from '../calibration.js';
import type { CodebookSet } from '../codebook-set.js';
import { yieldToEventLoop } from '../cooperative.js';
import { RetrievalKvCache, type KvProbeInfo } from '../retrieval-kv-cache.js';
import { DenseKvCache } from '../../llama/dense-kv-cache.js';
import { ExactReference, stepMetrics } from '../metrics.js';
import type { PqCacheOptions } from '../methods/pqcache.js';
import type { WRopeConfig } from '../wrope.js';
import { RowAccumulator, type EvalRow } from './eval-row.js';
import { farEstimates } from './estimates.js';
import type { MethodName } from './methods.js';
import { checkTrainingOptions, trainCodebookKinds, type CodebookTrainingOptions } from './calibrate-documents.js';

/** Calibration, evaluation sizes, WRoPE/sinks, budgets and methods of a real-model evaluation. */
export interface LlamaEvalOptions {
  /** Stories used for calibration (the first ones of the text; default 40). */
  calibrationStories?: number;
  /** Held-out tokens (predicted) for metrics and NLL (default 3000). */
  evalTokens?: number;
  window?: number;
  sinks?: number;
  distance?: number;
  budgets?: number[];
  budgetMode?: 'total' | 'perHead';
  codebookSize?: number;
  kmeansIterations?: number;
  methods?: MethodName[];
  questPageSize?: number;
  pq?: PqCacheOptions;
  /** Reuse codebooks instead of calibrating. */
  codebooks?: { queryAware?: CodebookSet; plain?: CodebookSet };
  /** Skip the NLL runs (metrics only). */
  skipNll?: boolean;
  seed?: number;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

const EVAL_KEYS = optionKeys<LlamaEvalOptions>({
  calibrationStories: true, evalTokens: true, window: true, sinks: true, distance: true, budgets: true,
  budgetMode: true, codebookSize: true, kmeansIterations: true, methods: true, questPageSize: true, pq: true,
  codebooks: true, skipNll: true, seed: true, onProgress: true, signal: true,
});

/** Rows (with NLL), exact NLL, token counts, settings, codebooks and timings. */
export interface LlamaEvalResult {
  rows: EvalRow[];
  /** NLL of the exact model on the held-out tokens. */
  exactNll: number;
  evalTokens: number;
  calibrationTokens: number;
  wrope: WRopeConfig;
  sinks: number;
  codebooks: { queryAware?: CodebookSet; plain?: CodebookSet };
  seconds: { calibration: number; metrics: number; nll: number };
}

/** Codebook size, Lloyd iterations, seed and kinds of calibrateLlama, with progress and cancel. */
export type LlamaCalibrationOptions = CodebookTrainingOptions;

const CALIBRATION_KEYS = optionKeys<LlamaCalibrationOptions>({
  size: true, iterations: true, seed: true, kinds: true, onProgress: true, signal: true,
});

/**
 * Capture keys and queries of `stories` with exact attention and train codebooks.
 * @example const { sets } = await calibrateLlama(kernels, model, tok, stories, wrope, { size: 256, iterations: 25, kinds: ['query-aware'] });
 */
export async function calibrateLlama(kernels: CpuKernels, model: LlamaModel, tokenizer: Tokenizer, stories: string[],
  wrope: WRopeConfig, options: LlamaCalibrationOptions): Promise<{ sets: { queryAware?: CodebookSet; plain?: CodebookSet }; tokens: number }> {
  checkKernels('kernels', kernels);
  if (options === null || options === undefined) throw badArgument('calibrateLlama options must give size, iterations and kinds');
  const o = checkOptions('calibrateLlama options', options, CALIBRATION_KEYS);
  checkTrainingOptions(o);
  const progress = o.onProgress ?? (() => {});
  const signal = o.signal;
  const c = model.config, d = c.headDim;
  const cal = new KvCalibration({ nLayers: c.nLayers, nKvHeads: c.nKvHeads, nHeads: c.nHeads, headDim: d, wrope });
  let tokens = 0;
  model.setCapture((layer, kind, data) => {
    if (kind === 'kPreRope') for (let h = 0; h < c.nKvHeads; h++) cal.addKeys(layer, h, data.subarray(h * d, (h + 1) * d), 1);
    else if (kind === 'qPreRope') cal.addQueries(layer, data, kernels);
  });
  try {
    for (let s = 0; s < stories.length; s++) {
      throwIfAborted(signal, 'calibration');
      const ids = tokenizer.encode(stories[s], { bos: true }).slice(0, c.seqLen);
      model.reset();
      await model.prefill(ids, 0, { signal }); // abortable within a story
      tokens += ids.length;
      progress(0.2 * (s + 1) / stories.length, `capture ${s + 1}/${stories.length}`);
      await yieldToEventLoop();
    }
  } finally {
    model.setCapture(undefined);
  }
  const sets = await trainCodebookKinds(kernels, cal, o, 0.2);
  return { sets, tokens };
}

/**
 * Calibrate on the first stories, then retrieval metrics (probe mode) and whole-model NLL for
 * every method and budget on held-out stories (see the file header).
 * @example const res = await evaluateLlama(kernels, model, tok, text, { evalTokens: 3000 });
 */
export async function evaluateLlama(kernels: CpuKernels, model: LlamaModel, tokenizer: Tokenizer, text: string,
  options: LlamaEvalOptions = {}): Promise<LlamaEvalResult> {
  checkKernels('kernels', kernels);
  const o = checkOptions('evaluateLlama options', options, EVAL_KEYS);
  const c = model.config, d = c.headDim, g = c.nHeads / c.nKvHeads;
  const stories = splitStories(text);
  const nCal = checkInt('calibrationStories', o.calibrationStories ?? 40, 1, Math.max(1, stories.length - 1));
  if (stories.length < 2) throw badArgument('text must hold at least two stories (calibration and evaluation)');
  const evalTokens = checkInt('evalTokens', o.evalTokens ?? 3000, 1);
  const window = checkInt('window', o.window ?? 16, 0);
  const sinks = checkInt('sinks', o.sinks ?? 4, 0);
  const wrope: WRopeConfig = { window, distance: o.distance ?? 64, base: c.ropeBase, pairing: c.ropePairing };
  const budgets = o.budgets ?? [0.05, 0.1, 0.2];
  const mode = o.budgetMode ?? 'total';
  const names = o.methods ?? ['full', 'oracle', 'a2ats', 'vq-wrope', 'quest', 'pqcache'];
  const progress = o.onProgress ?? (() => {});
  const evalText = stories.slice(nCal).join(`\n${STORY_SEPARATOR}\n`);
  const t0 = performance.now();

  let codebooks = o.codebooks ?? {};
  let calibrationTokens = 0;
  const kinds: ('query-aware' | 'plain')[] = [];
  if ((names.includes('a2ats') || names.includes('a2ats-bands')) && !codebooks.queryAware) kinds.push('query-aware');
  if (names.includes('vq-wrope') && !codebooks.plain) kinds.push('plain');
  if (kinds.length) {
    const r = await calibrateLlama(kernels, model, tokenizer, stories.slice(0, nCal), wrope,
      { size: o.codebookSize ?? 256, iterations: o.kmeansIterations ?? 50, seed: o.seed, kinds, onProgress: (f, l) => progress(0.2 * f, l), signal: o.signal });
    codebooks = { ...codebooks, ...r.sets };
    calibrationTokens = r.tokens;
  }
  const t1 = performance.now();

  // Held-out token sequences, whole stories until evalTokens are predicted (as evaluateNll).
  const seqs: number[][] = [];
  let predicted = 0;
  for (const st of stories.slice(nCal)) {
    if (predicted >= evalTokens) break;
    const ids = tokenizer.encode(st, { bos: true }).slice(0, c.seqLen);
    if (ids.length < 2) continue;
    seqs.push(ids);
    predicted += ids.length - 1;
  }

  const cells: { name: MethodName; budget: number }[] = [];
  for (const nm of names) for (const b of nm === 'full' ? [1] : budgets) cells.push({ name: nm, budget: b });
  const rows: EvalRow[] = [];
  const exactRef = new ExactReference(kernels, d);
  // Each cell runs the model with a RetrievalKvCache of its method in place of the dense cache.
  const useCache = (cell: { name: MethodName; budget: number }, probe?: (i: KvProbeInfo) => Promise<void>) => {
    const budget: Budget = { mode, fraction: cell.budget };
    const kv = new RetrievalKvCache({
      method: cell.name, window, sinks, budget, distance: wrope.distance, codebooks,
      questPageSize: o.questPageSize ?? 8, pq: o.pq ?? { subspaces: 2, bits: 4 }, probe, signal: o.signal,
    });
    return model.use({ kv }).then(() => kv);
  };
  const restoreDense = () => model.use({ kv: new DenseKvCache() }); // disposes the cell's cache
  try {
    // 2. Metrics (probe mode: the model runs exactly).
    for (let ci = 0; ci < cells.length; ci++) {
      const cell = cells[ci];
      const acc = new RowAccumulator('', cell.budget, mode);
      let methodName = '';
      const kv = await useCache(cell, async (info) => {
        const m = info.selection.split.farEnd - info.selection.split.farStart;
        const est = await farEstimates(info.retrieval.method, info.retrieval, g, m);
        const n = info.pos + 1;
        for (let r = 0; r < g; r++) {
          const qh = info.qPost.subarray(r * d, (r + 1) * d);
          const exact = exactRef.compute(info.keys, qh, n);
          const approx = cell.name.startsWith('oracle') ? exact.logits.subarray(info.selection.split.farStart, info.selection.split.farEnd)
            : est ? est.subarray(r * m, (r + 1) * m) : null;
          acc.add(stepMetrics(exact, info.selection, info.out.subarray(r * d, (r + 1) * d), approx), n);
        }
        acc.addBytes(info.retrieval.method.indexBytes(n, m) + info.selection.count * 2 * d * 4, n * 2 * d * 4);
      });
      try {
        methodName = kv.method(0).name;
        for (const ids of seqs) {
          model.reset();
          for (let i = 0; i + 1 < ids.length; i++) {
            // A story is hundreds of forwards: yield inside it, so an abort timer can fire.
            await yieldToEventLoop();
            throwIfAborted(o.signal, 'evaluation');
            await model.forward(ids[i], i);
          }
        }
      } finally {
        await restoreDense();
      }
      const row = acc.row();
      row.method = methodName;
      // Bytes were added per KV head: a layer's step reads all of them.
      row.bytesPerStep *= c.nKvHeads;
      row.bytesFull *= c.nKvHeads;
      rows.push(row);
      progress(0.2 + 0.4 * (ci + 1) / cells.length, `metrics ${row.method} ρ=${cell.budget}`);
    }
    const t2 = performance.now();
    // 3. NLL with each method in place of attention.
    let exactNll = NaN;
    if (!o.skipNll) {
      model.reset();
      exactNll = (await evaluateNll(model, tokenizer, evalText, { maxTokens: evalTokens, signal: o.signal })).meanNll;
      for (let ci = 0; ci < cells.length; ci++) {
        await useCache(cells[ci]);
        try {
          const r = await evaluateNll(model, tokenizer, evalText, { maxTokens: evalTokens, signal: o.signal });
          rows[ci].nll = r.meanNll;
          rows[ci].nllIncrease = r.meanNll - exactNll;
        } finally {
          await restoreDense();
        }
        progress(0.6 + 0.4 * (ci + 1) / cells.length, `NLL ${rows[ci].method} ρ=${cells[ci].budget}`);
      }
    }
    const t3 = performance.now();
    return {
      rows, exactNll, evalTokens: predicted, calibrationTokens, wrope, sinks, codebooks,
      seconds: { calibration: (t1 - t0) / 1000, metrics: (t2 - t1) / 1000, nll: (t3 - t2) / 1000 },
    };
  } finally {
    exactRef.dispose();
  }
}
