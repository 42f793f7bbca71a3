/**
 * Byte-level BPE (GPT-2 style; Radford et al. 2019, Sennrich et al. ACL 2016) as used by SmolLM2
 * and read from a GGUF file: text → special tokens split out → words (the model's
 * pre-tokenizer) → UTF-8 bytes, one symbol each → merges applied by rank inside each word.
 * Token-identical to Hugging Face `tokenizers` on the SmolLM2 vocabulary (see
 * scripts/tokenizer-oracle.py and test/llama/bpe-tokenizer.test.ts). Decoding maps each
 * character of a piece back to its byte, so a piece may end inside a UTF-8 character; stream
 * with `new TextDecoder().decode(bytes, { stream: true })` or use decodeAll.
 *
 * Build one with bpeTokenizerFromGguf(metadata).
 *
 * @example
 * const tok = bpeTokenizerFromGguf(gguf.metadata);
 * tok.encode('Hello world');                  // [19556, 905]
 * tok.decodeAll([19556, 905]);                // 'Hello world'
 */
import { badArgument } from '../../core/errors.js';
import { checkInt } from '../../core/validate.js';
import {
  checkTokenizeOptions, runSteps, runStepsAsync, type TextTokenizer, type TokenizeOptions,
} from '../text-tokenizer.js';
import { BYTE_TO_CHAR, CHAR_TO_BYTE } from './byte-unicode.js';
import type { MergeTable } from './merge-table.js';
import { PairHeap } from './pair-heap.js';
import { preTokenize, type PreTokenizerName } from './pre-tokenizers.js';
import { SpecialSplitter } from './special-split.js';

export interface BpeEncodeOptions extends TokenizeOptions {
  /**
   * Recognise special tokens written in the text (`<|im_start|>` → its id), as Hugging Face
   * `tokenizers` does. Default true; false treats them as plain text (for untrusted input).
   */
  parseSpecial?: boolean;
}

/** The parts a BPE tokenizer is made of (bpeTokenizerFromGguf checks them). */
export interface BpeParts {
  /** Token strings in GPT-2's byte-as-character spelling, by id. */
  tokens: readonly string[];
  /** Ids whose text is matched before pre-tokenization and decoded literally (control tokens). */
  specialIds: readonly number[];
  merges: MergeTable;
  preTokenizer: PreTokenizerName;
  bosId: number;
  eosId: number;
  /** Emitted for a byte that has no token (-1: such bytes are dropped). */
  unknownId: number;
  addBos: boolean;
  addEos: boolean;
  stopTokens: readonly number[];
  /** The Jinja chat template from the file, if any. */
  chatTemplate?: string;
}

/** Words between pauses of the encoder (a pause checks the signal). */
const WORDS_PER_STEP = 256;
/** Words remembered with their merged ids (text repeats words a lot); cleared when full. */
const CACHE_LIMIT = 50_000;
/** Longer words are not cached: they rarely repeat, and their ids would pin memory. */
const CACHE_WORD_MAX = 256;

const utf8 = new TextEncoder();

