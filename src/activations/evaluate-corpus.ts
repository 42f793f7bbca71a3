/**
 * Activation sparsity on a real model and a real corpus, with intervals over documents: the
 * thresholds are calibrated on the corpus's calibration documents (corpusCalibrationSequences,
 * one calibration per seed), and every method is scored on evaluation documents the
 * calibration never saw.
 *
 * Per calibration seed, target sparsity k and method (CATS, CHESS w/o, CHESS w/, TEAL):
 *   - the mean NLL of each evaluation document's first `documentTokens` tokens (one prefill per
 *     document, from position 0), paired with the dense model's NLL of the same tokens;
 *   - ΔNLL = mean over documents of (method − dense), averaged over seeds per document, with a
 *     percentile bootstrap interval over documents (bootstrapPairedDifference); the perplexity
 *     ratio PPL_method / PPL_dense = exp(ΔNLL) and its interval are that interval mapped by exp
 *     (every document contributes the same number of tokens, so the mean of the documents'
 *     means is the token mean);
 *   - what the method achieved on those tokens (gate and input sparsity, weights streamed).
 * Method-vs-method differences (compareMethods) are paired by document the same way.
 * Optionally, a LAMBADA-style last-word task (buildLastWordTasks on the evaluation documents)
 * at one k: accuracy per method with a bootstrap interval over tasks, and its paired difference
 * from dense.
 *
 * @example
 * const r = await evaluateCorpusSparsity(model, tokenizer, { calibration, evaluation }, { documentTokens: 1024 });
 * r.rows.find((x) => x.method === 'CHESS w/' && x.k === 0.5)!.deltaNll;  // { estimate, lower, upper, ... }
 */
import type { LlamaModel } from '../llama/model.js';
import type { TextTokenizer } from '../llama/text-tokenizer.js';
import { checkLlamaModel, checkTextTokenizer } from '../llama/check-llama-args.js';
import { sequenceNll } from '../llama/sequence-nll.js';
import { buildLastWordTasks, type LastWordTask } from '../llama/eval/last-word-task.js';
import { answerLastWord } from '../llama/eval/answer-last-word.js';
import { bootstrapMean, bootstrapPairedDifference, type BootstrapInterval } from '../core/stats/bootstrap.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { checkInt, checkNumber, describe } from '../core/validate.js';
import { calibrateOnSequences } from './calibrate-model.js';
import { corpusCalibrationSequences, type CalibrationDocument } from './corpus-calibration.js';
import type { ActivationStatistics } from './activation-statistics.js';
import type { QuantileMode } from './magnitude-pool.js';
import { catsThresholds } from './cats-thresholds.js';
import { chessThresholds } from './chess-thresholds.js';
import { tealThresholds } from './teal-thresholds.js';
import { tealBlockGreedyAllocation } from './teal-block-greedy.js';
import { installActivationSparsity, type SparsityInstallation } from './install-sparsity.js';
import type { ActivationThresholds, ProjectionInput } from './thresholds.js';
import { compareMethods, type MethodComparison } from './compare-methods.js';

/** A method of the comparison: its thresholds from one calibration, and whether attention is sparse too. */
export interface CorpusMethod { name: string; thresholds: (s: ActivationStatistics, k: number, model: string) => ActivationThresholds; attention: boolean }

/** The methods compared, in table order (TEAL greedy follows when asked for). */
export const CORPUS_METHODS: readonly CorpusMethod[] = [
  { name: 'CATS', thresholds: (s, k, model) => catsThresholds(s, k, { model }), attention: false },
  { name: 'CHESS w/o', thresholds: (s, k, model) => chessThresholds(s, k, { model }), attention: false },
  { name: 'CHESS w/', thresholds: (s, k, model) => chessThresholds(s, k, { model }), attention: true },
  { name: 'TEAL', thresholds: (s, k, model) => tealThresholds(s, k, { model }), attention: false },
];

export interface EvaluationDocument {
  id: string;
  text: string;
}

