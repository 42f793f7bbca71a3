/**
 * Passkey retrieval (Mohtashami & Jaggi, "Landmark Attention", arXiv 2305.16300; used by A²ATS
 * and Quest to test long-context retrieval): a 5-digit key is stated once, at a seeded depth, in
 * a long run of repeated filler sentences; the prompt ends by asking for it. The model answers by
 * greedy continuation; it scores when the answer contains the key.
 *
 *   There is an important info hidden inside a lot of irrelevant text. Find it and memorize it.
 *   I will quiz you about the important information there.
 *
 *   The grass is green. The sky is blue. ... (filler)  The pass key is 71432. Remember it.
 *   71432 is the pass key.  The grass is green. ... (filler)
 *
 *   What is the pass key? The pass key is
 *
 * Lengths are in the model's tokens (no BOS): the prompt is the longest one that does not exceed
 * `targetTokens`, so it lies within one filler group (24 SmolLM2 tokens) below the target. Depth is
 * where the key sentence starts, as a fraction of the prompt's tokens: the key lies within one
 * filler group of `depth × promptTokens` (closer cannot be, the filler moves in whole groups),
 * except that at least one filler group always separates it from the instructions.
 *
 * @example
 * const task = buildPasskeyTask(tokenizer, { targetTokens: 4096, seed: 1 });
 * const r = await generate(model, tokenizer, { prompt: task.prompt, maxTokens: 8, temperature: 0 });
 * const answer = tokenizer.decodeAll(r.generated);       // the continuation only, e.g. ' 58219.'
 * scorePasskey(answer, task.key);                        // true when the answer contains the key
 */
import { badArgument } from '../../core/errors.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { Rng } from '../../core/rng.js';
import { checkInt, checkNumber } from '../../core/validate.js';
import { checkTokenCounter, countTokens, type TokenCounter } from './token-counter.js';

export const PASSKEY_INSTRUCTIONS =
  'There is an important info hidden inside a lot of irrelevant text. Find it and memorize it. I will quiz you about the important information there.\n\n';
export const PASSKEY_FILLER = 'The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.';
export const PASSKEY_QUESTION = '\n\nWhat is the pass key? The pass key is';
const keySentence = (key: string) => `The pass key is ${key}. Remember it. ${key} is the pass key.`;

/** The shortest target length accepted: instructions, key, question and some filler. */
export const PASSKEY_MIN_TOKENS = 128;

export interface PasskeyTaskOptions {
  /** Prompt length to aim for, in tokens (no BOS); the prompt never exceeds it. */
  targetTokens: number;
  /** Seeds the key and (when `depth` is not given) the depth. */
  seed: number;
  /** Where the key goes, as a fraction of the prompt in [0, 1]. Default: uniform from the seed. */
  depth?: number;
}

export interface PasskeyTask {
  prompt: string;
  /** The 5-digit key, as text. */
  key: string;
  targetTokens: number;
  /** Tokens of `prompt` (no BOS). */
  promptTokens: number;
  /** Requested depth in [0, 1]. */
  depth: number;
  /** Index of the first token of the key sentence in encode(prompt). */
  keyTokenOffset: number;
  /** Character offset of the key sentence in `prompt`. */
  keyCharOffset: number;
  seed: number;
}

const PASSKEY_TASK_KEYS = optionKeys<PasskeyTaskOptions>({ targetTokens: true, seed: true, depth: true });

