/**
 * A LAMBADA-style last-word task (Paperno et al., ACL 2016) built from held-out text: the model
 * reads a passage and must produce its final word, which the passage makes predictable. LAMBADA
 * kept passages where humans could guess the word from the whole passage but not from the last
 * sentence alone; lacking annotators, this builder applies a stated, mechanical rule instead.
 *
 * A paragraph (blank-line separated) can end a passage when
 *   - it is prose: no line indented by 4 or more spaces (examples, code), at least 20 words, and at
 *     least 85% of its characters are letters or spaces;
 *   - it ends in `<space><word>.`, where word is 4+ lowercase ASCII letters and not a stop word
 *     (names, numbers, code and function words are excluded);
 *   - the word occurs (whole word, any case) in the passage before the final sentence, and not
 *     in the final sentence before it — the context, not the sentence, supplies it.
 * The passage is that paragraph with as many whole preceding paragraphs of the same document as
 * fit in `maxContextTokens`; passages shorter than `minContextTokens` are skipped. The prompt is
 * the passage up to the space before the word; the model's greedy continuation scores when its
 * first word equals the target exactly (`scoreLastWord`).
 *
 * @example
 * const tasks = buildLastWordTasks(tokenizer, evalDocuments, { count: 500, seed: 0 });
 * tasks[0].prompt;   // '... When the input is empty, the output is also'
 * tasks[0].target;   // 'empty'
 */
import { badArgument } from '../../core/errors.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { Rng } from '../../core/rng.js';
import { checkInt } from '../../core/validate.js';
import { checkTokenCounter, countTokens, type TokenCounter } from './token-counter.js';

/** Frequent 4+-letter function words: guessable without context, so never targets. */
export const LAST_WORD_STOP_WORDS: ReadonlySet<string> = new Set([
  'also', 'been', 'both', 'does', 'done', 'each', 'even', 'from', 'have', 'here', 'into', 'just', 'like', 'made', 'make',
  'many', 'more', 'most', 'much', 'must', 'only', 'other', 'over', 'same', 'some', 'such', 'than', 'that', 'their', 'them',
  'then', 'there', 'these', 'they', 'this', 'those', 'through', 'under', 'very', 'were', 'what', 'when', 'where', 'which',
  'while', 'will', 'with', 'would', 'your', 'about', 'above', 'after', 'again', 'below', 'could', 'should', 'being',
  'itself', 'themselves', 'instead', 'otherwise', 'either', 'neither', 'before', 'later', 'well', 'used', 'case',
  'cases', 'example', 'default', 'follows', 'following', 'once', 'though', 'thus', 'therefore', 'whether',
]);

export interface LastWordTaskOptions {
  /** How many tasks to draw (fewer when the documents hold fewer candidates). */
  count: number;
  /** Seeds which candidates are drawn. */
  seed: number;
  /** Passage length bounds in tokens (no BOS). Defaults 128 and 512. */
  minContextTokens?: number;
  maxContextTokens?: number;
  /** At most this many tasks per document. Default: no limit. */
  maxPerDocument?: number;
}

export interface LastWordTask {
  /** The passage up to (not including) the space before the target word. */
  prompt: string;
  /** The word to produce. */
  target: string;
  /** Tokens of `prompt` (no BOS). */
  promptTokens: number;
  /** Which document, and where in it the target word starts. */
  documentIndex: number;
  targetCharOffset: number;
}

const PROSE_MIN_WORDS = 20;
const PROSE_MIN_LETTER_SHARE = 0.85;

const LAST_WORD_KEYS = optionKeys<LastWordTaskOptions>({ count: true, seed: true, minContextTokens: true, maxContextTokens: true, maxPerDocument: true });

export function buildLastWordTasks(tokenizer: TokenCounter, documents: readonly string[], options: LastWordTaskOptions): LastWordTask[] {
  const tok = checkTokenCounter('tokenizer', tokenizer);
  if (!Array.isArray(documents) || documents.length === 0) throw badArgument('documents must be a non-empty array of strings');
  documents.forEach((d, i) => { if (typeof d !== 'string') throw badArgument(`documents[${i}] must be a string, got ${typeof d}`); });
  const opts = checkOptions('buildLastWordTasks options', options, LAST_WORD_KEYS);
  const count = checkInt('options.count', opts.count, 1, 1_000_000);
  const seed = checkInt('options.seed', opts.seed, 0);
  const minContext = checkInt('options.minContextTokens', opts.minContextTokens ?? 128, 1, 1 << 24);
  const maxContext = checkInt('options.maxContextTokens', opts.maxContextTokens ?? 512, minContext, 1 << 24);
  const maxPerDocument = checkInt('options.maxPerDocument', opts.maxPerDocument ?? Number.MAX_SAFE_INTEGER, 1);

  const candidates = documents.flatMap((doc, documentIndex) => lastWordCandidates(doc).map((c) => ({ ...c, documentIndex })));
  new Rng(seed).shuffle(candidates);
  const tasks: LastWordTask[] = [];
  const perDocument = new Map<number, number>();
  for (const c of candidates) {
    if (tasks.length === count) break;
    if ((perDocument.get(c.documentIndex) ?? 0) >= maxPerDocument) continue;
    const passage = fitPassage(tok, c.paragraphs, maxContext);
    if (passage === null) continue;
    const promptTokens = countTokens(tok, passage.prompt);
    if (promptTokens < minContext) continue;
    if (!inContextNotInSentence(passage.prompt, c.target)) continue; // the trimmed passage may have lost the earlier mention
    tasks.push({ prompt: passage.prompt, target: c.target, promptTokens, documentIndex: c.documentIndex, targetCharOffset: c.targetCharOffset });
    perDocument.set(c.documentIndex, (perDocument.get(c.documentIndex) ?? 0) + 1);
  }
  return tasks;
}

