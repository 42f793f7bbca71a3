/**
 * Builds the SmolLM2 evaluation corpus from freely licensed texts that Debian packages install:
 * GNU info manuals, the licence texts in /usr/share/common-licenses and Python's pydoc topics.
 * Not part of the package. Output (deterministic: same machine packages, same bytes):
 *
 *   <out>/eval/<id>.txt          evaluation documents, 4,000–8,192 SmolLM2 tokens each
 *   <out>/calibration/<id>.txt   calibration documents (other packages) and random UUID lines
 *   <out>/manifest.json          every document: sources, package, version, licence, hashes, tokens
 *
 *   npx tsx scripts/corpus/build-corpus.mts [--out DIR] [--model GGUF] [--seed N]
 *
 * DIR defaults to $SPARSE_INFERENCE_CORPUS, else corpus/ in the repository root (git-ignored);
 * GGUF defaults to models/SmolLM2-135M-Instruct.Q4_1.gguf (scripts/fetch-models), whose tokenizer
 * counts the tokens.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/core/rng.ts';
import { CORPUS_FORMAT, type CorpusDocument, type CorpusManifest } from '../../src/llama/eval/corpus-manifest.ts';
import { readGgufTokenizer } from '../../src/node/gguf-file.ts';
import { readInfoManual } from './info-manual.mts';
import { packDocuments, type PackedDocument, type TextUnit } from './pack-documents.mts';
import { provenance, sha256, type FileProvenance } from './provenance.mts';
import { CALIBRATION_MANUALS, EVAL_LICENCE_TEXTS, EVAL_MANUALS, PYDOC_TOPICS, SKIPPED_NODE, type InfoSource } from './sources.mts';
import { uuidLines } from './uuid-text.mts';
import { dropSharedParagraphs, OVERLAP_N, wordNgrams } from './ngrams.mts';

/**
 * Document length bounds in SmolLM2 tokens; packing aims inside them by a margin. The upper bound
 * is SmolLM2-135M's context (GGUF llama.context_length = 8192), so a document fits the model whole.
 */
export const MIN_TOKENS = 4000;
export const MAX_TOKENS = 8192;
const PACK_MARGIN = 100;
/** At most this many documents per evaluation manual, spread evenly over it. */
const DOCS_PER_MANUAL = 3;
/** The paper's calibration set: ~64K tokens of text plus ~16K tokens of random UUIDs. */
const CALIBRATION_TEXT_TOKENS = 64_000;
const CALIBRATION_UUID_TOKENS = 16_000;

export type ManifestDocument = CorpusDocument;
export type Manifest = CorpusManifest;

export interface BuildOptions {
  out: string;
  model: string;
  seed: number;
  log?: (line: string) => void;
}

export function buildCorpus(opts: BuildOptions): Manifest {
  const log = opts.log ?? (() => {});
  const tokenizer = readGgufTokenizer(opts.model);
  const count = (text: string) => tokenizer.encode(text).length;
  const documents: ManifestDocument[] = [];
  const excluded: Manifest['excluded'] = [];
  const texts = new Map<string, string>();
  const add = (doc: Omit<ManifestDocument, 'file' | 'textSha256' | 'chars' | 'tokens'>, text: string) => {
    const tokens = count(text);
    documents.push({ ...doc, file: `${doc.split}/${doc.id}.txt`, textSha256: sha256(text), chars: text.length, tokens });
    texts.set(doc.id, text);
    log(`${doc.id}: ${tokens} tokens`);
  };
  const pack = (units: TextUnit[]) => packDocuments(units, count, MIN_TOKENS + PACK_MARGIN, MAX_TOKENS - PACK_MARGIN);

  for (const source of EVAL_MANUALS) {
    const docs = pack(manualUnits(source));
    const picked = spread(docs.length, DOCS_PER_MANUAL);
    const sources = manualProvenance(source);
    picked.forEach((i, k) => add({ id: `${source.name}-${k + 1}`, split: 'eval', kind: 'info', sources, licence: source.licence, parts: docs[i].labels }, docs[i].text));
  }
  for (const source of EVAL_LICENCE_TEXTS) {
    const text = normaliseText(readFileSync(source.path, 'utf8'));
    const tokens = count(text);
    if (tokens < MIN_TOKENS) { excluded.push({ source: source.path, reason: `${tokens} tokens < ${MIN_TOKENS}` }); continue; }
    add({ id: `licence-${source.name}`, split: 'eval', kind: 'licence', sources: [provenance(source.path)], licence: source.licence }, text);
  }

  // Calibration: the calibration manuals up to half the text budget, then pydoc topics to the full.
  // A paragraph sharing any 13-word phrase with the evaluation text is left out (GNU manuals
  // repeat a few passages, e.g. gzip's and grep's notes on environment variables).
  const evalNgrams = new Set<string>();
  for (const d of documents) for (const g of wordNgrams(texts.get(d.id)!)) evalNgrams.add(g);
  let droppedParagraphs = 0;
  const decontaminate = (units: TextUnit[]) => units.map((u) => {
    const r = dropSharedParagraphs(u.text, evalNgrams);
    droppedParagraphs += r.dropped;
    return { ...u, text: r.text };
  }).filter((u) => u.text.length > 0);
  let calibrationTokens = 0;
  const addCalibration = (id: string, kind: 'info' | 'pydoc', sources: FileProvenance[], licence: string, d: PackedDocument) => {
    add({ id, split: 'calibration', kind, sources, licence, parts: d.labels }, d.text);
    calibrationTokens += documents[documents.length - 1].tokens;
  };
  for (const source of CALIBRATION_MANUALS) {
    if (calibrationTokens >= CALIBRATION_TEXT_TOKENS / 2) { excluded.push({ source: source.path, reason: 'calibration manuals already have half the calibration tokens' }); continue; }
    const docs = pack(decontaminate(manualUnits(source)));
    if (docs.length === 0) { excluded.push({ source: source.path, reason: `shorter than ${MIN_TOKENS} tokens after cleaning` }); continue; }
    const sources = manualProvenance(source);
    for (const [i, d] of docs.entries()) {
      if (calibrationTokens >= CALIBRATION_TEXT_TOKENS / 2) break;
      addCalibration(`${source.name}-${i + 1}`, 'info', sources, source.licence, d);
    }
  }
  const pydocSources = [provenance(PYDOC_TOPICS.path)];
  for (const [i, d] of pack(decontaminate(pydocUnits())).entries()) {
    if (calibrationTokens >= CALIBRATION_TEXT_TOKENS) break;
    addCalibration(`pydoc-${i + 1}`, 'pydoc', pydocSources, PYDOC_TOPICS.licence, d);
  }
  add({ id: 'uuid', split: 'calibration', kind: 'uuid', sources: [], licence: 'generated (seeded random UUIDs)' },
    uuidLines(new Rng(opts.seed), CALIBRATION_UUID_TOKENS, count));

  const manifest: Manifest = {
    format: CORPUS_FORMAT,
    tokenizer: { file: path.basename(opts.model), sha256: sha256(readFileSync(opts.model)) },
    rules: {
      minTokens: MIN_TOKENS, maxTokens: MAX_TOKENS, docsPerManual: DOCS_PER_MANUAL,
      calibrationTextTokens: CALIBRATION_TEXT_TOKENS, calibrationUuidTokens: CALIBRATION_UUID_TOKENS, seed: opts.seed,
      tokenCount: 'tokenizer.encode(text) of the GGUF tokenizer, no BOS',
      overlapNgram: OVERLAP_N,
      calibrationParagraphsDroppedForOverlap: droppedParagraphs,
    },
    documents,
    excluded,
  };
  writeCorpus(opts.out, manifest, texts);
  return manifest;
}

