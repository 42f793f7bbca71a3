/**
 * The SmolLM2 evaluation corpus built from this machine's Debian packages: reproducible bytes,
 * token counts that the tokenizer confirms, hashes that match the files, no phrase shared between
 * calibration and evaluation. Needs the source files and the SmolLM2 GGUF (for its tokenizer):
 * skipped with the reason when they are missing, failed instead under
 * SPARSE_INFERENCE_REQUIRE_SHARED=1 or SPARSE_INFERENCE_REQUIRE_MODELS=1 (.ci/run installs both).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus, MAX_TOKENS, MIN_TOKENS, type Manifest } from '../../scripts/corpus/build-corpus.mts';
import { CALIBRATION_MANUALS, EVAL_LICENCE_TEXTS, EVAL_MANUALS, PYDOC_TOPICS } from '../../scripts/corpus/sources.mts';
import { parseCorpusManifest } from '../../src/llama/eval/corpus-manifest.ts';
import { readGgufTokenizer } from '../../src/node/gguf-file.ts';
import { modelsRoot, SMOLLM2_GGUF } from '../_harness/models.ts';

const model = path.join(modelsRoot, SMOLLM2_GGUF);
const needed = [model, PYDOC_TOPICS.python, PYDOC_TOPICS.path,
  ...[...EVAL_MANUALS, ...CALIBRATION_MANUALS, ...EVAL_LICENCE_TEXTS].map((s) => s.path)];
const missing = needed.filter((p) => !existsSync(p));
const required = process.env.SPARSE_INFERENCE_REQUIRE_SHARED === '1' || process.env.SPARSE_INFERENCE_REQUIRE_MODELS === '1';
const reason = `missing ${missing.join(', ')} (apt packages: see docs/kvcache.md, SmolLM2 corpus; models: scripts/fetch-models)`;
if (missing.length > 0 && !required) console.warn(`[skip] SmolLM2 corpus: ${reason}`);

const sha = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
/** Word 13-grams written independently of the builder's: ASCII-folded, split on non-word runs. */
function grams13(text: string): Set<string> {
  const w = text.toLowerCase().normalize('NFKD').split(/[^\p{L}\p{N}_]+/u).filter((x) => x !== '');
  const s = new Set<string>();
  for (let i = 0; i + 13 <= w.length; i++) s.add(w.slice(i, i + 13).join(' '));
  return s;
}

describe.runIf(missing.length === 0 || required)('SmolLM2 evaluation corpus', () => {
  if (missing.length > 0) {
    it('has its source files', () => { throw new Error(reason); });
    return;
  }
  const dirs = [mkdtempSync(path.join(tmpdir(), 'corpus-a-')), mkdtempSync(path.join(tmpdir(), 'corpus-b-'))];
  let manifests: Manifest[] = [];
  beforeAll(() => { manifests = dirs.map((out) => buildCorpus({ out, model, seed: 0 })); }, 180_000);
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
  const read = (dir: string, file: string) => readFileSync(path.join(dir, file));

  it('builds the same bytes twice, in a manifest the library parses', () => {
    expect(read(dirs[1], 'manifest.json').equals(read(dirs[0], 'manifest.json'))).toBe(true);
    expect(parseCorpusManifest(read(dirs[0], 'manifest.json').toString('utf8'))).toEqual(manifests[0]);
    for (const d of manifests[0].documents) expect(read(dirs[1], d.file).equals(read(dirs[0], d.file))).toBe(true);
  });

  it('records hashes that match the written texts and the source files', () => {
    for (const d of manifests[0].documents) {
      const text = read(dirs[0], d.file);
      expect(sha(text), d.id).toBe(d.textSha256);
      expect(text.toString('utf8').length, d.id).toBe(d.chars);
      for (const s of d.sources) {
        expect(sha(readFileSync(s.realPath ?? s.path)), s.path).toBe(s.sha256);
        expect(s.package, s.path).not.toBe('');
        expect(s.packageVersion, s.path).not.toBe('');
      }
      if (d.kind !== 'uuid') expect(d.sources.length, d.id).toBeGreaterThan(0);
    }
  });

  it('has ≥ 20 evaluation documents of 4,000–8,192 tokens, as the tokenizer counts them', () => {
    const tok = readGgufTokenizer(model);
    const evalDocs = manifests[0].documents.filter((d) => d.split === 'eval');
    expect(evalDocs.length).toBeGreaterThanOrEqual(20);
    for (const d of manifests[0].documents) {
      const n = tok.encode(read(dirs[0], d.file).toString('utf8')).length;
      expect(n, d.id).toBe(d.tokens);
      if (d.kind !== 'uuid') {
        expect(n, d.id).toBeGreaterThanOrEqual(MIN_TOKENS);
        expect(n, d.id).toBeLessThanOrEqual(MAX_TOKENS);
      }
    }
    const uuid = manifests[0].documents.find((d) => d.kind === 'uuid')!;
    expect(uuid.tokens).toBeGreaterThanOrEqual(16_000);
    expect(read(dirs[0], uuid.file).toString('utf8')).toMatch(/^([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n?)+$/);
  });

  it('shares no 13-word phrase between calibration and evaluation, and no source package', () => {
    const evalGrams = new Set<string>();
    const docs = manifests[0].documents;
    for (const d of docs.filter((x) => x.split === 'eval')) for (const g of grams13(read(dirs[0], d.file).toString('utf8'))) evalGrams.add(g);
    for (const d of docs.filter((x) => x.split === 'calibration')) {
      const shared = [...grams13(read(dirs[0], d.file).toString('utf8'))].filter((g) => evalGrams.has(g));
      expect(shared, d.id).toEqual([]);
    }
    const packages = (split: string) => new Set(docs.filter((d) => d.split === split).flatMap((d) => d.sources.map((s) => s.path)));
    const evalFiles = packages('eval');
    for (const p of packages('calibration')) expect(evalFiles.has(p), p).toBe(false);
  });

  it('leaves no info markup in the texts', () => {
    for (const d of manifests[0].documents) {
      const t = read(dirs[0], d.file).toString('utf8');
      expect(t, d.id).not.toMatch(/[\0-\x08\x0b-\x1f\x7f]/);
      expect(t, d.id).not.toMatch(/^File: [^\n]*Node:/m);
      expect(t, d.id).not.toMatch(/^\* Menu:/m);
      expect(t, d.id).not.toMatch(/\*note [^*\n]*::/i);
    }
  });
});
