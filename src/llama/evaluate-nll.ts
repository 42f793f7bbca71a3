/**
 * Mean negative log-likelihood (nats per predicted token) and perplexity of a model on a text,
 * with the protocol of ../shared/models/README.md: split the text into stories on
 * `<|endoftext|>`, strip each, encode it with BOS, truncate to the context length, run it from
 * position 0 (fresh KV cache) and score every next-token prediction; take whole stories in
 * file order until at least `maxTokens` tokens have been predicted.
 *
 *   NLL = −(1/N) Σ_stories Σ_{i ≥ 1} log softmax(logits(tokens[<i]))[tokens[i]],  PPL = exp(NLL)
 *
 * Log-softmax is computed in float64 with the max subtracted.
 *
 * @example
 * const { meanNll, perplexity, tokens } = await evaluateNll(model, tokenizer, text, { maxTokens: 3000 });
 * // stories260K on tinystories_sample.txt: 1.289 nats, PPL 3.63, 3073 tokens
 */
import { exclusiveSession } from './session-lock.js';
import { checkLlamaModel, checkTextTokenizer } from './check-llama-args.js';
import { badArgument } from '../core/errors.js';
import { checkInt, describe } from '../core/validate.js';
import type { LlamaModel } from './model.js';
import type { TextTokenizer } from './text-tokenizer.js';
import { splitStories } from './split-stories.js';
import { sequenceNllUnlocked } from './sequence-nll.js';
import { checkOptions, optionKeys } from '../core/options.js';
export { tokenNll } from './token-nll.js';

export interface EvaluateOptions {
  /** Stop after the story that brings the predicted-token count to at least this (default: all). */
  maxTokens?: number;
  /** Truncate each story to this many tokens (default and maximum: the model's seqLen). */
  maxStoryTokens?: number;
  /** fraction in [0, 1] of maxTokens (or of the stories, without maxTokens). */
  onProgress?: (fraction: number, info: { tokens: number; stories: number; meanNll: number }) => void;
  signal?: AbortSignal;
}

/** Every key of EvaluateOptions, for checkOptions. */
export const EVALUATE_NLL_KEYS = optionKeys<EvaluateOptions>({ maxTokens: true, maxStoryTokens: true, onProgress: true, signal: true });

export interface EvaluateResult {
  /** Mean NLL in nats per predicted token. */
  meanNll: number;
  perplexity: number;
  /** Predicted tokens. */
  tokens: number;
  /** Stories used. */
  stories: number;
  /** Per-story token counts and NLL sums (for confidence intervals). */
  perStory: { tokens: number; nllSum: number }[];
}

export async function evaluateNll(model: LlamaModel, tokenizer: TextTokenizer, text: string,
  opts: EvaluateOptions = {}): Promise<EvaluateResult> {
  opts = checkOptions('evaluateNll options', opts, EVALUATE_NLL_KEYS);
  checkLlamaModel('model', model);
  checkTextTokenizer('tokenizer', tokenizer);
  if (typeof text !== 'string') throw badArgument(`text must be a string, got ${describe(text)}`);
  return exclusiveSession(model, 'evaluateNll()', () => evaluateStories(model, tokenizer, text, opts));
}

/** evaluateNll's work, as the model's only session (see session-lock.ts). */
async function evaluateStories(model: LlamaModel, tokenizer: TextTokenizer, text: string,
  opts: EvaluateOptions): Promise<EvaluateResult> {
  const c = model.config;
  if (tokenizer.vocabSize !== c.vocabSize) {
    throw badArgument(`tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabulary is ${c.vocabSize}`);
  }
  const maxTokens = opts.maxTokens === undefined ? Infinity : checkInt('maxTokens', opts.maxTokens, 1);
  const maxStory = checkInt('maxStoryTokens', opts.maxStoryTokens ?? c.seqLen, 2, c.seqLen);
  const stories = splitStories(text);
  if (stories.length === 0) throw badArgument('text has no stories (nothing but whitespace and <|endoftext|>)');
  let total = 0;
  let count = 0;
  const perStory: EvaluateResult['perStory'] = [];
  for (let s = 0; s < stories.length && count < maxTokens; s++) {
    const ids = (await tokenizer.encodeAsync(stories[s], { bos: tokenizer.addBos, signal: opts.signal })).slice(0, maxStory);
    const { nllSum: sum } = await sequenceNllUnlocked(model, ids, opts.signal, `story ${s}`);
    const n = ids.length - 1;
    total += sum;
    count += n;
    perStory.push({ tokens: n, nllSum: sum });
    const frac = Number.isFinite(maxTokens) ? Math.min(1, count / maxTokens) : (s + 1) / stories.length;
    opts.onProgress?.(frac, { tokens: count, stories: s + 1, meanNll: count > 0 ? total / count : NaN });
  }
  if (count === 0) throw badArgument('no token was predicted (every story is a single token)');
  const meanNll = total / count;
  return { meanNll, perplexity: Math.exp(meanNll), tokens: count, stories: perStory.length, perStory };
}
