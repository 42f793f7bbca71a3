/**
 * The llama2.c tokenizer (`tokenizer.bin`, `tok512.bin`): a SentencePiece BPE vocabulary
 * exported as scored byte strings, encoded with llama2.c's greedy merge (run.c `encode`) and
 * decoded with its piece rule (run.c `decode`). Sennrich et al., "Neural machine translation
 * of rare words with subword units", ACL 2016; Kudo & Richardson, SentencePiece, EMNLP 2018.
 *
 * File: int32 max_token_length, then per token: float32 score, int32 length, `length` bytes.
 * Ids: 0 <unk>, 1 <s> (BOS), 2 </s> (EOS), 3..258 the byte pieces `<0x00>`..`<0xFF>`.
 *
 * Encoding: (BOS) + the dummy-prefix piece " " (for non-empty text) + one piece per UTF-8
 * character (byte pieces when the character is not in the vocabulary), then repeatedly merge
 * the adjacent pair whose concatenation is the vocabulary entry with the highest score
 * (leftmost on ties), until no pair is in the vocabulary; then (EOS). The merge keeps candidate
 * pairs in a heap (best score, then leftmost) and skips entries made stale by earlier merges,
 * so n characters cost O(n log n) instead of run.c's O(n²) rescans, with the same result.
 *
 * @example
 * const tok = loadTokenizer(bytes, { vocabSize: 512 });
 * const ids = tok.encode('Once upon a time', { bos: true });   // [1, ...]
 * const text = tok.decodeAll(ids);                             // 'Once upon a time'
 */
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkFinite, checkFloat32, checkInt, describe } from '../core/validate.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { PairHeap } from './bpe/pair-heap.js';
import {
  checkTokenizeOptions, runSteps, runStepsAsync, type TextTokenizer, type TokenizeOptions,
} from './text-tokenizer.js';

/** Options of Tokenizer.encode: BOS (id 1) and EOS (id 2), both default false, and a signal. */
export type EncodeOptions = TokenizeOptions;

export interface LoadTokenizerOptions {
  /** Number of tokens to read (the model's vocab size). Default: read to the end of the file. */
  vocabSize?: number;
  /** Name used in error messages (e.g. the file path). */
  name?: string;
}

/** Every key of LoadTokenizerOptions, for checkOptions. */
export const LOAD_TOKENIZER_KEYS = optionKeys<LoadTokenizerOptions>({ vocabSize: true, name: true });

export const BOS = 1;
export const EOS = 2;

/** Characters or merges between pauses of the encoder (a pause checks the abort signal). */
const STEP = 4096;
/** run.c's starting best score: a pair must score above it to merge. */
const MIN_SCORE = -1e10;