/** The corpus directory, replaced whole so no stale document survives a rebuild. */
function writeCorpus(out: string, manifest: Manifest, texts: Map<string, string>): void {
  for (const split of ['eval', 'calibration']) {
    rmSync(path.join(out, split), { recursive: true, force: true });
    mkdirSync(path.join(out, split), { recursive: true });
  }
  for (const doc of manifest.documents) writeFileSync(path.join(out, doc.file), texts.get(doc.id)!);
  writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
}

/** Nodes of a manual as packing units; a node whose parent is Top starts a chapter. */
function manualUnits(source: InfoSource): TextUnit[] {
  return readInfoManual(source.path)
    .filter((n) => !SKIPPED_NODE.test(n.name) && n.text.length > 0)
    .map((n) => ({ text: n.text, label: n.name, chapterStart: n.up === 'Top' }));
}

/** Every file of a manual with its package, after checking the manual states the licence we claim. */
function manualProvenance(source: InfoSource): FileProvenance[] {
  const nodes = readInfoManual(source.path);
  const top = nodes.map((n) => n.text).join('\n').replace(/\s+/g, ' ');
  if (!top.includes(source.licenceEvidence)) throw new Error(`${source.path}: permission notice "${source.licenceEvidence}" not found; check its licence`);
  const files = [source.path];
  const dir = path.dirname(source.path);
  const base = path.basename(source.path).replace(/\.info\.gz$/, '');
  for (let i = 1; ; i++) {
    const part = path.join(dir, `${base}.info-${i}.gz`);
    try { readFileSync(part); } catch { break; }
    files.push(part);
  }
  return files.map(provenance);
}

/** pydoc topics as units, in sorted key order (each topic is its own "chapter"). */
function pydocUnits(): TextUnit[] {
  const json = execFileSync(PYDOC_TOPICS.python, ['-c',
    `import json, pydoc_data.topics as t; assert t.__file__ == ${JSON.stringify(PYDOC_TOPICS.path)}, t.__file__; print(json.dumps(t.topics, sort_keys=True))`],
  { encoding: 'utf8', maxBuffer: 64 << 20 });
  const topics = JSON.parse(json) as Record<string, string>;
  return Object.keys(topics).sort().map((k) => ({ text: normaliseText(topics[k]), label: k, chapterStart: true }));
}

/** Trailing spaces removed, at most one blank line in a row, no form feeds. */
function normaliseText(text: string): string {
  return text.replace(/\f/g, '').split('\n').map((l) => l.replace(/\s+$/, '')).join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** k indices spread evenly over 0..n-1 (all of them when n <= k). */
function spread(n: number, k: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / (k - 1)));
}

function main(): void {
  const args = process.argv.slice(2);
  const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const out = path.resolve(flag('--out') ?? process.env.SPARSE_INFERENCE_CORPUS ?? path.join(root, 'corpus'));
  const model = path.resolve(flag('--model') ?? path.join(process.env.SPARSE_INFERENCE_MODELS ?? path.join(root, 'models'), 'SmolLM2-135M-Instruct.Q4_1.gguf'));
  const seed = Number(flag('--seed') ?? 0);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${flag('--seed')}`);
  const manifest = buildCorpus({ out, model, seed, log: (l) => console.log(l) });
  const byS = (s: string) => manifest.documents.filter((d) => d.split === s);
  for (const s of ['eval', 'calibration']) {
    const t = byS(s).map((d) => d.tokens).sort((a, b) => a - b);
    console.log(`${s}: ${t.length} documents, ${t.reduce((a, b) => a + b, 0)} tokens (min ${t[0]}, median ${(t[(t.length - 1) >> 1] + t[t.length >> 1]) / 2}, max ${t[t.length - 1]})`);
  }
  console.log(`wrote ${out}/manifest.json`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
