/**
 * What generate(), evaluateNll() and the CLI need from a tokenizer, whichever kind it is: the
 * llama2.c SentencePiece-style tokenizer (`Tokenizer`, tokenizer.ts) or the byte-level BPE read
 * from a GGUF file (`BpeTokenizer`, bpe/bpe-tokenizer.ts).
 *
 * Encoding long text is work that must stay cancellable: each tokenizer writes its encoder as a
 * generator that pauses every few thousand steps; `encode` runs it to the end (checking the
 * signal at each pause) and `encodeAsync` also returns to the event loop every ~20 ms, so an
 * abort fired by a timer or a UI is seen within a few tens of milliseconds.
 *
 * @example
 * const ids = await tokenizer.encodeAsync(prompt, { bos: tokenizer.addBos, signal });
 * const decoder = new TextDecoder();
 * for (let i = 1; i < ids.length; i++) out += decoder.decode(tokenizer.decodeBytes(ids[i - 1], ids[i]), { stream: true });
 */
import { checkOptions } from '../core/options.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { describe } from '../core/validate.js';

export interface TokenizeOptions {
  /** Prepend the BOS token. Default false (use `tokenizer.addBos` for the model's own rule). */
  bos?: boolean;
  /** Append the EOS token. Default false. */
  eos?: boolean;
  /** Checked between slices of work; an aborted signal throws SparseInferenceError 'ABORTED'. */
  signal?: AbortSignal;
}

export interface TextTokenizer {
  /** Number of token ids (the model's vocabulary size). */
  readonly vocabSize: number;
  /** Id of the beginning-of-sequence token. */
  readonly bosId: number;
  /** Id of the end-of-sequence token. */
  readonly eosId: number;
  /** Whether the model expects BOS in front of a prompt (llama2.c: yes; GGUF: `add_bos_token`). */
  readonly addBos: boolean;
  /** Ids that end a generation by default (never emitted). */
  readonly stopTokens: readonly number[];
  encode(text: string, opts?: TokenizeOptions): number[];
  /** encode() that returns to the event loop every ~20 ms, so an abort is seen promptly. */
  encodeAsync(text: string, opts?: TokenizeOptions): Promise<number[]>;
  /** Bytes that `token` adds to the text when it follows `prev` (pieces may split a UTF-8 character). */
  decodeBytes(prev: number, token: number): Uint8Array;
  /** Text of a whole token sequence (UTF-8 decoded once, so split characters re-form). */
  decodeAll(tokens: ArrayLike<number>): string;
}

/** The encode option keys every tokenizer accepts. */
export const TOKENIZE_KEYS = ['bos', 'eos', 'signal'] as const;

/** Validates encode options: null/undefined as {}, unknown keys rejected, signal an AbortSignal. */
export function checkTokenizeOptions<T extends TokenizeOptions>(opts: T | null | undefined, extraKeys: readonly string[] = []): T {
  const o = checkOptions<T>('encode options', opts, [...TOKENIZE_KEYS, ...extraKeys]);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw badArgument(`encode options.signal must be an AbortSignal, got ${describe(o.signal)}`);
  }
  for (const k of ['bos', 'eos'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw badArgument(`encode options.${k} must be a boolean, got ${describe(o[k])}`);
  }
  return o;
}

/** Runs an encoder generator to its end, checking the signal at every pause. */
export function runSteps(steps: Iterator<unknown>, signal: AbortSignal | undefined, what: string): void {
  throwIfAborted(signal, what);
  while (!steps.next().done) throwIfAborted(signal, what);
}

/** Time between returns to the event loop in runStepsAsync. */
const SLICE_MS = 20;

/** Runs an encoder generator, returning to the event loop every ~20 ms and checking the signal. */
export async function runStepsAsync(steps: Iterator<unknown>, signal: AbortSignal | undefined, what: string): Promise<void> {
  throwIfAborted(signal, what);
  let sliceStart = performance.now();
  while (!steps.next().done) {
    throwIfAborted(signal, what);
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      throwIfAborted(signal, what);
      sliceStart = performance.now();
    }
  }
}