/**
 * Last-word score: the continuation's first word (letters only) equals the target exactly.
 * `continuation` is the generated text only (decode `GenerateResult.generated`).
 */
export function scoreLastWord(continuation: string, target: string): boolean {
  if (typeof continuation !== 'string') throw badArgument(`continuation must be a string, got ${typeof continuation}`);
  if (typeof target !== 'string' || target === '') throw badArgument('target must be a non-empty string');
  const first = /^\s*([A-Za-z]+)/.exec(continuation);
  return first !== null && first[1] === target;
}

/** A passage end that passes the rule, before trimming to the token bounds. */
export interface LastWordCandidate {
  target: string;
  targetCharOffset: number;
  /** The document's paragraphs up to and including the final one, which ends at the target. */
  paragraphs: string[];
}

/** Paragraphs of one document that pass the rule, each with the paragraphs before it. */
export function lastWordCandidates(document: string): LastWordCandidate[] {
  if (typeof document !== 'string') throw badArgument(`document must be a string, got ${typeof document}`);
  const out: LastWordCandidate[] = [];
  const paragraphs: { text: string; offset: number }[] = [];
  // A paragraph: lines with some non-space text, up to a blank line (indentation kept).
  const re = /[^\n]*\S[^\n]*(?:\n(?![ \t]*(?:\n|$))[^\n]*)*/g;
  for (let m = re.exec(document); m !== null; m = re.exec(document)) paragraphs.push({ text: m[0], offset: m.index });
  for (let i = 0; i < paragraphs.length; i++) {
    const p = paragraphs[i].text;
    if (!isProse(p)) continue;
    const end = /\s([a-z]{4,})\.\s*$/.exec(p);
    if (!end || LAST_WORD_STOP_WORDS.has(end[1])) continue;
    const target = end[1];
    const prefix = paragraphs.slice(0, i + 1).map((q) => q.text);
    prefix[i] = p.slice(0, end.index);
    if (!inContextNotInSentence(prefix.join('\n\n'), target)) continue;
    out.push({ target, targetCharOffset: paragraphs[i].offset + end.index + 1, paragraphs: prefix });
  }
  return out;
}

function isProse(paragraph: string): boolean {
  if (/^ {4,}/m.test(paragraph)) return false;
  if (paragraph.split(/\s+/).filter((w) => w !== '').length < PROSE_MIN_WORDS) return false;
  const letters = paragraph.match(/[A-Za-z\s]/g)?.length ?? 0;
  return letters / paragraph.length >= PROSE_MIN_LETTER_SHARE;
}

/** The target occurs before the final sentence of `prompt` and not within that sentence. */
function inContextNotInSentence(prompt: string, target: string): boolean {
  const sentenceStart = lastSentenceStart(prompt);
  const word = new RegExp(`\\b${target}\\b`, 'i');
  return word.test(prompt.slice(0, sentenceStart)) && !word.test(prompt.slice(sentenceStart));
}

/** Start of the last sentence: after the last `. `, `? `, `! ` (or a blank line) in the text. */
function lastSentenceStart(text: string): number {
  let start = 0;
  const re = /[.!?]["'’”)]?\s+(?=\S)|\n\s*\n/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) start = m.index + m[0].length;
  return start;
}

/** The final paragraph with as many whole paragraphs before it as fit in maxTokens (null if it alone does not). */
function fitPassage(tok: TokenCounter, paragraphs: string[], maxTokens: number): { prompt: string } | null {
  let prompt = paragraphs[paragraphs.length - 1];
  if (countTokens(tok, prompt) > maxTokens) return null;
  for (let i = paragraphs.length - 2; i >= 0; i--) {
    const longer = `${paragraphs[i]}\n\n${prompt}`;
    if (countTokens(tok, longer) > maxTokens) break;
    prompt = longer;
  }
  return { prompt };
}
