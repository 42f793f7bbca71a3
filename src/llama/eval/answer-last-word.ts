/**
 * Run one last-word task (buildLastWordTasks) on a model: greedy decoding after the prompt
 * until the continuation's first word is complete (a non-letter follows it) or `maxNewTokens`
 * tokens, then scoreLastWord. Greedy decoding makes the answer a function of the model alone.
 *
 * @example
 * const r = await answerLastWord(model, tokenizer, tasks[0]);
 * r.correct;        // true when the first word produced is tasks[0].target
 * r.continuation;   // ' empty.'
 */
import { badArgument, throwIfAborted } from '../../core/errors.js';
import { checkInt, describe } from '../../core/validate.js';
import { checkLlamaModel, checkTextTokenizer } from '../check-llama-args.js';
import type { LlamaModel } from '../model.js';
import { argmax } from '../sampler.js';
import { exclusiveSession } from '../session-lock.js';
import type { TextTokenizer } from '../text-tokenizer.js';
import { scoreLastWord, type LastWordTask } from './last-word-task.js';

export interface LastWordAnswer {
  correct: boolean;
  /** The generated text (decoded). */
  continuation: string;
}

/** A word has started and something other than a letter follows it. */
const FIRST_WORD_DONE = /^\s*[A-Za-z]+[^A-Za-z]/;

export async function answerLastWord(model: LlamaModel, tokenizer: TextTokenizer, task: LastWordTask,
  opts: { maxNewTokens?: number; signal?: AbortSignal } = {}): Promise<LastWordAnswer> {
  checkLlamaModel('model', model);
  checkTextTokenizer('tokenizer', tokenizer);
  if (task === null || typeof task !== 'object' || typeof task.prompt !== 'string' || typeof task.target !== 'string') {
    throw badArgument(`task must be a LastWordTask ({ prompt, target, ... }), got ${describe(task)}`);
  }
  if (opts === null || typeof opts !== 'object') throw badArgument(`opts must be an object, got ${describe(opts)}`);
  const maxNew = checkInt('opts.maxNewTokens', opts.maxNewTokens ?? 8, 1, 64);
  const ids = tokenizer.encode(task.prompt, { bos: tokenizer.addBos });
  if (ids.length === 0 || ids.length + maxNew > model.config.seqLen) {
    throw badArgument(`task.prompt has ${ids.length} tokens: with ${maxNew} new ones it must fit the context of ${model.config.seqLen}`);
  }
  return exclusiveSession(model, 'answerLastWord()', async () => {
    throwIfAborted(opts.signal, 'last-word task');
    model.reset();
    let logits = await model.prefill(ids, 0, { signal: opts.signal });
    const generated: number[] = [];
    let continuation = '';
    for (let pos = ids.length; generated.length < maxNew; pos++) {
      const next = argmax(logits, model.config.vocabSize);
      generated.push(next);
      continuation = tokenizer.decodeAll(generated);
      if (FIRST_WORD_DONE.test(continuation) || tokenizer.stopTokens.includes(next) || generated.length === maxNew) break;
      throwIfAborted(opts.signal, 'last-word task');
      logits = await model.forward(next, pos);
    }
    model.reset();
    return { correct: scoreLastWord(continuation, task.target), continuation };
  });
}