const utf8 = new TextEncoder();
/** Byte string ↔ JS string keyed one char per byte (latin1), so lookups are exact on bytes. */
function bytesKey(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

export class Tokenizer implements TextTokenizer {
  /** Longest piece in bytes, from the file header. */
  readonly maxTokenLength: number;
  private readonly pieces: Uint8Array[];
  private readonly scores: Float32Array;
  private readonly lookup = new Map<string, number>();
  private readonly keys: string[];
  readonly bosId = BOS;
  readonly eosId = EOS;
  /** llama2.c prompts always start with BOS. */
  readonly addBos = true;
  /** run.c stops at BOS or EOS. */
  readonly stopTokens: readonly number[] = [BOS, EOS];
  /** Whether ids 3..258 are the byte pieces <0x00>..<0xFF>. */
  readonly hasByteFallback: boolean;
  private readonly byteOf: Int16Array;

  /** Use loadTokenizer(bytes); this constructor takes already-validated parts. */
  constructor(maxTokenLength: number, pieces: Uint8Array[], scores: Float32Array) {
    checkTokenizerParts(maxTokenLength, pieces, scores);
    this.maxTokenLength = maxTokenLength;
    this.pieces = pieces;
    this.scores = scores;
    this.keys = pieces.map(bytesKey);
    // First occurrence wins when a piece appears twice.
    this.keys.forEach((k, i) => { if (!this.lookup.has(k)) this.lookup.set(k, i); });
    this.byteOf = new Int16Array(pieces.length).fill(-1);
    this.keys.forEach((k, i) => {
      const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(k);
      if (m) this.byteOf[i] = parseInt(m[1], 16);
    });
    let fallback = pieces.length >= 259;
    for (let b = 0; fallback && b < 256; b++) fallback = this.byteOf[3 + b] === b;
    this.hasByteFallback = fallback;
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  /** The raw bytes of a piece. */
  piece(id: number): Uint8Array {
    checkInt('id', id, 0, this.vocabSize - 1);
    return this.pieces[id];
  }

  /** The merge score of a piece. */
  score(id: number): number {
    checkInt('id', id, 0, this.vocabSize - 1);
    return this.scores[id];
  }

  /** Id of an exact piece (as a string), or -1. */
  pieceId(text: string): number {
    if (typeof text !== 'string') throw badArgument(`text must be a string, got ${typeof text}`);
    return this.lookup.get(bytesKey(utf8.encode(text))) ?? -1;
  }

  /** Token ids of `text` with llama2.c's greedy BPE merge. */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    const o = this.checkEncode(text, opts);
    const tokens: number[] = [];
    runSteps(this.encodeSteps(text, o, tokens), o.signal, 'encode');
    return tokens;
  }

  /** encode() that yields to the event loop every ~20 ms, so an abort is seen promptly. */
  async encodeAsync(text: string, opts: EncodeOptions = {}): Promise<number[]> {
    const o = this.checkEncode(text, opts);
    const tokens: number[] = [];
    await runStepsAsync(this.encodeSteps(text, o, tokens), o.signal, 'encode');
    return tokens;
  }

  private checkEncode(text: string, opts: EncodeOptions | null | undefined): EncodeOptions {
    if (typeof text !== 'string') throw badArgument(`text must be a string, got ${typeof text}`);
    return checkTokenizeOptions(opts);
  }

  /** The encoder, pausing every STEP characters or merges so the caller can check its signal. */
  private *encodeSteps(text: string, opts: EncodeOptions, tokens: number[]): Generator<void> {
    if (opts.bos) tokens.push(BOS);
    const bytes = utf8.encode(text);
    if (bytes.length > 0) {
      const space = this.lookup.get(' ');
      if (space !== undefined) tokens.push(space);
      else this.pushBytes(tokens, [0x20], 'the dummy prefix " "');
    }
    // One piece per UTF-8 character (at most 4 bytes, as run.c groups them).
    for (let i = 0, chars = 0; i < bytes.length; chars++) {
      let j = i + 1;
      while (j < bytes.length && (bytes[j] & 0xc0) === 0x80 && j - i < 4) j++;
      const id = this.lookup.get(bytesKey(bytes.subarray(i, j)));
      if (id !== undefined) tokens.push(id);
      else this.pushBytes(tokens, bytes.subarray(i, j), `character at byte ${i}`);
      i = j;
      if (chars % STEP === STEP - 1) yield;
    }
    yield* this.mergeSteps(tokens);
    if (opts.eos) tokens.push(EOS);
  }

  private pushBytes(tokens: number[], bytes: ArrayLike<number>, what: string): void {
    if (!this.hasByteFallback) {
      throw badArgument(`${what} is not in the vocabulary and the tokenizer has no byte pieces <0xNN> at ids 3..258`);
    }
    for (let k = 0; k < bytes.length; k++) tokens.push(bytes[k] + 3);
  }

  /** Id of the piece that joins tokens a and b, or -1 when there is none. */
  private pairId(a: number, b: number): number {
    return this.lookup.get(this.keys[a] + this.keys[b]) ?? -1;
  }

  /**
   * run.c's greedy merge, in place over every token (BOS included): repeatedly join the adjacent
   * pair whose joined piece has the highest score, the leftmost among equal scores, until no
   * pair is a piece. Symbols form a linked list; every candidate pair sits in a heap keyed by
   * (−score, position of its left symbol). A merge changes only the two pairs touching it, so
   * those are pushed afresh and the old entries are dropped when popped (their left symbol is
   * gone, has a new right neighbour, or no longer joins into the same piece).
   */
  private *mergeSteps(ids: number[]): Generator<void> {
    const n = ids.length;
    if (n < 2) return;
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const heap = new PairHeap();
    const consider = (left: number, right: number) => {
      const id = this.pairId(ids[left], ids[right]);
      // run.c starts its search at a best score of -1e10 and needs strictly better.
      if (id >= 0 && this.scores[id] > MIN_SCORE) heap.push(-this.scores[id], left, id, right);
    };
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
      if (i + 1 < n) consider(i, i + 1);
      if (i % STEP === STEP - 1) yield;
    }
    for (let pops = 1; heap.pop(); pops++) {
      const i = heap.left;
      const j = heap.right;
      if (ids[i] >= 0 && next[i] === j && this.pairId(ids[i], ids[j]) === heap.payload) {
        ids[i] = heap.payload;
        ids[j] = -1;
        const k = next[j];
        next[i] = k;
        if (k >= 0) prev[k] = i;
        if (prev[i] >= 0) consider(prev[i], i);
        if (k >= 0) consider(i, k);
      }
      if (pops % STEP === 0) yield;
    }
    // The first symbol is never absorbed (only right-hand symbols are); compact the survivors.
    let w = 0;
    for (let i = 0; i >= 0; i = next[i]) ids[w++] = ids[i];
    ids.length = w;
  }

  /**
   * Bytes printed for `token` after `prev` (run.c `decode`): a piece following BOS loses its
   * leading space; a byte piece <0xNN> is the single byte NN.
   */
  decodeBytes(prev: number, token: number): Uint8Array {
    checkInt('prev', prev, 0, this.vocabSize - 1);
    checkInt('token', token, 0, this.vocabSize - 1);
    const b = this.byteOf[token];
    if (b >= 0) return Uint8Array.of(b);
    const p = this.pieces[token];
    return prev === BOS && p[0] === 0x20 ? p.subarray(1) : p;
  }

  /**
   * One piece as text (UTF-8). A lone byte piece of a multi-byte character decodes to U+FFFD;
   * use decodeAll, or a TextDecoder in stream mode over decodeBytes, for exact text.
   */
  decode(prev: number, token: number): string {
    return new TextDecoder().decode(this.decodeBytes(prev, token));
  }

  /**
   * Text of a token sequence: pieces joined with the decode rule (each piece sees the
   * previous id), then UTF-8 decoded once, so byte pieces re-form characters. A leading BOS
   * is not printed (and strips the next piece's leading space, as in run.c).
   */
  decodeAll(tokens: ArrayLike<number>): string {
    if (tokens === null || typeof tokens !== 'object' || typeof tokens.length !== 'number') {
      throw badArgument('tokens must be an array of token ids');
    }
    for (let i = 0; i < tokens.length; i++) checkInt(`tokens[${i}]`, tokens[i], 0, this.vocabSize - 1);
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < tokens.length; i++) {
      if (i === 0 && tokens[0] === BOS) continue;
      const b = this.decodeBytes(i > 0 ? tokens[i - 1] : 0, tokens[i]);
      parts.push(b);
      total += b.length;
    }
    const all = new Uint8Array(total);
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return new TextDecoder().decode(all);
  }
}

