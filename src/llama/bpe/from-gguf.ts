/**
 * Builds the byte-level BPE tokenizer of a GGUF model from its metadata (`tokenizer.ggml.*`),
 * so one call turns a parsed GGUF file into a tokenizer:
 *
 *   tokenizer.ggml.model        must be "gpt2" (byte-level BPE)
 *   tokenizer.ggml.tokens       token strings by id, GPT-2's byte-as-character spelling
 *   tokenizer.ggml.merges       "left right" strings, highest priority first
 *   tokenizer.ggml.token_type   per token: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
 *                               (2, 3 and 4 are special: split out of the text first, decoded literally)
 *   tokenizer.ggml.pre          the pre-tokenizer (see pre-tokenizers.ts)
 *   tokenizer.ggml.bos_token_id / eos_token_id / eot_token_id / unknown_token_id, add_bos_token / add_eos_token
 *   tokenizer.chat_template     kept as `chatTemplate` (formatChat renders the ChatML form)
 * A missing add_bos_token means false, as for GPT-2 in Hugging Face `tokenizers`.
 *
 * @example
 * const { metadata } = parseGguf(bytes);
 * const tok = bpeTokenizerFromGguf(metadata);
 * tok.encode('<|im_start|>user\nHi<|im_end|>\n');   // [1, 4093, 198, 26843, 2, 198]
 */
import { SparseInferenceError, badArgument } from '../../core/errors.js';
import { checkOptions } from '../../core/options.js';
import { BYTE_TO_CHAR } from './byte-unicode.js';
import { BpeTokenizer } from './bpe-tokenizer.js';
import { MergeTable } from './merge-table.js';
import { checkPreTokenizer } from './pre-tokenizers.js';

/** GGUF metadata as a parsed file holds it: a Map (or a plain object) from key to value. */
export type GgufMetadataLike = ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>;

export interface BpeFromGgufOptions {
  /** Name used in error messages (e.g. the file path). Default 'GGUF metadata'. */
  name?: string;
}

const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4 } as const;
/** Texts that end a turn in common chat formats; with EOS they stop generation by default. */
const END_OF_TURN_TEXTS = ['<|endoftext|>', '<|im_end|>', '<|eot_id|>', '<end_of_turn>'];

