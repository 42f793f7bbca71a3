/**
 * Checks of the model and tokenizer arguments of the Llama entry points (generate,
 * evaluateNll, toHfCheckpoint): each is named when wrong, instead of a TypeError such as
 * "Cannot read properties of undefined (reading 'vocabSize')" from inside the decode loop. O(1).
 */
import { badArgument } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { LlamaModel } from './model.js';
import type { TextTokenizer } from './text-tokenizer.js';

export function checkLlamaModel(name: string, model: unknown): LlamaModel {
  if (!(model instanceof LlamaModel)) throw badArgument(`${name} must be a LlamaModel, got ${describe(model)}`);
  return model;
}

/** A TextTokenizer: the llama2.c Tokenizer, a BpeTokenizer, or any object with their members. */
export function checkTextTokenizer(name: string, t: unknown): TextTokenizer {
  const tok = t as Partial<Record<keyof TextTokenizer, unknown>> | null;
  const ok = tok !== null && typeof tok === 'object'
    && typeof tok.encode === 'function' && typeof tok.encodeAsync === 'function'
    && typeof tok.decodeBytes === 'function' && typeof tok.decodeAll === 'function'
    && Number.isInteger(tok.vocabSize) && (tok.vocabSize as number) >= 1
    && Number.isInteger(tok.bosId) && Number.isInteger(tok.eosId)
    && typeof tok.addBos === 'boolean' && Array.isArray(tok.stopTokens);
  if (!ok) throw badArgument(`${name} must be a tokenizer (Tokenizer or BpeTokenizer), got ${describe(t)}`);
  return t as TextTokenizer;
}
