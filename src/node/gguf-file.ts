/**
 * GGUF models straight from a file (Node, Deno): the header is read in growing prefixes and each
 * tensor is read where it lies, so the file is never held whole in a JS buffer — quantized
 * weights go from the page cache into WASM memory.
 *
 * @example
 * const model = await readGgufModel('SmolLM2-135M-Instruct.Q4_1.gguf', { kernels, maxSeqLen: 4096 });
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import type { GgufSource } from '../llama/gguf/gguf-source.js';
import { loadGguf, type GgufLoadOptions } from '../llama/gguf/load-gguf.js';
import { parseGgufPrefix } from '../llama/gguf/parse-gguf.js';
import type { LlamaModel } from '../llama/model.js';
import { bpeTokenizerFromGguf } from '../llama/bpe/from-gguf.js';
import type { BpeTokenizer } from '../llama/bpe/bpe-tokenizer.js';

/** 4 MiB holds the header of a 50K-token vocabulary (SmolLM2: 1.8 MB) in one read and one parse. */
const FIRST_PREFIX = 4 << 20;

/** Open a GGUF file as a source; call dispose() when done reading (closes the file). */
export function openGgufFile(path: string): GgufSource & { dispose(): void } {
  if (typeof path !== 'string' || path === '') throw badArgument('path must be a non-empty string');
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  try {
    const size = fstatSync(fd).size;
    const read = (offset: number, dst: Uint8Array) => {
      let done = 0;
      while (done < dst.length) {
        const n = readSync(fd, dst, done, dst.length - done, offset + done);
        if (n === 0) throw new SparseInferenceError('BAD_FILE', `${path}: ended at byte ${offset + done} while reading (file changed?)`);
        done += n;
      }
    };
    for (let want = Math.min(FIRST_PREFIX, size); ; want = Math.min(2 * want, size)) {
      const prefix = new Uint8Array(want);
      read(0, prefix);
      const file = parseGgufPrefix(prefix, size, path);
      if (file !== null) return { file, read, dispose: () => closeSync(fd) };
    }
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Load a GGUF model from a path, reading tensors from the file as they are placed. */
export async function readGgufModel(path: string, opts: Omit<GgufLoadOptions, 'name'>): Promise<LlamaModel> {
  const source = openGgufFile(path);
  try {
    return loadGguf(source, opts);
  } finally {
    source.dispose();
  }
}

/**
 * A GGUF model and the tokenizer in its metadata from one read and parse of the header (SmolLM2:
 * 1.8 MB holding 49152 token strings and 48900 merges), where readGgufModel then
 * readGgufTokenizer parse it twice: a few MB less peak memory, and less start-up time. The
 * tokenizer is built first, so a file without one fails before any weight is read.
 */
export async function readGgufModelAndTokenizer(path: string, opts: Omit<GgufLoadOptions, 'name'>):
  Promise<{ model: LlamaModel; tokenizer: BpeTokenizer }> {
  const source = openGgufFile(path);
  try {
    const tokenizer = bpeTokenizerFromGguf(source.file.metadata, { name: path });
    return { model: loadGguf(source, opts), tokenizer };
  } finally {
    source.dispose();
  }
}

/** The byte-level BPE tokenizer stored in a GGUF file's metadata (only the header is read). */
export function readGgufTokenizer(path: string): BpeTokenizer {
  const source = openGgufFile(path);
  source.dispose();
  return bpeTokenizerFromGguf(source.file.metadata, { name: path });
}