export class BpeTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly addBos: boolean;
  readonly addEos: boolean;
  readonly stopTokens: readonly number[];
  readonly chatTemplate: string | undefined;
  readonly preTokenizer: PreTokenizerName;
  private readonly tokens: readonly string[];
  private readonly merges: MergeTable;
  private readonly special: SpecialSplitter;
  private readonly isSpecial: Uint8Array;
  private readonly byteIds = new Int32Array(256);
  private readonly pieceBytes: (Uint8Array | undefined)[];
  private readonly lookup: Map<string, number>;
  private readonly cache = new Map<string, number[]>();

  /** Use bpeTokenizerFromGguf; this takes parts that are already checked. */
  constructor(parts: BpeParts) {
    this.tokens = parts.tokens;
    this.vocabSize = parts.tokens.length;
    this.merges = parts.merges;
    this.preTokenizer = parts.preTokenizer;
    this.bosId = parts.bosId;
    this.eosId = parts.eosId;
    this.addBos = parts.addBos;
    this.addEos = parts.addEos;
    this.stopTokens = parts.stopTokens;
    this.chatTemplate = parts.chatTemplate;
    this.lookup = new Map();
    parts.tokens.forEach((t, i) => { if (!this.lookup.has(t)) this.lookup.set(t, i); });
    this.isSpecial = new Uint8Array(this.vocabSize);
    const specials = new Map<string, number>();
    for (const id of parts.specialIds) {
      this.isSpecial[id] = 1;
      if (!specials.has(parts.tokens[id])) specials.set(parts.tokens[id], id);
    }
    this.special = new SpecialSplitter(specials);
    // A byte without a token (SmolLM2 lacks 21, e.g. 0x04) becomes the unknown token, one per
    // byte, as in Hugging Face `tokenizers`; with no unknown token it is dropped (llama.cpp drops it always).
    for (let b = 0; b < 256; b++) this.byteIds[b] = this.lookup.get(BYTE_TO_CHAR[b]) ?? parts.unknownId;
    this.pieceBytes = new Array(this.vocabSize);
  }

  /** Id of a token by its vocabulary spelling (e.g. 'Ġthe', '<|im_start|>'), or -1. */
  tokenId(token: string): number {
    return this.lookup.get(token) ?? -1;
  }

  /** The vocabulary spelling of a token (GPT-2's byte-as-character form). */
  token(id: number): string {
    checkInt('id', id, 0, this.vocabSize - 1);
    return this.tokens[id];
  }

  /** Whether `id` is a special (control) token. */
  isSpecialToken(id: number): boolean {
    checkInt('id', id, 0, this.vocabSize - 1);
    return this.isSpecial[id] === 1;
  }

  /** Token ids of `text`. */
  encode(text: string, opts: BpeEncodeOptions = {}): number[] {
    const o = this.checkEncode(text, opts);
    const out: number[] = [];
    runSteps(this.encodeSteps(text, o, out), o.signal, 'encode');
    return out;
  }

  /** encode() that yields to the event loop every ~20 ms, so an abort is seen promptly. */
  async encodeAsync(text: string, opts: BpeEncodeOptions = {}): Promise<number[]> {
    const o = this.checkEncode(text, opts);
    const out: number[] = [];
    await runStepsAsync(this.encodeSteps(text, o, out), o.signal, 'encode');
    return out;
  }

  private checkEncode(text: string, opts: BpeEncodeOptions | null | undefined): BpeEncodeOptions {
    if (typeof text !== 'string') throw badArgument(`text must be a string, got ${typeof text}`);
    const o = checkTokenizeOptions(opts, ['parseSpecial']);
    if (o.parseSpecial !== undefined && typeof o.parseSpecial !== 'boolean') {
      throw badArgument(`encode options.parseSpecial must be a boolean, got ${typeof o.parseSpecial}`);
    }
    if (o.bos && this.bosId < 0) throw badArgument('encode options.bos: this vocabulary has no BOS token');
    if (o.eos && this.eosId < 0) throw badArgument('encode options.eos: this vocabulary has no EOS token');
    return o;
  }

  private *encodeSteps(text: string, o: BpeEncodeOptions, out: number[]): Generator<void> {
    if (o.bos) out.push(this.bosId);
    // Lone UTF-16 surrogates become U+FFFD, as TextEncoder would write them.
    const clean = text.replace(/\p{Cs}/gu, '\uFFFD');
    const pieces = o.parseSpecial === false ? [clean] : this.special.pieces(clean);
    let words = 0;
    const heap = new PairHeap();
    for (const piece of pieces) {
      if (typeof piece === 'number') { out.push(piece); continue; }
      for (const word of preTokenize(this.preTokenizer, piece)) {
        if (!this.encodeCached(word, out)) yield* this.encodeWord(word, out, heap);
        if (++words % WORDS_PER_STEP === 0) yield;
      }
    }
    if (o.eos) out.push(this.eosId);
  }

  /** Appends a word's ids from the cache; false when it is not cached. */
  private encodeCached(word: string, out: number[]): boolean {
    const cached = this.cache.get(word);
    if (cached === undefined) return false;
    for (const id of cached) out.push(id);
    return true;
  }

  private *encodeWord(word: string, out: number[], heap: PairHeap): Generator<void> {
    const bytes = utf8.encode(word);
    let symbols = new Int32Array(bytes.length);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      const id = this.byteIds[bytes[i]];
      if (id >= 0) symbols[n++] = id;
    }
    if (n < symbols.length) symbols = symbols.subarray(0, n);
    if (n === 0) return;
    if (word.length > CACHE_WORD_MAX) {
      yield* this.merges.mergeSteps(symbols, out, heap);
      return;
    }
    const ids: number[] = [];
    yield* this.merges.mergeSteps(symbols, ids, heap);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, ids);
    for (const id of ids) out.push(id);
  }

  /**
   * The bytes of a token: special tokens are their text; other tokens map each character back
   * to its byte (GPT-2's map). `prev` is unused (byte-level BPE has no context rule) and only
   * checked, so this fits the tokenizer interface.
   */
  decodeBytes(prev: number, token: number): Uint8Array {
    checkInt('prev', prev, 0, this.vocabSize - 1);
    return this.bytesOf(token);
  }

  /** Text of a token sequence, special tokens included, decoded as UTF-8 once. */
  decodeAll(tokens: ArrayLike<number>): string {
    if (tokens === null || typeof tokens !== 'object' || typeof tokens.length !== 'number') {
      throw badArgument('tokens must be an array of token ids');
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < tokens.length; i++) {
      const b = this.bytesOf(tokens[i], `tokens[${i}]`);
      parts.push(b);
      total += b.length;
    }
    const all = new Uint8Array(total);
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return new TextDecoder().decode(all);
  }

  private bytesOf(token: number, name = 'token'): Uint8Array {
    checkInt(name, token, 0, this.vocabSize - 1);
    let b = this.pieceBytes[token];
    if (b === undefined) {
      b = this.isSpecial[token] ? utf8.encode(this.tokens[token]) : byteLevelDecode(this.tokens[token]);
      this.pieceBytes[token] = b;
    }
    return b;
  }
}

/** GPT-2 spelling → bytes; a character outside the byte map stands for its own UTF-8. */
function byteLevelDecode(piece: string): Uint8Array {
  const out: number[] = [];
  for (const ch of piece) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b !== undefined) out.push(b);
    else for (const x of utf8.encode(ch)) out.push(x);
  }
  return Uint8Array.from(out);
}
