/**
 * Calibration on a real model: run text through the dense model with the capture hook on and
 * pool the activations (ActivationCollector). Text is split into stories on `<|endoftext|>`,
 * each encoded with BOS, truncated to the context and run from position 0, stories in order
 * until `maxTokens` tokens have been seen — the protocol of evaluateNll, so calibration and
 * evaluation see the same kind of positions (calibrateOnSequences takes sequences the caller
 * chose instead, e.g. from a corpus). In sketch mode with CHESS the same tokens are run
 * twice (the importances need the finished a_up moments).
 *
 * @example
 * const stats = await calibrateModel(model, tokenizer, calibrationText, { maxTokens: 4096 });
 * const th = chessThresholds(stats, 0.5, { model: 'stories260K' });
 */
import { checkModelInputs } from './check-model-inputs.js';
import { checkLlamaModel } from '../llama/check-llama-args.js';
import type { LlamaModel } from '../llama/model.js';
import type { TextTokenizer } from '../llama/text-tokenizer.js';
import { splitStories } from '../llama/split-stories.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { ActivationCollector, type CollectorOptions } from './activation-collector.js';
import type { ActivationStatistics } from './activation-statistics.js';
import { yieldEvery } from '../core/yield.js';
import { DenseFfn } from '../llama/dense-ffn.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface CalibrateModelOptions extends CollectorOptions {
  /** Calibration tokens (default 4096). */
  maxTokens?: number;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

/** Every key of CalibrateModelOptions, for checkOptions. */
export const CALIBRATE_MODEL_KEYS = optionKeys<CalibrateModelOptions>({ maxTokens: true, onProgress: true, signal: true, quantile: true, sketch: true, chess: true });

/** The token sequences calibration (and TEAL's greedy search) run: whole stories up to maxTokens. */
export function calibrationSequences(tokenizer: TextTokenizer, text: string, maxTokens: number, seqLen: number): number[][] {
  const seqs: number[][] = [];
  let total = 0;
  for (const story of splitStories(text)) {
    if (total >= maxTokens) break;
    const ids = tokenizer.encode(story, { bos: true }).slice(0, Math.min(seqLen, maxTokens - total));
    if (ids.length === 0) continue;
    seqs.push(ids);
    total += ids.length;
  }
  if (total === 0) throw badArgument('calibration text has no tokens');
  return seqs;
}

export async function calibrateModel(model: LlamaModel, tokenizer: TextTokenizer, text: string,
  opts: CalibrateModelOptions = {}): Promise<ActivationStatistics> {
  opts = checkOptions('calibrateModel options', opts, CALIBRATE_MODEL_KEYS);
  checkModelInputs(model, tokenizer, text);
  const maxTokens = checkInt('maxTokens', opts.maxTokens ?? 4096, 1);
  if (tokenizer.vocabSize !== model.config.vocabSize) throw badArgument(`tokenizer has ${tokenizer.vocabSize} tokens, the model ${model.config.vocabSize}`);
  const { maxTokens: _, ...rest } = opts;
  return calibrateOnSequences(model, calibrationSequences(tokenizer, text, maxTokens, model.config.seqLen), rest);
}

/**
 * Calibration on token sequences the caller chose (corpusCalibrationSequences, say): each is
 * run from position 0 with a fresh KV cache, in order.
 */
export async function calibrateOnSequences(model: LlamaModel, sequences: readonly (readonly number[])[],
  opts: Omit<CalibrateModelOptions, 'maxTokens'> = {}): Promise<ActivationStatistics> {
  opts = checkOptions('calibrateOnSequences options', opts, CALIBRATE_MODEL_KEYS.filter((k) => k !== 'maxTokens'));
  checkLlamaModel('model', model);
  const c = model.config;
  if (!Array.isArray(sequences) || sequences.length === 0) throw badArgument('sequences must be a non-empty array of token id arrays');
  sequences.forEach((ids, i) => {
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > c.seqLen) throw badArgument(`sequences[${i}] must be 1 to ${c.seqLen} token ids`);
    ids.forEach((id, j) => { if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize) throw badArgument(`sequences[${i}][${j}] = ${id} is not a token id of a ${c.vocabSize}-token vocabulary`); });
  });
  const { ffn, projections } = model.components;
  if (!(ffn instanceof DenseFfn) || projections !== null) {
    throw badArgument(`model hosts FFN '${ffn.name}'${projections ? ` and projections '${projections.name}'` : ''}: calibrate on the dense model`);
  }
  const total = sequences.reduce((s, q) => s + q.length, 0);
  const collector = new ActivationCollector({ nLayers: c.nLayers, dim: c.dim, hiddenDim: c.hiddenDim },
    { quantile: opts.quantile, sketch: opts.sketch, chess: opts.chess });
  const passes = collector.passesNeeded;
  try {
    for (let pass = 0; pass < passes; pass++) {
      if (pass > 0) collector.endPass();
      model.setCapture(collector.capture);
      let done = 0;
      for (const ids of sequences) {
        model.reset();
        for (let i = 0; i < ids.length; i++) {
          throwIfAborted(opts.signal, 'calibration');
          await model.forward(ids[i], i);
          await yieldEvery(50);
        }
        done += ids.length;
        opts.onProgress?.((pass + done / total) / passes, `calibration pass ${pass + 1}/${passes}`);
      }
    }
  } finally {
    model.setCapture(undefined);
    model.reset();
  }
  return collector.finish();
}
