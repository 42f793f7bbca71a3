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
 * (leftmost on ties), until no pair is in the vocabulary; then (EOS).
 *
 * @example
 * const tok = loadTokenizer(bytes, { vocabSize: 512 });
 * const ids = tok.encode('Once upon a time', { bos: true });   // [1, ...]
 * const text = tok.decodeAll(ids);                             // 'Once upon a time'
 */
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface EncodeOptions {
  /** Prepend BOS (id 1). Default false. */
  bos?: boolean;
  /** Append EOS (id 2). Default false. */
  eos?: boolean;
}

/** Every key of EncodeOptions, for checkOptions. */
export const ENCODE_KEYS = optionKeys<EncodeOptions>({ bos: true, eos: true });

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

const utf8 = new TextEncoder();
/** Byte string ↔ JS string keyed one char per byte (latin1), so lookups are exact on bytes. */
function bytesKey(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

export class Tokenizer {
  /** Longest piece in bytes, from the file header. */
  readonly maxTokenLength: number;
  private readonly pieces: Uint8Array[];
  private readonly scores: Float32Array;
  private readonly lookup = new Map<string, number>();
  private readonly keys: string[];
  /** Whether ids 3..258 are the byte pieces <0x00>..<0xFF>. */
  readonly hasByteFallback: boolean;
  private readonly byteOf: Int16Array;

  /** Use loadTokenizer(bytes); this constructor takes already-validated parts. */
  constructor(maxTokenLength: number, pieces: Uint8Array[], scores: Float32Array) {
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
    return this.lookup.get(bytesKey(utf8.encode(text))) ?? -1;
  }

  /** Token ids of `text` with llama2.c's greedy BPE merge. */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    opts = checkOptions('encode options', opts, ENCODE_KEYS);
    if (typeof text !== 'string') throw badArgument(`text must be a string, got ${typeof text}`);
    const tokens: number[] = [];
    if (opts.bos) tokens.push(BOS);
    const bytes = utf8.encode(text);
    if (bytes.length > 0) {
      const space = this.lookup.get(' ');
      if (space !== undefined) tokens.push(space);
      else this.pushBytes(tokens, [0x20], 'the dummy prefix " "');
    }
    // One piece per UTF-8 character (at most 4 bytes, as run.c groups them).
    for (let i = 0; i < bytes.length;) {
      let j = i + 1;
      while (j < bytes.length && (bytes[j] & 0xc0) === 0x80 && j - i < 4) j++;
      const id = this.lookup.get(bytesKey(bytes.subarray(i, j)));
      if (id !== undefined) tokens.push(id);
      else this.pushBytes(tokens, bytes.subarray(i, j), `character at byte ${i}`);
      i = j;
    }
    this.merge(tokens);
    if (opts.eos) tokens.push(EOS);
    return tokens;
  }

  private pushBytes(tokens: number[], bytes: ArrayLike<number>, what: string): void {
    if (!this.hasByteFallback) {
      throw badArgument(`${what} is not in the vocabulary and the tokenizer has no byte pieces <0xNN> at ids 3..258`);
    }
    for (let k = 0; k < bytes.length; k++) tokens.push(bytes[k] + 3);
  }

  /**
   * Greedy merge in place, over every token as run.c does (BOS included). The score of each
   * adjacent pair is cached and only the two pairs touching a merge are redone, so a pass is
   * a scan over numbers; the choice (best score, leftmost on ties) is run.c's.
   */
  private merge(ids: number[]): void {
    const n0 = ids.length;
    if (n0 < 2) return;
    const pairId = new Int32Array(n0);
    const pairScore = new Float64Array(n0);
    const setPair = (i: number) => {
      const id = i + 1 < ids.length ? this.lookup.get(this.keys[ids[i]] + this.keys[ids[i + 1]]) : undefined;
      pairId[i] = id ?? -1;
      pairScore[i] = id === undefined ? -Infinity : this.scores[id];
    };
    for (let i = 0; i < n0 - 1; i++) setPair(i);
    for (;;) {
      const n = ids.length;
      let best = -1e10;
      let bestIdx = -1;
      for (let i = 0; i < n - 1; i++) {
        if (pairId[i] >= 0 && pairScore[i] > best) { best = pairScore[i]; bestIdx = i; }
      }
      if (bestIdx < 0) break;
      ids[bestIdx] = pairId[bestIdx];
      ids.splice(bestIdx + 1, 1);
      pairId.copyWithin(bestIdx + 1, bestIdx + 2, n);
      pairScore.copyWithin(bestIdx + 1, bestIdx + 2, n);
      setPair(bestIdx);
      if (bestIdx > 0) setPair(bestIdx - 1);
    }
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
export function loadTokenizer(bytes: Uint8Array, opts: LoadTokenizerOptions = {}): Tokenizer {
  opts = checkOptions('loadTokenizer options', opts, LOAD_TOKENIZER_KEYS);
  if (!(bytes instanceof Uint8Array)) throw badArgument(`bytes must be a Uint8Array, got ${typeof bytes}`);
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
