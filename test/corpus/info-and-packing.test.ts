/**
 * The corpus builder's pieces on synthetic input (no Debian files needed): the info reader strips
 * headers, menus, markers and cross-reference syntax and follows split manuals; the packer keeps
 * every document inside its bounds and the text in order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanNodeText, readInfoManual } from '../../scripts/corpus/info-manual.mts';
import { packDocuments, type TextUnit } from '../../scripts/corpus/pack-documents.mts';
import { dropSharedParagraphs, wordNgrams } from '../../scripts/corpus/ngrams.mts';

const words = (t: string) => t.split(/\s+/).filter((w) => w !== '').length;

describe('cleanNodeText', () => {
  it('drops menus, index markers and underlines; keeps cross-reference labels', () => {
    const raw = [
      '2 Invoking sed',
      '**************',
      '',
      '   See *note Regexp Addresses: Addresses, for details, and *note Overview::.',
      '\0\b[index\0\b]',
      'Text (*note Other: (coreutils)Other.) ends.',
      '',
      '* Menu:',
      '',
      '* Overview::   Overview.',
    ].join('\n');
    expect(cleanNodeText(raw)).toBe(
      '2 Invoking sed\n\nSee Regexp Addresses, for details, and Overview.\n\nText (Other.) ends.');
  });
});

describe('readInfoManual', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'info-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const node = (name: string, up: string, body: string) => `\x1f\nFile: m.info,  Node: ${name},  Next: x,  Up: ${up}\n\n${body}\n`;
  it('reads the parts a split manual lists under Indirect:, in order, and skips the tag table', () => {
    writeFileSync(path.join(dir, 'm.info.gz'), gzipSync('This is m.info, produced by makeinfo.\n\x1f\nIndirect:\nm.info-1: 100\nm.info-2: 200\n\x1f\nTag Table:\n(Indirect)\nNode: Top\x7f100\n\x1f\nEnd Tag Table\n'));
    writeFileSync(path.join(dir, 'm.info-1.gz'), gzipSync('This is m.info.\n' + node('Top', '(dir)', 'Top text.\n\n* Menu:\n\n* A::') + node('A', 'Top', 'Chapter A.')));
    writeFileSync(path.join(dir, 'm.info-2.gz'), gzipSync('This is m.info.\n' + node('A.1', 'A', 'Section A.1.') + node('B', 'Top', 'Chapter B.')));
    const nodes = readInfoManual(path.join(dir, 'm.info.gz'));
    expect(nodes.map((n) => [n.name, n.up, n.text])).toEqual([
      ['Top', '(dir)', 'Top text.'], ['A', 'Top', 'Chapter A.'], ['A.1', 'A', 'Section A.1.'], ['B', 'Top', 'Chapter B.']]);
  });
});

describe('packDocuments', () => {
  // Paragraphs of 1..30 words; a word counts as one token here.
  const para = (i: number) => Array.from({ length: 1 + ((i * 7) % 30) }, (_, k) => `w${i}_${k}`).join(' ');
  const units: TextUnit[] = Array.from({ length: 60 }, (_, u) => ({
    text: Array.from({ length: 1 + (u % 5) }, (_, p) => para(u * 10 + p)).join('\n\n'),
    label: `u${u}`,
    chapterStart: u % 7 === 0,
  }));

  it('keeps every document within [min, max] and the text in its original order', () => {
    const docs = packDocuments(units, words, 60, 150);
    expect(docs.length).toBeGreaterThan(5);
    for (const d of docs) {
      expect(words(d.text)).toBeGreaterThanOrEqual(60);
      expect(words(d.text)).toBeLessThanOrEqual(150);
    }
    const all = units.map((u) => u.text).join(' ').split(/\s+/);
    const packed = docs.map((d) => d.text).join(' ').split(/\s+/);
    // In order, with at most a final remainder under min left out.
    expect(all.slice(0, packed.length)).toEqual(packed);
    expect(all.length - packed.length).toBeLessThan(60);
  });

  it('ends a document at a chapter start once it is long enough', () => {
    const docs = packDocuments(units, words, 60, 1000);
    expect(docs.length).toBeGreaterThan(3);
    for (const d of docs.slice(1)) expect(units.find((u) => u.label === d.labels[0])!.chapterStart).toBe(true);
  });
});

describe('dropSharedParagraphs', () => {
  it('removes exactly the paragraphs that share a 13-word phrase', () => {
    const shared = 'one two three four five six seven eight nine ten eleven twelve thirteen';
    const banned = wordNgrams(`prefix ${shared} suffix`);
    const r = dropSharedParagraphs(`Keep this.\n\nDrop: ${shared.toUpperCase()}!\n\nAlso keep one two three.`, banned);
    expect(r).toEqual({ text: 'Keep this.\n\nAlso keep one two three.', dropped: 1 });
  });
});
