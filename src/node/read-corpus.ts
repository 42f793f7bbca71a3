/**
 * Read the SmolLM2 evaluation corpus from a directory (manifest.json and the texts it lists, as
 * scripts/corpus/build-corpus.mts writes them): the documents of one split with their text,
 * each checked against the sha256 the manifest records, so an edited or truncated text fails
 * here rather than quietly changing a table.
 *
 * @example
 * const evalDocs = await readCorpus('corpus', 'eval');
 * evalDocs[0].id;     // 'coreutils-1'
 * evalDocs[0].text;   // the document's text
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { corpusDocuments, parseCorpusManifest, type CorpusDocument, type CorpusSplit } from '../llama/eval/corpus-manifest.js';

/** One document of the corpus with its text. */
export interface CorpusText extends CorpusDocument {
  text: string;
}

export async function readCorpus(dir: string, split: CorpusSplit): Promise<CorpusText[]> {
  if (typeof dir !== 'string' || dir === '') throw badArgument('dir must be the corpus directory (it holds manifest.json)');
  const manifestPath = join(dir, 'manifest.json');
  let json: string;
  try {
    json = await readFile(manifestPath, 'utf8');
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read corpus manifest ${manifestPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  const docs = corpusDocuments(parseCorpusManifest(json, manifestPath), split);
  return Promise.all(docs.map(async (doc) => {
    const path = join(dir, doc.file);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new SparseInferenceError('BAD_FILE', `cannot read corpus document ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== doc.textSha256) throw new SparseInferenceError('BAD_FILE', `${path}: sha256 ${sha} differs from the manifest's ${doc.textSha256}`);
    return { ...doc, text: bytes.toString('utf8') };
  }));
}
