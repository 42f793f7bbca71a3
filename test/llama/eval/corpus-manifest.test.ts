/**
 * parseCorpusManifest accepts what the builder writes (shape below mirrors it; the real manifest
 * is parsed in test/corpus/corpus-build.test.ts) and names the field of each corruption.
 */
import { describe, expect, it } from 'vitest';
import { SparseInferenceError } from '../../../src/core/errors.ts';
import { corpusDocuments, parseCorpusManifest } from '../../../src/llama/eval/corpus-manifest.ts';

const hash = 'ab'.repeat(32);
const doc = (id: string, split: string) => ({
  id, split, file: `${split}/${id}.txt`, kind: 'info', licence: 'GFDL-1.3-or-later',
  sources: [{ path: '/usr/share/info/sed.info.gz', package: 'sed', packageVersion: '4.9-1', sha256: hash }],
  parts: ['Introduction'], textSha256: hash, chars: 100, tokens: 25,
});
const valid = () => ({
  format: 'sparse-inference-corpus/1', tokenizer: { file: 'm.gguf', sha256: hash }, rules: { minTokens: 4000 },
  documents: [doc('sed-1', 'eval'), doc('ed-1', 'calibration')], excluded: [],
});

describe('parseCorpusManifest', () => {
  it('accepts a well-formed manifest, as JSON text or object, and splits it', () => {
    const m = parseCorpusManifest(JSON.stringify(valid()));
    expect(m).toEqual(valid());
    expect(corpusDocuments(m, 'eval').map((d) => d.id)).toEqual(['sed-1']);
    expect(corpusDocuments(parseCorpusManifest(valid()), 'calibration').map((d) => d.id)).toEqual(['ed-1']);
  });
  const cases: [string, (m: ReturnType<typeof valid>) => unknown, string][] = [
    ['not JSON', () => '{', 'not JSON'],
    ['wrong format', (m) => ({ ...m, format: 'other/1' }), 'format'],
    ['tokenizer hash', (m) => ({ ...m, tokenizer: { file: 'x', sha256: 'zz' } }), 'tokenizer'],
    ['no documents', (m) => ({ ...m, documents: [] }), 'documents'],
    ['duplicate id', (m) => ({ ...m, documents: [m.documents[0], m.documents[0]] }), 'documents[1].id'],
    ['bad split', (m) => ({ ...m, documents: [{ ...m.documents[0], split: 'test' }] }), 'documents[0].split'],
    ['bad kind', (m) => ({ ...m, documents: [{ ...m.documents[0], kind: 'web' }] }), 'documents[0].kind'],
    ['escaping path', (m) => ({ ...m, documents: [{ ...m.documents[0], file: '../x.txt' }] }), 'documents[0].file'],
    ['absolute path', (m) => ({ ...m, documents: [{ ...m.documents[0], file: '/etc/passwd' }] }), 'documents[0].file'],
    ['text hash', (m) => ({ ...m, documents: [{ ...m.documents[0], textSha256: 'ABC' }] }), 'documents[0].textSha256'],
    ['token count', (m) => ({ ...m, documents: [{ ...m.documents[0], tokens: 2.5 }] }), 'documents[0].tokens'],
    ['source hash', (m) => ({ ...m, documents: [{ ...m.documents[0], sources: [{ path: 'p', package: 'x', packageVersion: '1' }] }] }), 'documents[0].sources[0]'],
    ['parts', (m) => ({ ...m, documents: [{ ...m.documents[0], parts: [1] }] }), 'documents[0].parts'],
  ];
  for (const [what, corrupt, field] of cases) {
    it(`rejects ${what} with BAD_FILE naming ${field}`, () => {
      const f = () => parseCorpusManifest(corrupt(valid()));
      expect(f).toThrow(SparseInferenceError);
      expect(f).toThrow(field);
      try { f(); } catch (e) { expect((e as SparseInferenceError).code).toBe('BAD_FILE'); }
    });
  }
  it('corpusDocuments checks its arguments', () => {
    expect(() => corpusDocuments(null as never, 'eval')).toThrow('manifest');
    expect(() => corpusDocuments(parseCorpusManifest(valid()), 'test' as never)).toThrow('split');
  });
});