export interface CorpusEvalOptions {
  /** Target sparsities (default [0.3, 0.5, 0.7]). */
  sparsities?: number[];
  /** Calibration seeds (default [0]): each draws its own calibration segments. */
  seeds?: number[];
  /** Calibration tokens per seed (default 80,000: the paper's 64K of text + 16K of UUIDs). */
  calibrationTokens?: number;
  /** Share of calibration tokens from UUID documents (default 0.2). */
  uuidShare?: number;
  /** Tokens of each evaluation document, from its start (default: the whole document, up to the context). */
  documentTokens?: number;
  /** Quantile mode of the calibration (default 'sketch': exact pools of a 30-layer model need GBs). */
  quantile?: QuantileMode;
  /** Last-word tasks (default 0: none), the sparsity they run at (default 0.5) and their longest passage in tokens (default 512). */
  lastWordTasks?: number;
  lastWordSparsity?: number;
  lastWordContextTokens?: number;
  /**
   * Calibration tokens per seed given to TEAL's block-wise greedy allocation (the authors'
   * protocol, tealBlockGreedyAllocation): the first of the seed's calibration segments, the last
   * one cut to fit. Absent or 0: no "TEAL greedy" row. Every k must then be > 0.
   */
  greedyTokens?: number;
  /** The greedy's base step (default 0.05, the authors'). */
  greedyBaseStep?: number;
  /** Seeds the bootstrap and the choice of last-word tasks (default 0). */
  seed?: number;
  modelName?: string;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

export const CORPUS_EVAL_KEYS = optionKeys<CorpusEvalOptions>({
  sparsities: true, seeds: true, calibrationTokens: true, uuidShare: true, documentTokens: true, quantile: true,
  lastWordTasks: true, lastWordSparsity: true, lastWordContextTokens: true, greedyTokens: true, greedyBaseStep: true,
  seed: true, modelName: true, onProgress: true, signal: true,
});

/** The name of the row with TEAL's block-wise greedy allocation. */
export const TEAL_GREEDY = 'TEAL greedy';

export interface CorpusEvalRow {
  method: string;
  k: number;
  /** Mean over documents (and seeds) of the documents' mean NLL. */
  meanNll: number;
  /** Method − dense, paired by document; interval over documents. */
  deltaNll: BootstrapInterval;
  /** PPL_method / PPL_dense = exp(ΔNLL), with the interval mapped by exp. */
  pplRatio: { estimate: number; lower: number; upper: number };
  /** ΔNLL estimate of each calibration seed alone. */
  perSeed: { seed: number; deltaNll: number; gateSparsity: number }[];
  /** Per document, averaged over seeds (same order as documents). */
  perDocumentNll: number[];
  gateSparsity: number;
  channelSparsityMin: number;
  channelSparsityMax: number;
  inputSparsity: Partial<Record<ProjectionInput, number>>;
  weightsStreamed: number;
  seconds: number;
}

export interface LastWordRow {
  method: string;
  /** Accuracy (share of tasks answered), interval over tasks. */
  accuracy: BootstrapInterval;
  /** Method − dense accuracy, paired by task (absent for dense). */
  difference?: BootstrapInterval;
  correct: boolean[];
}

export interface CorpusEvalResult {
  documents: string[];
  /** Tokens of each document that were run (predictions: one fewer). */
  documentTokens: number[];
  calibrationTokens: number;
  seeds: number[];
  dense: { meanNll: number; perplexity: number; perDocumentNll: number[]; seconds: number };
  rows: CorpusEvalRow[];
  /** Method-vs-method ΔNLL with intervals over documents (compareMethods). */
  comparisons: MethodComparison[];
  lastWord?: { k: number; tasks: { documentId: string; target: string; promptTokens: number }[]; rows: LastWordRow[] };
}

export async function evaluateCorpusSparsity(model: LlamaModel, tokenizer: TextTokenizer,
  corpus: { calibration: readonly CalibrationDocument[]; evaluation: readonly EvaluationDocument[] },
  options: CorpusEvalOptions = {}): Promise<CorpusEvalResult> {
  checkLlamaModel('model', model);
  checkTextTokenizer('tokenizer', tokenizer);
  if (tokenizer.vocabSize !== model.config.vocabSize) throw badArgument(`tokenizer has ${tokenizer.vocabSize} tokens, the model ${model.config.vocabSize}`);
  if (corpus === null || typeof corpus !== 'object') throw badArgument(`corpus must be { calibration, evaluation }, got ${describe(corpus)}`);
  const evaluation = corpus.evaluation;
  if (!Array.isArray(evaluation) || evaluation.length < 2) throw badArgument('corpus.evaluation must hold at least two documents (intervals are over documents)');
  evaluation.forEach((d, i) => {
    if (d === null || typeof d !== 'object' || typeof d.id !== 'string' || typeof d.text !== 'string') throw badArgument(`corpus.evaluation[${i}] must be { id, text }, got ${describe(d)}`);
  });
  const o = checkOptions('evaluateCorpusSparsity options', options, CORPUS_EVAL_KEYS);
  const ks = (o.sparsities ?? [0.3, 0.5, 0.7]).map((k, i) => checkNumber(`options.sparsities[${i}]`, k, 0, 1, { maxExclusive: true }));
  const seeds = (o.seeds ?? [0]).map((s, i) => checkInt(`options.seeds[${i}]`, s, 0));
  if (ks.length === 0 || seeds.length === 0) throw badArgument('options.sparsities and options.seeds must not be empty');
  const calibrationTokens = checkInt('options.calibrationTokens', o.calibrationTokens ?? 80_000, 1);
  const docTokens = checkInt('options.documentTokens', o.documentTokens ?? model.config.seqLen, 2, model.config.seqLen);
  const lastWordTasks = checkInt('options.lastWordTasks', o.lastWordTasks ?? 0, 0);
  const lastWordK = checkNumber('options.lastWordSparsity', o.lastWordSparsity ?? 0.5, 0, 1, { maxExclusive: true });
  const lastWordContext = lastWordTasks === 0 ? 0
    : checkInt('options.lastWordContextTokens', o.lastWordContextTokens ?? Math.min(512, model.config.seqLen - 16), 2, model.config.seqLen - 16);
  const greedyTokens = checkInt('options.greedyTokens', o.greedyTokens ?? 0, 0);
  if (greedyTokens > 0 && ks.includes(0)) throw badArgument('options.sparsities must all be > 0 with options.greedyTokens (the greedy targets them)');
  const seed = checkInt('options.seed', o.seed ?? 0, 0);
  const name = o.modelName ?? 'model';
  const progress = o.onProgress ?? (() => {});

  const docIds = await Promise.all(evaluation.map(async (d) => (await tokenizer.encodeAsync(d.text, { bos: tokenizer.addBos, signal: o.signal })).slice(0, docTokens)));
  docIds.forEach((ids, i) => { if (ids.length < 2) throw badArgument(`corpus.evaluation[${i}] (${evaluation[i].id}) has fewer than 2 tokens`); });
  const tasks = lastWordTasks > 0
    ? buildLastWordTasks(tokenizer, evaluation.map((d) => d.text),
      {
        count: lastWordTasks, seed, maxPerDocument: Math.ceil(lastWordTasks / evaluation.length),
        minContextTokens: Math.min(128, lastWordContext >> 1), maxContextTokens: lastWordContext,
      })
    : [];

  // Progress in units of one configuration's pass over the documents.
  const lastWordMethods = tasks.length > 0 ? 1 + CORPUS_METHODS.length : 0;
  const methodCount = CORPUS_METHODS.length + (greedyTokens > 0 ? 1 : 0);
  const units = 1 + seeds.length * (1 + (greedyTokens > 0 ? 1 : 0) + ks.length * methodCount) + lastWordMethods;
  let done = 0;
  const stepProgress = (label: string) => (f: number) => progress(Math.min(1, (done + Math.min(1, f)) / units), label);

  const documentNlls = async (label: string) => {
    const report = stepProgress(label);
    const t0 = performance.now();
    const out: number[] = [];
    for (let i = 0; i < docIds.length; i++) {
      throwIfAborted(o.signal, 'corpus evaluation');
      const r = await sequenceNll(model, docIds[i], { signal: o.signal });
      out.push(r.nllSum / r.tokens);
      report((i + 1) / docIds.length);
    }
    done++;
    return { nll: out, seconds: (performance.now() - t0) / 1000 };
  };
  const withSparsity = async <T>(th: ActivationThresholds, attention: boolean, body: (inst: SparsityInstallation) => Promise<T>) => {
    const inst = await installActivationSparsity(model, th, { attention });
    try { return await body(inst); } finally { await inst.dispose(); }
  };

  const dense = await documentNlls('dense');
  const mean = (x: readonly number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  type Acc = { nll: number[][]; perSeed: CorpusEvalRow['perSeed']; summaries: ReturnType<SparsityInstallation['counters']['summary']>[]; seconds: number };
  const acc = new Map<string, Acc>();
  const statsBySeed = new Map<number, ActivationStatistics>();
  let calibrated = 0;
  for (const s of seeds) {
    throwIfAborted(o.signal, 'corpus evaluation');
    const seqs = corpusCalibrationSequences(tokenizer, corpus.calibration, { tokens: calibrationTokens, seed: s, uuidShare: o.uuidShare, segmentTokens: Math.min(512, model.config.seqLen) });
    const stats = await calibrateOnSequences(model, seqs, {
      chess: true, quantile: o.quantile ?? 'sketch', signal: o.signal, onProgress: stepProgress(`calibrating (seed ${s})`),
    });
    done++;
    calibrated = stats.tokens;
    statsBySeed.set(s, stats);
    const methods: CorpusMethod[] = [...CORPUS_METHODS];
    if (greedyTokens > 0) {
      const greedy = await tealBlockGreedyAllocation(model.syncKernels('TEAL block greedy'), model, firstTokens(seqs, greedyTokens), stats,
        { targets: ks, baseStep: o.greedyBaseStep, signal: o.signal, onProgress: stepProgress(`TEAL block greedy (seed ${s})`) });
      done++;
      methods.push({ name: TEAL_GREEDY, attention: false, thresholds: (st, k, model) => tealThresholds(st, k, { model, sparsities: greedy.sparsities[ks.indexOf(k)] }) });
    }
    for (const k of ks) {
      for (const m of methods) {
        await withSparsity(m.thresholds(stats, k, name), m.attention, async (inst) => {
          const r = await documentNlls(`${m.name} k=${k} seed ${s}`);
          const summary = inst.counters.summary();
          const a = acc.get(`${m.name}|${k}`) ?? { nll: [], perSeed: [], summaries: [], seconds: 0 };
          a.nll.push(r.nll);
          a.perSeed.push({ seed: s, deltaNll: mean(r.nll) - mean(dense.nll), gateSparsity: summary.gateSparsity });
          a.summaries.push(summary);
          a.seconds += r.seconds;
          acc.set(`${m.name}|${k}`, a);
        });
      }
    }
  }

  const rows: CorpusEvalRow[] = [];
  const rowMethods = [...CORPUS_METHODS.map((m) => m.name), ...(greedyTokens > 0 ? [TEAL_GREEDY] : [])];
  for (const k of ks) {
    for (const method of rowMethods) {
      const a = acc.get(`${method}|${k}`)!;
      const perDocumentNll = dense.nll.map((_, d) => mean(a.nll.map((seedNll) => seedNll[d])));
      const deltaNll = bootstrapPairedDifference(perDocumentNll, dense.nll, { seed });
      const avg = (f: (x: Acc['summaries'][number]) => number) => mean(a.summaries.map(f));
      const inputSparsity: Partial<Record<ProjectionInput, number>> = {};
      for (const p of Object.keys(a.summaries[0].inputSparsity) as ProjectionInput[]) inputSparsity[p] = avg((x) => x.inputSparsity[p]!);
      rows.push({
        method, k, meanNll: mean(perDocumentNll), deltaNll,
        pplRatio: { estimate: Math.exp(deltaNll.estimate), lower: Math.exp(deltaNll.lower), upper: Math.exp(deltaNll.upper) },
        perSeed: a.perSeed, perDocumentNll,
        gateSparsity: avg((x) => x.gateSparsity), channelSparsityMin: Math.min(...a.summaries.map((x) => x.channelSparsityMin)),
        channelSparsityMax: Math.max(...a.summaries.map((x) => x.channelSparsityMax)), inputSparsity,
        weightsStreamed: avg((x) => x.weightsStreamed), seconds: a.seconds,
      });
    }
  }

  let lastWord: CorpusEvalResult['lastWord'];
  if (tasks.length > 0) {
    const answers = async (label: string) => {
      const report = stepProgress(label);
      const correct: boolean[] = [];
      for (let i = 0; i < tasks.length; i++) {
        correct.push((await answerLastWord(model, tokenizer, tasks[i], { signal: o.signal })).correct);
        report((i + 1) / tasks.length);
      }
      done++;
      return correct;
    };
    const asNumbers = (c: boolean[]) => c.map((x) => (x ? 1 : 0));
    const denseCorrect = await answers('last word: dense');
    const lwRows: LastWordRow[] = [{ method: 'dense', accuracy: bootstrapMean(asNumbers(denseCorrect), { seed }), correct: denseCorrect }];
    const stats = statsBySeed.get(seeds[0])!;
    for (const m of CORPUS_METHODS) {
      const correct = await withSparsity(m.thresholds(stats, lastWordK, name), m.attention, () => answers(`last word: ${m.name}`));
      lwRows.push({
        method: m.name, accuracy: bootstrapMean(asNumbers(correct), { seed }),
        difference: bootstrapPairedDifference(asNumbers(correct), asNumbers(denseCorrect), { seed }), correct,
      });
    }
    lastWord = {
      k: lastWordK, rows: lwRows,
      tasks: tasks.map((t: LastWordTask) => ({ documentId: evaluation[t.documentIndex].id, target: t.target, promptTokens: t.promptTokens })),
    };
  }
  progress(1, 'done');
  return {
    documents: evaluation.map((d) => d.id), documentTokens: docIds.map((x) => x.length), calibrationTokens: calibrated, seeds,
    dense: { meanNll: mean(dense.nll), perplexity: Math.exp(mean(dense.nll)), perDocumentNll: dense.nll, seconds: dense.seconds },
    rows, comparisons: compareMethods(rows, seed), lastWord,
  };
}

/** The first `tokens` tokens of the sequences, as whole sequences and the last one cut to fit. */
export function firstTokens(seqs: readonly (readonly number[])[], tokens: number): number[][] {
  const out: number[][] = [];
  let left = tokens;
  for (const q of seqs) {
    if (left < 2) break;
    out.push(q.slice(0, left));
    left -= out[out.length - 1].length;
  }
  return out;
}
