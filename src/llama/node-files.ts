/**
 * Node-only file helpers for the llama runtime (kept apart so the core stays runtime-neutral:
 * everything else takes bytes). A model path may be
 *   - a GGUF file (llama.cpp; read tensor by tensor, src/node/gguf-file.ts),
 *   - a llama2.c checkpoint (any other file name),
 *   - a `.safetensors` file with `config.json` beside it,
 *   - a directory holding config.json and model.safetensors or model.safetensors.index.json
 *     with its shards.
 *
 * @example
 * const model = await readLlamaModel('models/stories260K.bin', { kernels });
 * const tokenizer = await readTokenizer('models/tok512.bin', model.config.vocabSize);
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import type { CpuKernels, Kernels } from '../kernels/kernels.js';
import { isCpuKernels } from '../kernels/check-kernels.js';
import { readGgufModel } from '../node/gguf-file.js';
import { loadLlama2cFrom, parseLlama2cHeaderOf } from './load-llama2c.js';
import { loadSafetensors } from './load-safetensors.js';
import type { KvType, LlamaModel } from './model.js';
import { loadTokenizer, type Tokenizer } from './tokenizer.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface ReadModelOptions {
  kernels: Kernels;
  checkFinite?: boolean;
  /** For HF and GGUF checkpoints: cap the context below the model's own. */
  maxSeqLen?: number;
  /** For GGUF: keep Q4_1/Q8_0 matrices quantized (default) or dequantize everything to float32. */
  weights?: 'quantized' | 'f32';
  /** How the KV cache stores its rows: 'f32' (default) or 'f16' (binary16; see KvType). */
  kvType?: KvType;
}

/** GGUF files start with the magic "GGUF". */
async function isGguf(path: string): Promise<boolean> {
  if (path.endsWith('.gguf')) return true;
  try {
    const f = await open(path, 'r');
    try {
      const head = new Uint8Array(4);
      await f.read(head, 0, 4, 0);
      return new TextDecoder().decode(head) === 'GGUF';
    } finally { await f.close(); }
  } catch { return false; }
}

/** Every key of ReadModelOptions, for checkOptions. */
export const READ_MODEL_KEYS = optionKeys<ReadModelOptions>({ kernels: true, checkFinite: true, maxSeqLen: true, weights: true, kvType: true });

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    const b = await readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

async function exists(path: string): Promise<boolean> {
  try { await stat(path); return true; } catch { return false; }
}

/**
 * A llama2.c checkpoint read tensor by tensor straight into resident memory: peak memory is the
 * model, not the model plus a copy of the file.
 */
export async function readLlama2cModel(path: string, size: number, opts: ReadModelOptions): Promise<LlamaModel> {
  const fd = openSync(path, 'r');
  try {
    const read = (offset: number, dst: Uint8Array) => {
      for (let done = 0; done < dst.length;) {
        const n = readSync(fd, dst, done, dst.length - done, offset + done);
        if (n === 0) throw new SparseInferenceError('BAD_FILE', `${path}: ended at byte ${offset + done} while reading (file changed?)`);
        done += n;
      }
    };
    const head = new Uint8Array(Math.min(28, size));
    read(0, head);
    const header = parseLlama2cHeaderOf(head, size, path);
    return loadLlama2cFrom(header, read, { kernels: opts.kernels, checkFinite: opts.checkFinite, name: path, kvType: opts.kvType });
  } finally {
    closeSync(fd);
  }
}

/** Load a llama2.c or Hugging Face model from a path (see the module comment). */
export async function readLlamaModel(path: string, opts: ReadModelOptions): Promise<LlamaModel> {
  opts = checkOptions('readLlamaModel options', opts, READ_MODEL_KEYS);
  if (typeof path !== 'string' || path === '') throw badArgument('model path must be a non-empty string');
  let info;
  try { info = await stat(path); } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read model ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  if (!info.isDirectory() && await isGguf(path)) {
    if (!isCpuKernels(opts.kernels) && opts.weights !== 'f32') {
      return readGgufModel(path, { kernels: opts.kernels, checkFinite: opts.checkFinite, maxSeqLen: opts.maxSeqLen, weights: 'f32', kvType: opts.kvType });
    }
    return readGgufModel(path, { kernels: opts.kernels, checkFinite: opts.checkFinite, maxSeqLen: opts.maxSeqLen, weights: opts.weights, kvType: opts.kvType });
  }
  if (!info.isDirectory() && !path.endsWith('.safetensors')) return readLlama2cModel(path, info.size, opts);
  const dir = info.isDirectory() ? path : dirname(path);
  const configPath = join(dir, 'config.json');
  if (!(await exists(configPath))) {
    throw new SparseInferenceError('BAD_FILE', `${dir}: no config.json beside the safetensors weights`);
  }
  const config = new TextDecoder().decode(await readBytes(configPath, 'config'));
  const load = { kernels: opts.kernels, checkFinite: opts.checkFinite, maxSeqLen: opts.maxSeqLen, kvType: opts.kvType };
  if (!info.isDirectory()) {
    return loadSafetensors({ [basename(path)]: await readBytes(path, 'weights') }, config, load);
  }
  const single = join(dir, 'model.safetensors');
  if (await exists(single)) return loadSafetensors({ 'model.safetensors': await readBytes(single, 'weights') }, config, load);
  const indexPath = join(dir, 'model.safetensors.index.json');
  if (!(await exists(indexPath))) {
    throw new SparseInferenceError('BAD_FILE', `${dir}: neither model.safetensors nor model.safetensors.index.json found`);
  }
  const indexText = new TextDecoder().decode(await readBytes(indexPath, 'index'));
  let index: { weight_map?: Record<string, string> };
  try { index = JSON.parse(indexText); } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `${indexPath}: not valid JSON (${(e as Error).message})`);
  }
  const shardNames = [...new Set(Object.values(index.weight_map ?? {}))];
  if (shardNames.length === 0) throw new SparseInferenceError('BAD_FILE', `${indexPath}: weight_map is empty or missing`);
  const shards: Record<string, Uint8Array> = {};
  for (const name of shardNames) {
    if (typeof name !== 'string' || name.includes('/') || name.includes('\\')) {
      throw new SparseInferenceError('BAD_FILE', `${indexPath}: shard name ${JSON.stringify(name)} is not a plain file name`);
    }
    shards[name] = await readBytes(join(dir, name), 'shard');
  }
  return loadSafetensors(shards, config, { ...load, index: indexText });
}

/** Load a llama2.c tokenizer file; pass the model's vocab size to check they match. */
export async function readTokenizer(path: string, vocabSize?: number): Promise<Tokenizer> {
  if (typeof path !== 'string' || path === '') throw badArgument('tokenizer path must be a non-empty string');
  return loadTokenizer(await readBytes(path, 'tokenizer'), { vocabSize, name: path });
}
