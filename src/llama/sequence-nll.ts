/**
 * Next-token negative log-likelihood of one token sequence: a fresh KV cache, one prefill over
 * ids[0..n−2] (blocks when no hook is set), and −log softmax(logits_i)[ids[i+1]] summed over
 * every position. The unit of evaluateNll (one story) and of the corpus evaluations (one
 * document), whose intervals need each unit's sum on its own.
 *
 * @example
 * const { nllSum, tokens } = await sequenceNll(model, tokenizer.encode(text).slice(0, 1024));
 * const meanNll = nllSum / tokens;
 */
import { exclusiveSession } from './session-lock.js';
import { checkLlamaModel } from './check-llama-args.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { tokenNll } from './token-nll.js';
import type { LlamaModel } from './model.js';

export interface SequenceNll {
  /** Σ of the NLL (nats) of ids[1..n−1]. */
  nllSum: number;
  /** Predicted tokens: ids.length − 1. */
  tokens: number;
}

export async function sequenceNll(model: LlamaModel, ids: readonly number[], opts: { signal?: AbortSignal } = {}): Promise<SequenceNll> {
  checkLlamaModel('model', model);
  const c = model.config;
  if (!Array.isArray(ids) || ids.length < 2 || ids.length > c.seqLen) throw badArgument(`ids must be 2 to ${c.seqLen} token ids, got ${describe(ids)}`);
  ids.forEach((id, i) => { if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize) throw badArgument(`ids[${i}] = ${id} is not a token id of a ${c.vocabSize}-token vocabulary`); });
  if (opts === null || typeof opts !== 'object') throw badArgument(`opts must be an object, got ${describe(opts)}`);
  return exclusiveSession(model, 'sequenceNll()', () => sequenceNllUnlocked(model, ids, opts.signal));
}

/** sequenceNll's work for a caller that already holds the model's session (evaluateNll). */
export async function sequenceNllUnlocked(model: LlamaModel, ids: readonly number[], signal?: AbortSignal, what = 'sequence'): Promise<SequenceNll> {
  const vocab = model.config.vocabSize;
  model.reset();
  let nllSum = 0;
  if (ids.length > 1) {
    throwIfAborted(signal, 'NLL evaluation');
    await model.prefill(ids.slice(0, -1), 0, {
      signal,
      onLogits: (i, logits) => {
        const nll = tokenNll(logits, vocab, ids[i + 1]);
        if (!Number.isFinite(nll)) throw badArgument(`non-finite log-likelihood at ${what}, token ${i + 1} (model produced ${nll})`);
        nllSum += nll;
      },
    });
  }
  return { nllSum, tokens: Math.max(0, ids.length - 1) };
}
