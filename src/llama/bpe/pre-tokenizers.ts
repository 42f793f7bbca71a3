/**
 * Pre-tokenizers: how text is cut into words before BPE merges run inside each word. A GGUF file
 * names its rule in `tokenizer.ggml.pre`; the names here are llama.cpp's, and each rule is the
 * one Hugging Face `tokenizers` applies for that model family.
 *
 * 'smollm' / 'starcoder' (SmolLM, SmolLM2, StarCoder): HF's
 *   Sequence[Digits(individual_digits = true), ByteLevel(add_prefix_space = false)],
 * i.e. every numeric character (\p{N}) is a word of its own, and the text between is split with
 * GPT-2's pattern
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * Whitespace (\s) means the Unicode White_Space property, as in Oniguruma, which HF uses: it
 * includes U+0085 and excludes U+FEFF, unlike JavaScript's own \s.
 *
 * @example
 * [...preTokenize('smollm', "I'm 42 now")]   // ['I', "'m", ' ', '4', '2', ' now']
 */
import { SparseInferenceError } from '../../core/errors.js';

const GPT2_WORDS = new RegExp(
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\p{White_Space}\\p{L}\\p{N}]+" +
  '|\\p{White_Space}+(?!\\P{White_Space})|\\p{White_Space}+',
  'gu',
);
const NUMERIC = /\p{N}/gu;

/** The `tokenizer.ggml.pre` values this library implements. */
export const PRE_TOKENIZERS = ['smollm', 'starcoder'] as const;
export type PreTokenizerName = (typeof PRE_TOKENIZERS)[number];

/** Throws UNAVAILABLE naming the supported values when `name` is not one of them. */
export function checkPreTokenizer(name: unknown, where: string): PreTokenizerName {
  if (typeof name === 'string' && (PRE_TOKENIZERS as readonly string[]).includes(name)) return name as PreTokenizerName;
  throw new SparseInferenceError('UNAVAILABLE',
    `${where}: pre-tokenizer tokenizer.ggml.pre = ${JSON.stringify(name)} is not implemented; supported: ${PRE_TOKENIZERS.join(', ')}`);
}

function* gpt2Words(text: string): Generator<string> {
  for (const m of text.matchAll(GPT2_WORDS)) yield m[0];
}

/** The words of `text` (which must hold no special token) under the named rule, in order. */
export function* preTokenize(name: PreTokenizerName, text: string): Generator<string> {
  // Both names mean the same rule: digits isolated first, then GPT-2's pattern between them.
  void name;
  let at = 0;
  for (const m of text.matchAll(NUMERIC)) {
    if (m.index > at) yield* gpt2Words(text.slice(at, m.index));
    yield m[0];
    at = m.index + m[0].length;
  }
  if (at < text.length) yield* gpt2Words(text.slice(at));
}
