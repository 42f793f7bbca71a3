/**
 * The one thing the task builders need from a tokenizer: text to token ids (no BOS), to measure
 * lengths in the model's own tokens. Every `TextTokenizer` (llama2.c or GGUF BPE) fits.
 */
import { badArgument } from '../../core/errors.js';

export interface TokenCounter {
  encode(text: string): number[];
}

/** Number of tokens of `text`; throws BAD_ARGUMENT when encode does not return an array. */
export function countTokens(tokenizer: TokenCounter, text: string): number {
  const ids = tokenizer.encode(text);
  if (!Array.isArray(ids)) throw badArgument('tokenizer.encode(text) must return an array of token ids');
  return ids.length;
}

/** Throws BAD_ARGUMENT unless `tokenizer` has an encode(text) method. */
export function checkTokenCounter(name: string, tokenizer: unknown): TokenCounter {
  if (tokenizer === null || typeof tokenizer !== 'object' || typeof (tokenizer as TokenCounter).encode !== 'function') {
    throw badArgument(`${name} must be a tokenizer with an encode(text) method`);
  }
  return tokenizer as TokenCounter;
}