export function buildPasskeyTask(tokenizer: TokenCounter, options: PasskeyTaskOptions): PasskeyTask {
  const tok = checkTokenCounter('tokenizer', tokenizer);
  const opts = checkOptions('buildPasskeyTask options', options, PASSKEY_TASK_KEYS);
  const targetTokens = checkInt('options.targetTokens', opts.targetTokens, PASSKEY_MIN_TOKENS, 1 << 24);
  const seed = checkInt('options.seed', opts.seed, 0);
  const rng = new Rng(seed);
  const depth = opts.depth === undefined ? rng.uniform() : checkNumber('options.depth', opts.depth, 0, 1);
  const key = String(10000 + rng.int(90000));

  const count = (text: string) => countTokens(tok, text);
  const fixedTokens = count(PASSKEY_INSTRUCTIONS + keySentence(key) + PASSKEY_QUESTION);
  const groupTokens = count(` ${PASSKEY_FILLER}`);
  if (groupTokens < 1) throw badArgument('tokenizer encodes the filler text to no tokens');
  const compose = (before: number, after: number) => {
    const filler = (n: number) => Array(n).fill(PASSKEY_FILLER).join(' ');
    const head = PASSKEY_INSTRUCTIONS + filler(before) + (before > 0 ? ' ' : '');
    const tail = (after > 0 ? ' ' : '') + filler(after);
    return { prompt: head + keySentence(key) + tail + PASSKEY_QUESTION, head };
  };
  // The largest number of filler groups whose prompt fits (from a close estimate; the exact
  // count decides), then the split that puts the key nearest depth × length.
  const tokensWith = (groups: number) => count(compose(1, groups - 1).prompt);
  let groups = Math.max(1, Math.floor((targetTokens - fixedTokens) / groupTokens));
  while (groups > 1 && tokensWith(groups) > targetTokens) groups--;
  while (groups < targetTokens && tokensWith(groups + 1) <= targetTokens) groups++;
  const instructionTokens = count(PASSKEY_INSTRUCTIONS);
  let built: ReturnType<typeof compose>;
  let promptTokens: number;
  for (;;) {
    const length = tokensWith(groups);
    const before = Math.min(groups, Math.max(1, Math.round((depth * length - instructionTokens) / groupTokens)));
    built = compose(before, groups - before);
    promptTokens = count(built.prompt);
    if (promptTokens <= targetTokens || groups === 1) break;
    groups--; // where the key sits changed a token at a seam: one group fewer
  }
  if (promptTokens > targetTokens) throw badArgument(`options.targetTokens = ${targetTokens} is too short for the passkey prompt (${promptTokens} tokens with one filler group)`);
  // At least one filler group precedes the key, so the key sentence always follows a single
  // space, which byte-level BPE attaches to the next word: the key's first token is " The" and
  // the tokens of the text before that space are a prefix of the prompt's.
  const keyTokenOffset = count(built.head.slice(0, -1));
  return { prompt: built.prompt, key, targetTokens, promptTokens, depth, keyTokenOffset, keyCharOffset: built.head.length, seed };
}

/**
 * Passkey score: the greedy answer contains the key's digits (not as part of a longer number).
 * `answer` is the continuation only — decode `GenerateResult.generated`, not `.text`, which
 * starts with the prompt and so always contains the key.
 */
export function scorePasskey(answer: string, key: string): boolean {
  if (typeof answer !== 'string') throw badArgument(`answer must be a string, got ${typeof answer}`);
  if (typeof key !== 'string' || !/^\d{5}$/.test(key)) throw badArgument(`key must be a 5-digit string, got ${JSON.stringify(key)}`);
  return new RegExp(`(^|\\D)${key}(\\D|$)`).test(answer);
}

export interface PasskeySuiteOptions {
  /** Target lengths in tokens. Default [2048, 4096, 8192]. */
  lengths?: number[];
  /** Tasks per length; their depths are stratified: trial i draws its depth in [i/n, (i+1)/n). */
  perLength: number;
  seed: number;
}

const PASSKEY_SUITE_KEYS = optionKeys<PasskeySuiteOptions>({ lengths: true, perLength: true, seed: true });

/** Tasks at every length, with depths spread evenly over the prompt and seeded keys. */
export function buildPasskeySuite(tokenizer: TokenCounter, options: PasskeySuiteOptions): PasskeyTask[] {
  const opts = checkOptions('buildPasskeySuite options', options, PASSKEY_SUITE_KEYS);
  const lengths = opts.lengths ?? [2048, 4096, 8192];
  if (!Array.isArray(lengths) || lengths.length === 0) throw badArgument('options.lengths must be a non-empty array of token counts');
  lengths.forEach((n, i) => checkInt(`options.lengths[${i}]`, n, PASSKEY_MIN_TOKENS, 1 << 24));
  const perLength = checkInt('options.perLength', opts.perLength, 1, 100_000);
  const seed = checkInt('options.seed', opts.seed, 0);
  const rng = new Rng(seed);
  const tasks: PasskeyTask[] = [];
  for (const targetTokens of lengths) {
    for (let i = 0; i < perLength; i++) {
      const depth = (i + rng.uniform()) / perLength;
      tasks.push(buildPasskeyTask(tokenizer, { targetTokens, seed: rng.int(2 ** 31), depth }));
    }
  }
  return tasks;
}
