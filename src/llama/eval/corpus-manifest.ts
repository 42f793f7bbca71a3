/**
 * The manifest of the SmolLM2 evaluation corpus (written by scripts/corpus/build-corpus.mts):
 * which documents exist, where each came from, and what its text must hash to. Evaluation code
 * parses it here, so a hand-edited or truncated manifest fails with the field it got wrong
 * rather than as a missing document halfway through a run.
 *
 * @example
 * const manifest = parseCorpusManifest(readFileSync('corpus/manifest.json', 'utf8'));
 * for (const doc of corpusDocuments(manifest, 'eval')) {
 *   const text = readFileSync(path.join('corpus', doc.file), 'utf8');   // check doc.textSha256 if you like
 * }
 */
import { SparseInferenceError, badArgument } from '../../core/errors.js';

export const CORPUS_FORMAT = 'sparse-inference-corpus/1';
export type CorpusSplit = 'eval' | 'calibration';
export type CorpusDocumentKind = 'info' | 'licence' | 'pydoc' | 'uuid';

/** One source file: its Debian package and the sha256 of its bytes. */
export interface CorpusSourceFile {
  path: string;
  /** The file a symlink resolves to, when it differs from path. */
  realPath?: string;
  package: string;
  packageVersion: string;
  sha256: string;
}

export interface CorpusDocument {
  id: string;
  split: CorpusSplit;
  /** Path of the text file, relative to the corpus directory. */
  file: string;
  kind: CorpusDocumentKind;
  sources: CorpusSourceFile[];
  licence: string;
  /** Info nodes or pydoc topics the document holds, in order. */
  parts?: string[];
  textSha256: string;
  chars: number;
  /** SmolLM2 tokens of the text (encode, no BOS). */
  tokens: number;
}

export interface CorpusManifest {
  format: typeof CORPUS_FORMAT;
  tokenizer: { file: string; sha256: string };
  rules: Record<string, number | string>;
  documents: CorpusDocument[];
  /** Sources considered and left out, with the reason. */
  excluded: { source: string; reason: string }[];
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Parses and checks a manifest (JSON text or the parsed object); throws BAD_FILE naming the field. */
export function parseCorpusManifest(json: string | unknown, name = 'corpus manifest'): CorpusManifest {
  let m: unknown = json;
  if (typeof json === 'string') {
    try { m = JSON.parse(json); } catch (e) { throw new SparseInferenceError('BAD_FILE', `${name}: not JSON (${(e as Error).message})`, { cause: e }); }
  }
  checkManifest(m, name);
  return m;
}

/** Every field a CorpusManifest has, checked; BAD_FILE naming the first one that is wrong. */
function checkManifest(m: unknown, name: string): asserts m is CorpusManifest {
  const bad = (msg: string) => new SparseInferenceError('BAD_FILE', `${name}: ${msg}`);
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw bad('must be a JSON object');
  const o = m as Record<string, unknown>;
  if (o.format !== CORPUS_FORMAT) throw bad(`format must be "${CORPUS_FORMAT}", got ${JSON.stringify(o.format)}`);
  const tok = o.tokenizer as Record<string, unknown> | undefined;
  if (!tok || typeof tok.file !== 'string' || typeof tok.sha256 !== 'string' || !SHA256.test(tok.sha256)) throw bad('tokenizer must hold file and a sha256');
  if (!o.rules || typeof o.rules !== 'object') throw bad('rules must be an object');
  if (!Array.isArray(o.excluded)) throw bad('excluded must be an array');
  if (!Array.isArray(o.documents) || o.documents.length === 0) throw bad('documents must be a non-empty array');
  const ids = new Set<string>();
  o.documents.forEach((d: unknown, i: number) => {
    const at = `documents[${i}]`;
    if (d === null || typeof d !== 'object') throw bad(`${at} must be an object`);
    const doc = d as Record<string, unknown>;
    for (const key of ['id', 'file', 'licence']) if (typeof doc[key] !== 'string' || doc[key] === '') throw bad(`${at}.${key} must be a non-empty string`);
    if (ids.has(doc.id as string)) throw bad(`${at}.id ${JSON.stringify(doc.id)} appears twice`);
    ids.add(doc.id as string);
    if (doc.split !== 'eval' && doc.split !== 'calibration') throw bad(`${at}.split must be "eval" or "calibration", got ${JSON.stringify(doc.split)}`);
    if (!['info', 'licence', 'pydoc', 'uuid'].includes(doc.kind as string)) throw bad(`${at}.kind ${JSON.stringify(doc.kind)} is not info, licence, pydoc or uuid`);
    const file = doc.file as string;
    if (file.startsWith('/') || file.split(/[\\/]/).includes('..')) throw bad(`${at}.file must be a path inside the corpus directory, got ${JSON.stringify(file)}`);
    if (typeof doc.textSha256 !== 'string' || !SHA256.test(doc.textSha256)) throw bad(`${at}.textSha256 must be 64 hex digits`);
    for (const key of ['chars', 'tokens']) {
      if (typeof doc[key] !== 'number' || !Number.isInteger(doc[key]) || (doc[key] as number) < 1) throw bad(`${at}.${key} must be a positive integer`);
    }
    if (!Array.isArray(doc.sources)) throw bad(`${at}.sources must be an array`);
    doc.sources.forEach((s: unknown, j: number) => {
      const src = s as Record<string, unknown>;
      if (!src || typeof src.path !== 'string' || typeof src.package !== 'string' || typeof src.packageVersion !== 'string'
        || typeof src.sha256 !== 'string' || !SHA256.test(src.sha256)) throw bad(`${at}.sources[${j}] must hold path, package, packageVersion and a sha256`);
    });
    if (doc.parts !== undefined && (!Array.isArray(doc.parts) || doc.parts.some((p) => typeof p !== 'string'))) throw bad(`${at}.parts must be an array of strings`);
  });
}

/** The documents of one split, in manifest order. */
export function corpusDocuments(manifest: CorpusManifest, split: CorpusSplit): CorpusDocument[] {
  if (manifest === null || typeof manifest !== 'object' || !Array.isArray(manifest.documents)) throw badArgument('manifest must be a parsed corpus manifest (parseCorpusManifest)');
  if (split !== 'eval' && split !== 'calibration') throw badArgument(`split must be "eval" or "calibration", got ${JSON.stringify(split)}`);
  return manifest.documents.filter((d) => d.split === split);
}
