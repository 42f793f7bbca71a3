/**
 * Text generation as llama2.c's `generate` loop: encode the prompt (with BOS when the tokenizer
 * says the model expects it), run it through the model, then repeatedly sample a token and feed
 * it back until a stop token (the tokenizer's: BOS or EOS for llama2.c, EOS and end-of-turn
 * tokens for a GGUF BPE vocabulary), `maxTokens` new tokens, or the context length. Takes either
 * tokenizer: the llama2.c one or bpeTokenizerFromGguf's.
 *
 * @example
 * const out = await generate(model, tokenizer, { prompt: 'Once upon a time', maxTokens: 64,
 *   temperature: 0.8, topP: 0.9, seed: 7, onToken: (piece) => process.stdout.write(piece) });
 * out.text;   // prompt + continuation, decoded with llama2.c's rule
 */
import { badArgument, throwIfAborted } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import type { LlamaModel } from './model.js';
import { Sampler, type SamplerOptions } from './sampler.js';
import type { TextTokenizer } from './text-tokenizer.js';
import { yieldEvery } from '../core/yield.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { exclusiveSession } from './session-lock.js';
import { checkLlamaModel, checkTextTokenizer } from './check-llama-args.js';
import { Utf8Stream } from './utf8-stream.js';

export interface GenerateOptions extends SamplerOptions {
  /** Text to continue (default ''). */
  prompt?: string;
  /** New tokens to generate at most (default 256). */
  maxTokens?: number;
  /** Token ids that end generation without being emitted (default: the tokenizer's stopTokens). */
  stopTokens?: number[];
  /**
   * Streaming: called for each piece as it is decided, prompt pieces first (isPrompt true),
   * with UTF-8 completed across byte pieces (text may be '' while a character is incomplete).
   */
  onToken?: (text: string, id: number, isPrompt: boolean) => void;
  signal?: AbortSignal;
}

/** Every key of GenerateOptions, for checkOptions. */
export const GENERATE_KEYS = optionKeys<GenerateOptions>({ prompt: true, maxTokens: true, stopTokens: true, onToken: true, signal: true, temperature: true, topP: true, seed: true });

export interface GenerateResult {
  /** (BOS +) prompt tokens + generated tokens. */
  tokens: number[];
  /** Only the generated tokens. */
  generated: number[];
  /** Prompt and continuation as text (llama2.c's decode rule). */
  text: string;
  stopReason: 'stop-token' | 'max-tokens' | 'context-full';
  /** Wall-clock decode speed over the generated tokens (tokens per second). */
  tokensPerSecond: number;
}

export async function generate(model: LlamaModel, tokenizer: TextTokenizer, opts: GenerateOptions = {}): Promise<GenerateResult> {
  opts = checkOptions('generate options', opts, GENERATE_KEYS);
  checkLlamaModel('model', model);
  checkTextTokenizer('tokenizer', tokenizer);
  const prompt = opts.prompt ?? '';
  if (typeof prompt !== 'string') throw badArgument(`prompt must be a string, got ${typeof prompt}`);
  const maxTokens = checkInt('maxTokens', opts.maxTokens ?? 256, 0);
  if (tokenizer.vocabSize !== model.config.vocabSize) {
    throw badArgument(`tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabulary is ${model.config.vocabSize}`);
  }
  const stop = new Set(opts.stopTokens ?? tokenizer.stopTokens);
  for (const s of stop) checkInt('stopTokens[]', s, 0, model.config.vocabSize - 1);
  const sampler = new Sampler({ temperature: opts.temperature, topP: opts.topP, seed: opts.seed });
  const tokens = await tokenizer.encodeAsync(prompt, { bos: tokenizer.addBos, signal: opts.signal });
  // The model needs one token to start from: an empty prompt without BOS gets BOS anyway.
  const bos = tokenizer.addBos || (tokens.length === 0 && tokenizer.bosId >= 0);
  if (bos && !tokenizer.addBos) tokens.push(tokenizer.bosId);
  if (tokens.length === 0) throw badArgument('prompt is empty and the tokenizer has no BOS token to start from');
  const seqLen = model.config.seqLen;
  if (tokens.length > seqLen) {
    throw badArgument(`prompt is ${tokens.length} tokens (with BOS); the model's context is ${seqLen}`);
  }
  throwIfAborted(opts.signal, 'generate');
  return exclusiveSession(model, 'generate()', () => decode(model, tokenizer, tokens, bos, sampler, stop, maxTokens, opts));
}

/** The generation itself, as the model's only session (see session-lock.ts). */
async function decode(model: LlamaModel, tokenizer: TextTokenizer, tokens: number[], bos: boolean, sampler: Sampler, stop: Set<number>,
  maxTokens: number, opts: GenerateOptions): Promise<GenerateResult> {
  const seqLen = model.config.seqLen;
  const utf8 = new Utf8Stream();
  const emit = (i: number, isPrompt: boolean) => {
    // The first prompt token has no predecessor (only llama2.c's rule looks at it, after BOS).
    const piece = utf8.push(tokenizer.decodeBytes(tokens[i > 0 ? i - 1 : i], tokens[i]));
    opts.onToken?.(piece, tokens[i], isPrompt);
  };
  model.reset();
  let logits = await model.prefill(tokens, 0, { signal: opts.signal });
  for (let i = bos ? 1 : 0; i < tokens.length; i++) emit(i, true);
  const generated: number[] = [];
  let stopReason: GenerateResult['stopReason'] = 'max-tokens';
  const t0 = performance.now();
  // Greedy decoding asks the model for the next id itself (on the GPU: the argmax runs there).
  const greedy = sampler.temperature === 0;
  let next = maxTokens > 0 ? sampler.sample(logits, model.config.vocabSize) : -1;
  while (generated.length < maxTokens) {
    throwIfAborted(opts.signal, 'generate');
    if (stop.has(next)) { stopReason = 'stop-token'; break; }
    tokens.push(next);
    generated.push(next);
    emit(tokens.length - 1, false);
    if (generated.length === maxTokens) break;
    if (tokens.length > seqLen) { stopReason = 'context-full'; break; }
    if (greedy) next = await model.forwardGreedy(next, tokens.length - 1);
    else {
      logits = await model.forward(next, tokens.length - 1);
      next = sampler.sample(logits, model.config.vocabSize);
    }
    await yieldEvery(30);
  }
  const tail = utf8.end();
  if (tail && opts.onToken) opts.onToken(tail, -1, false);
  const seconds = (performance.now() - t0) / 1000;
  return {
    tokens, generated, text: tokenizer.decodeAll(tokens), stopReason,
    tokensPerSecond: seconds > 0 ? generated.length / seconds : 0,
  };
}
