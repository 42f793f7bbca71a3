/**
 * The last-word task's selection rule on hand-made documents (each rule clause has a paragraph
 * that only it rejects), prompt/target alignment with the source text, token bounds, seeded
 * determinism, scoring and argument checks.
 */
import { describe, expect, it } from 'vitest';
import { SparseInferenceError } from '../../../src/core/errors.ts';
import { buildLastWordTasks, lastWordCandidates, scoreLastWord } from '../../../src/llama/eval/last-word-task.ts';

const wordTokenizer = { encode: (text: string) => (text.match(/\s*\S+|\s+$/g) ?? []).map((_, i) => i) };
const filler = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${String.fromCharCode(97 + (i % 26))}word`).join(' ');

// Context that mentions the targets "archive", "signature", "mirror", "checksum" and "with".
const context = `The archive holds a signature and a mirror of the checksum with care. ${filler(30, 'ctx')}.`;
const paragraphs = [
  context,
  `${filler(25, 'p')} and then we read the archive.`,                 // accepted: archive
  `${filler(25, 'q')} and archive it all in the archive.`,            // rejected: target repeated in its own sentence
  `${filler(25, 'r')} as it was with.`,                               // rejected: stop word
  `${filler(25, 's')} and the file says Signature.`,                  // rejected: not lowercase
  `${filler(5, 't')} the mirror.`,                                    // rejected: under 20 words
  `    indented ${filler(25, 'u')} the mirror.`,                      // rejected: example/code indentation
  `${filler(25, 'v')} 1234 5678 9012 3456 7890 1234 5678 90 $$ %% && ** the mirror.`, // rejected: under 85% letters
  `${filler(25, 'w')} the unknownword.`,                              // rejected: never mentioned before
  `${filler(25, 'x')} so verify the checksum.`,                       // accepted: checksum
];
const doc = paragraphs.join('\n\n');

describe('lastWordCandidates', () => {
  it('keeps exactly the paragraphs the rule admits', () => {
    expect(lastWordCandidates(doc).map((c) => c.target)).toEqual(['archive', 'checksum']);
  });
  it('points at the target in the document and keeps every earlier paragraph', () => {
    for (const c of lastWordCandidates(doc)) {
      expect(doc.slice(c.targetCharOffset, c.targetCharOffset + c.target.length + 1)).toBe(`${c.target}.`);
      expect(c.paragraphs.join('\n\n')).toBe(doc.slice(0, c.targetCharOffset - 1));
    }
  });
});

describe('buildLastWordTasks', () => {
  const docs = Array.from({ length: 6 }, (_, i) => doc.replaceAll('ctx', `c${i}x`));
  it('gives prompts that end just before the target, within the token bounds', () => {
    const tasks = buildLastWordTasks(wordTokenizer, docs, { count: 100, seed: 1, minContextTokens: 30, maxContextTokens: 400 });
    expect(tasks.length).toBe(12); // two per document
    for (const t of tasks) {
      const d = docs[t.documentIndex];
      expect(d.slice(0, t.targetCharOffset - 1).endsWith(t.prompt)).toBe(true);
      expect(d.slice(t.targetCharOffset).startsWith(`${t.target}.`)).toBe(true);
      expect(t.promptTokens).toBe(wordTokenizer.encode(t.prompt).length);
      expect(t.promptTokens).toBeGreaterThanOrEqual(30);
      expect(t.promptTokens).toBeLessThanOrEqual(400);
      expect(t.prompt).toMatch(new RegExp(`\\b${t.target}\\b`, 'i')); // the context still holds the word
    }
  });
  it('trims the passage to whole paragraphs under maxContextTokens, and drops what cannot fit', () => {
    const tasks = buildLastWordTasks(wordTokenizer, docs, { count: 100, seed: 1, minContextTokens: 30, maxContextTokens: 100 });
    // "archive" needs ~75 tokens; "checksum" is only mentioned 9 paragraphs back (~300 tokens),
    // so its trimmed passage no longer holds the word and it is dropped.
    expect(new Set(tasks.map((t) => t.target))).toEqual(new Set(['archive']));
  });
  it('is deterministic given the seed and honours count and maxPerDocument', () => {
    const a = buildLastWordTasks(wordTokenizer, docs, { count: 5, seed: 2, minContextTokens: 30 });
    expect(buildLastWordTasks(wordTokenizer, docs, { count: 5, seed: 2, minContextTokens: 30 })).toEqual(a);
    expect(a.length).toBe(5);
    const b = buildLastWordTasks(wordTokenizer, docs, { count: 12, seed: 3, minContextTokens: 30 });
    expect(b.map((t) => [t.documentIndex, t.target])).not.toEqual(buildLastWordTasks(wordTokenizer, docs, { count: 12, seed: 2, minContextTokens: 30 }).map((t) => [t.documentIndex, t.target]));
    const one = buildLastWordTasks(wordTokenizer, docs, { count: 100, seed: 2, minContextTokens: 30, maxPerDocument: 1 });
    expect(one.length).toBe(6);
    expect(new Set(one.map((t) => t.documentIndex)).size).toBe(6);
  });
  it('rejects bad arguments by name', () => {
    const bad = (f: () => unknown, name: string) => { expect(f).toThrow(SparseInferenceError); expect(f).toThrow(name); };
    bad(() => buildLastWordTasks(wordTokenizer, [], { count: 1, seed: 0 }), 'documents');
    bad(() => buildLastWordTasks(wordTokenizer, [3 as never], { count: 1, seed: 0 }), 'documents[0]');
    bad(() => buildLastWordTasks(wordTokenizer, docs, { count: 0, seed: 0 }), 'options.count');
    bad(() => buildLastWordTasks(wordTokenizer, docs, { count: 1, seed: 1.5 }), 'options.seed');
    bad(() => buildLastWordTasks(wordTokenizer, docs, { count: 1, seed: 0, minContextTokens: 100, maxContextTokens: 50 }), 'options.maxContextTokens');
    bad(() => buildLastWordTasks(null as never, docs, { count: 1, seed: 0 }), 'tokenizer');
    bad(() => scoreLastWord(' word', ''), 'target');
  });
});

describe('scoreLastWord', () => {
  it('compares the first word of the continuation exactly', () => {
    expect(scoreLastWord(' archive.', 'archive')).toBe(true);
    expect(scoreLastWord(' archives', 'archive')).toBe(false);
    expect(scoreLastWord(' Archive', 'archive')).toBe(false);
    expect(scoreLastWord('.', 'archive')).toBe(false);
  });
});
