/**
 * Calibration token sequences drawn from corpus documents (the calibration split, never the
 * evaluation documents): each document is encoded once and cut into segments of
 * `segmentTokens`; segments are shuffled with the seed and taken until `tokens` tokens, a
 * `uuidShare` of them from UUID documents (random strings, as the paper's calibration mix) and
 * the rest from text. A segment starts with BOS when the tokenizer's model expects one, and is
 * run from position 0, as the evaluation documents are.
 *
 * Different seeds draw different segments of the same calibration text, which is what the
 * threshold-seed intervals vary.
 *
 * @example
 * const seqs = corpusCalibrationSequences(tokenizer, calibrationDocs, { tokens: 4096, seed: 0 });
 * const stats = await calibrateOnSequences(model, seqs, { chess: true, quantile: 'sketch' });
 */
import { badArgument } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { Rng } from '../core/rng.js';
import { checkInt, checkNumber, describe } from '../core/validate.js';
import type { TextTokenizer } from '../llama/text-tokenizer.js';
import { checkTextTokenizer } from '../llama/check-llama-args.js';

/** A calibration document: its text, and whether it is random UUID strings. */
export interface CalibrationDocument {
  text: string;
  kind: string;
}

export interface CorpusCalibrationOptions {
  /** Calibration tokens in all (BOS included). */
  tokens: number;
  seed: number;
  /** Tokens per segment (default 512). */
  segmentTokens?: number;
  /** Share of the tokens from documents of kind 'uuid' (default 0.2; 0 when there are none). */
  uuidShare?: number;
}

const KEYS = optionKeys<CorpusCalibrationOptions>({ tokens: true, seed: true, segmentTokens: true, uuidShare: true });

export function corpusCalibrationSequences(tokenizer: TextTokenizer, documents: readonly CalibrationDocument[],
  options: CorpusCalibrationOptions): number[][] {
  checkTextTokenizer('tokenizer', tokenizer);
  if (!Array.isArray(documents) || documents.length === 0) throw badArgument('documents must be a non-empty array of { text, kind }');
  documents.forEach((d, i) => {
    if (d === null || typeof d !== 'object' || typeof d.text !== 'string' || typeof d.kind !== 'string') {
      throw badArgument(`documents[${i}] must be { text: string, kind: string }, got ${describe(d)}`);
    }
  });
  const o = checkOptions('corpusCalibrationSequences options', options, KEYS);
  const tokens = checkInt('options.tokens', o.tokens, 1);
  const seed = checkInt('options.seed', o.seed, 0);
  const bos = tokenizer.addBos ? 1 : 0;
  const segment = checkInt('options.segmentTokens', o.segmentTokens ?? 512, 2 + bos);
  const hasUuid = documents.some((d) => d.kind === 'uuid');
  const uuidShare = hasUuid ? checkNumber('options.uuidShare', o.uuidShare ?? 0.2, 0, 1) : 0;

  const rng = new Rng(seed);
  const segmentsOf = (kind: 'uuid' | 'text') => {
    const out: number[][] = [];
    for (const d of documents) {
      if ((d.kind === 'uuid') !== (kind === 'uuid')) continue;
      const ids = tokenizer.encode(d.text);
      for (let at = 0; at + 1 < ids.length; at += segment - bos) out.push(ids.slice(at, at + segment - bos));
    }
    rng.shuffle(out);
    return out;
  };
  const take = (segments: number[][], budget: number, into: number[][]) => {
    let used = 0;
    for (const s of segments) {
      if (used >= budget) break;
      const seq = (bos ? [tokenizer.bosId, ...s] : s).slice(0, budget - used);
      if (seq.length < 2) break;
      into.push(seq);
      used += seq.length;
    }
    return used;
  };
  const seqs: number[][] = [];
  const uuidTokens = Math.round(tokens * uuidShare);
  const textUsed = take(segmentsOf('text'), tokens - uuidTokens, seqs);
  if (uuidTokens > 0) take(segmentsOf('uuid'), uuidTokens, seqs);
  if (seqs.length === 0 || (textUsed === 0 && uuidShare < 1)) throw badArgument('the calibration documents hold no text to calibrate on');
  return seqs;
}
