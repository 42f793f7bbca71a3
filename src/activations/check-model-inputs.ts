/**
 * Argument checks shared by the activation entry points that run a model over text: a
 * LlamaModel, a tokenizer of the same vocabulary and a string, each named when wrong (instead
 * of "Cannot read properties of undefined (reading 'vocabSize')").
 */
import { badArgument } from '../core/errors.js';
import { describe } from '../core/validate.js';
import type { LlamaModel } from '../llama/model.js';
import type { TextTokenizer } from '../llama/text-tokenizer.js';

export function checkModelInputs(model: LlamaModel, tokenizer: TextTokenizer, text: string): void {
  const config = (model as { config?: unknown } | null)?.config;
  if (model === null || typeof model !== 'object' || config === null || typeof config !== 'object') {
    throw badArgument(`model must be a LlamaModel, got ${describe(model)}`);
  }
  if (tokenizer === null || typeof tokenizer !== 'object' || typeof (tokenizer as { encode?: unknown }).encode !== 'function'
    || typeof tokenizer.vocabSize !== 'number') {
    throw badArgument(`tokenizer must be a Tokenizer, got ${describe(tokenizer)}`);
  }
  if (typeof text !== 'string') throw badArgument(`text must be a string, got ${describe(text)}`);
}