/**
 * Parse a llama2.c tokenizer file. Throws BAD_FILE on a truncated file, a negative or too long
 * piece length, a non-finite score, or (with vocabSize) a piece count that does not match.
 */
/**
 * The constructor's parts, as loadTokenizer reads them: 1 ≤ maxTokenLength ≤ 65536, at least
 * the three special pieces (<unk>, <s>, </s>), each a Uint8Array no longer than maxTokenLength,
 * and one finite score per piece.
 */
function checkTokenizerParts(maxTokenLength: unknown, pieces: unknown, scores: unknown): void {
  const maxLen = checkInt('maxTokenLength', maxTokenLength, 1, 65536);
  if (!Array.isArray(pieces) || pieces.length < 3) {
    throw badArgument(`pieces must be an array of at least 3 Uint8Array pieces (<unk>, <s>, </s> first), got ${describe(pieces)}`);
  }
  checkInt('pieces.length', pieces.length, 3, 1 << 24);
  pieces.forEach((p, i) => {
    if (!(p instanceof Uint8Array)) throw badArgument(`pieces[${i}] must be a Uint8Array, got ${describe(p)}`);
    if (p.length > maxLen) throw badArgument(`pieces[${i}] has ${p.length} bytes, more than maxTokenLength (${maxLen})`);
  });
  checkFloat32('scores', scores);
  if ((scores as Float32Array).length !== pieces.length) throw badArgument(`scores must have one score per piece (${pieces.length}), got ${(scores as Float32Array).length}`);
  checkFinite('scores', scores as Float32Array);
}

