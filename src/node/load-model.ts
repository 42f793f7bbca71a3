/**
 * `loadModel(pathOrBytes)` for Node and Deno: a path to a checkpoint file (llama2.c, safetensors
 * with config.json beside it, GGUF) or a Hugging Face model directory, or the bytes of one file.
 * The format is detected from the file's first bytes, not its name.
 *
 * @example
 * import { loadModel } from 'sparse-inference/node';
 * const model = await loadModel('../shared/stories260K.bin');
 */
import { readFile, stat, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { createKernels } from '../backends/create-kernels.js';
import { readLlama2cModel, readLlamaModel } from '../llama/node-files.js';
import { readGgufModel } from './gguf-file.js';
import { loadModel as loadModelBytes, LOAD_MODEL_KEYS, type LoadModelOptions } from '../llama/load-model.js';
import { checkpointLoader, detectCheckpointFormat, DETECT_BYTES } from '../llama/detect-format.js';
import type { LlamaModel } from '../llama/model.js';

/**
 * Load a Llama checkpoint from a path or from bytes. A directory is read as a Hugging Face
 * checkpoint (config.json and model.safetensors, or an index and its shards); a `.safetensors`
 * file needs config.json beside it unless `config` is given.
 */
export async function loadModel(pathOrBytes: string | Uint8Array, options: LoadModelOptions = {}): Promise<LlamaModel> {
  if (pathOrBytes instanceof Uint8Array) return loadModelBytes(pathOrBytes, options);
  if (typeof pathOrBytes !== 'string' || pathOrBytes === '') {
    throw badArgument(`pathOrBytes must be a file path or a Uint8Array, got ${pathOrBytes === '' ? 'an empty string' : typeof pathOrBytes}`);
  }
  const path = pathOrBytes;
  let info;
  try { info = await stat(path); } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read model ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  if (info.isDirectory()) {
    const o = checkOptions('loadModel options', options, ['kernels', 'checkFinite', 'maxSeqLen', 'kvType']);
    return readLlamaModel(path, { kernels: o.kernels ?? await createKernels(), checkFinite: o.checkFinite, maxSeqLen: o.maxSeqLen, kvType: o.kvType });
  }
  const format = detectCheckpointFormat(await readPrefix(path), path);
  const loader = checkpointLoader(format, path);
  const o = checkOptions('loadModel options', options, [...LOAD_MODEL_KEYS, ...loader.extraOptions]);
  if (loader.loadPath) return loader.loadPath(path, { ...o, kernels: o.kernels ?? await createKernels(), name: o.name ?? path });
  // GGUF and llama2.c files are read tensor by tensor into resident memory, never whole.
  if (format === 'gguf' && o.config === undefined) {
    return readGgufModel(path, { kernels: o.kernels ?? await createKernels(), checkFinite: o.checkFinite, maxSeqLen: o.maxSeqLen,
      weights: (o as { weights?: 'quantized' | 'f32' }).weights, activations: (o as { activations?: 'int8' | 'f32' }).activations,
      kvType: o.kvType });
  }
  if (format === 'llama2c' && o.config === undefined && o.maxSeqLen === undefined) {
    return readLlama2cModel(path, info.size, { kernels: o.kernels ?? await createKernels(), checkFinite: o.checkFinite, kvType: o.kvType });
  }
  let config = o.config;
  if (format === 'safetensors' && config === undefined) {
    const beside = join(dirname(path), 'config.json');
    try { config = await readFile(beside, 'utf8'); } catch (e) {
      throw new SparseInferenceError('BAD_FILE', `${path}: a safetensors checkpoint needs config.json beside it (${beside} not readable)`, { cause: e });
    }
  }
  return loadModelBytes(new Uint8Array(await readFile(path)), { ...o, config, name: o.name ?? path });
}

/** The first DETECT_BYTES of a file (fewer if it is shorter). */
async function readPrefix(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = new Uint8Array(DETECT_BYTES);
    const { bytesRead } = await handle.read(buf, 0, DETECT_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