export function bpeTokenizerFromGguf(metadata: GgufMetadataLike, options: BpeFromGgufOptions = {}): BpeTokenizer {
  if (metadata === null || typeof metadata !== 'object') {
    throw badArgument(`metadata must be a Map or an object of GGUF metadata, got ${metadata === null ? 'null' : typeof metadata}`);
  }
  const opts = checkOptions('bpeTokenizerFromGguf options', options, ['name']);
  if (opts.name !== undefined && typeof opts.name !== 'string') throw badArgument(`bpeTokenizerFromGguf options.name must be a string, got ${typeof opts.name}`);
  const where = opts.name ?? 'GGUF metadata';
  const get = (key: string): unknown => (metadata instanceof Map ? metadata.get(key) : (metadata as Record<string, unknown>)[key]);
  const bad = (msg: string) => new SparseInferenceError('BAD_FILE', `${where}: ${msg}`);

  const model = get('tokenizer.ggml.model');
  if (model === undefined) throw bad('has no tokenizer (tokenizer.ggml.model is missing)');
  if (model !== 'gpt2') {
    throw new SparseInferenceError('UNAVAILABLE',
      `${where}: tokenizer.ggml.model = ${JSON.stringify(model)} is not byte-level BPE ("gpt2"), the only kind read from GGUF`);
  }
  const tokens = stringArray(get('tokenizer.ggml.tokens'), 'tokenizer.ggml.tokens', bad);
  if (tokens.length === 0) throw bad('tokenizer.ggml.tokens is empty');
  const merges = stringArray(get('tokenizer.ggml.merges'), 'tokenizer.ggml.merges', bad);
  const preTokenizer = checkPreTokenizer(get('tokenizer.ggml.pre'), where);
  const types = tokenTypes(get('tokenizer.ggml.token_type'), tokens.length, bad);

  const vocab = new Map<string, number>();
  tokens.forEach((t, i) => { if (!vocab.has(t)) vocab.set(t, i); });
  if (!vocab.has(BYTE_TO_CHAR[0x20]) || !vocab.has(BYTE_TO_CHAR[0x61])) {
    throw bad('has no token for the bytes " " (Ġ) or "a"; not a byte-level vocabulary');
  }
  const table = MergeTable.fromStrings(merges, vocab, tokens.length,
    (i, why) => bad(`tokenizer.ggml.merges[${i}] ${why}`));

  const specialIds: number[] = [];
  for (let i = 0; i < types.length; i++) {
    const t = types[i];
    if (t === TOKEN_TYPE.control || t === TOKEN_TYPE.userDefined || t === TOKEN_TYPE.unknown) specialIds.push(i);
  }
  const id = (key: string) => optionalId(get(`tokenizer.ggml.${key}`), `tokenizer.ggml.${key}`, tokens.length, bad);
  const bosId = id('bos_token_id');
  const eosId = id('eos_token_id');
  const eotId = id('eot_token_id');
  const unknownId = id('unknown_token_id');
  const flag = (key: string) => optionalBool(get(`tokenizer.ggml.${key}`), `tokenizer.ggml.${key}`, bad);
  const addBos = flag('add_bos_token');
  const addEos = flag('add_eos_token');
  if (addBos && bosId < 0) throw bad('add_bos_token is true but there is no bos_token_id');

  const stop = new Set<number>();
  for (const s of [eosId, eotId]) if (s >= 0) stop.add(s);
  for (const text of END_OF_TURN_TEXTS) {
    const s = vocab.get(text);
    if (s !== undefined && specialIds.includes(s)) stop.add(s);
  }
  const template = get('tokenizer.chat_template');
  if (template !== undefined && typeof template !== 'string') throw bad(`tokenizer.chat_template is a ${typeof template}, not a string`);

  return new BpeTokenizer({
    tokens, specialIds, merges: table, preTokenizer, bosId, eosId, unknownId, addBos, addEos,
    stopTokens: [...stop], chatTemplate: template,
  });
}

function stringArray(v: unknown, key: string, bad: (m: string) => Error): string[] {
  if (v === undefined) throw bad(`${key} is missing`);
  if (!Array.isArray(v)) throw bad(`${key} must be an array of strings, got ${typeof v}`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') throw bad(`${key}[${i}] is a ${typeof v[i]}, not a string`);
  }
  return v as string[];
}

function tokenTypes(v: unknown, n: number, bad: (m: string) => Error): ArrayLike<number> {
  if (v === undefined) return new Int32Array(n).fill(TOKEN_TYPE.normal);
  if (!Array.isArray(v) && !ArrayBuffer.isView(v)) throw bad(`tokenizer.ggml.token_type must be an array, got ${typeof v}`);
  const a = v as ArrayLike<unknown>;
  if (a.length !== n) throw bad(`tokenizer.ggml.token_type has ${a.length} entries for ${n} tokens`);
  for (let i = 0; i < n; i++) {
    const t = a[i];
    if (typeof t !== 'number' || !Number.isInteger(t)) throw bad(`tokenizer.ggml.token_type[${i}] is not an integer`);
  }
  return a as ArrayLike<number>;
}

function optionalId(v: unknown, key: string, n: number, bad: (m: string) => Error): number {
  if (v === undefined) return -1;
  const x = typeof v === 'bigint' ? Number(v) : v;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= n) {
    throw bad(`${key} = ${String(v)} is not a token id in 0..${n - 1}`);
  }
  return x;
}

function optionalBool(v: unknown, key: string, bad: (m: string) => Error): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw bad(`${key} must be a boolean, got ${typeof v}`);
  return v;
}