export function loadTokenizer(bytes: Uint8Array, options: LoadTokenizerOptions = {}): Tokenizer {
  if (!(bytes instanceof Uint8Array)) throw badArgument(`bytes must be a Uint8Array, got ${typeof bytes}`);
  const opts = checkOptions('loadTokenizer options', options, ['vocabSize', 'name']);
  if (opts.name !== undefined && typeof opts.name !== 'string') throw badArgument(`loadTokenizer options.name must be a string, got ${typeof opts.name}`);
  const name = opts.name ?? 'tokenizer';
  if (opts.vocabSize !== undefined) checkInt('vocabSize', opts.vocabSize, 1, 1 << 24);
  const bad = (msg: string) => new SparseInferenceError('BAD_FILE', `${name}: ${msg}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw bad(`file is ${bytes.length} bytes, too short for the max_token_length header`);
  const maxTokenLength = dv.getInt32(0, true);
  if (maxTokenLength < 1 || maxTokenLength > 65536) {
    throw bad(`max_token_length is ${maxTokenLength}; expected 1..65536 (not a llama2.c tokenizer?)`);
  }
  const pieces: Uint8Array[] = [];
  const scores: number[] = [];
  let at = 4;
  const want = opts.vocabSize;
  while (want !== undefined ? pieces.length < want : at < bytes.length) {
    const i = pieces.length;
    if (at + 8 > bytes.length) {
      throw bad(`truncated at token ${i}: needs 8 bytes for score and length at offset ${at}, file is ${bytes.length} bytes` +
        (want !== undefined ? ` (expected ${want} tokens)` : ''));
    }
    const score = dv.getFloat32(at, true);
    const len = dv.getInt32(at + 4, true);
    if (!Number.isFinite(score)) throw bad(`token ${i} has a non-finite score (${score})`);
    if (len < 0 || len > maxTokenLength) {
      throw bad(`token ${i} has length ${len}, outside 0..max_token_length (${maxTokenLength})`);
    }
    at += 8;
    if (at + len > bytes.length) {
      throw bad(`truncated at token ${i}: its ${len} bytes at offset ${at} run past the end (${bytes.length} bytes)`);
    }
    pieces.push(bytes.slice(at, at + len));
    scores.push(score);
    at += len;
  }
  if (at !== bytes.length) {
    throw bad(`${bytes.length - at} bytes left after ${pieces.length} tokens: vocab size mismatch or corrupt file`);
  }
  if (pieces.length < 3) throw bad(`only ${pieces.length} tokens; a llama2.c vocabulary has <unk>, <s>, </s> first`);
  return new Tokenizer(maxTokenLength, pieces, Float32Array.from(scores));
}
