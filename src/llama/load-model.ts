/**
 * One loader for every checkpoint format: the format is detected from the bytes (GGUF magic,
 * safetensors header, llama2.c header; see detect-format.ts) and the registered loader runs.
 * Kernels default to `createKernels()` (the best available synchronous backend).
 *
 * @example
 * import { loadModel } from 'sparse-inference/llama';
 * const model = await loadModel(new Uint8Array(await (await fetch('stories260K.bin')).arrayBuffer()));
 */
import { createKernels } from '../backends/create-kernels.js';
import { checkOptions } from '../core/options.js';
import type { CpuKernels, Kernels } from '../kernels/kernels.js';
import type { LlamaModel } from './model.js';
import { checkpointLoader, detectCheckpointFormat, type CheckpointLoadOptions } from './detect-format.js';

/** Options of loadModel: those of every format, kernels optional. */
export interface LoadModelOptions extends Omit<CheckpointLoadOptions, 'kernels'> {
  /** Kernels the weights are resident in (default: `await createKernels()`). */
  kernels?: Kernels;
  /** Format-specific options (e.g. of a GGUF loader) pass through under their own keys. */
  [key: string]: unknown;
}

/** The keys every format accepts; a format's loader adds its own (CheckpointLoader.extraOptions). */
export const LOAD_MODEL_KEYS = ['kernels', 'checkFinite', 'name', 'maxSeqLen', 'config', 'kvType'] as const;

/**
 * Load a Llama checkpoint from its bytes, whatever its format. Throws BAD_FILE for an unknown or
 * corrupt file, UNAVAILABLE for a format whose loader is not built in (GGUF until it is), and
 * BAD_ARGUMENT for options the format does not take (e.g. a safetensors file without `config`).
 */
export async function loadModel(bytes: Uint8Array, options: LoadModelOptions = {}): Promise<LlamaModel> {
  const name = typeof options?.name === 'string' ? options.name : 'checkpoint';
  const format = detectCheckpointFormat(bytes, name);
  const loader = checkpointLoader(format, name);
  const o = checkOptions('loadModel options', options, [...LOAD_MODEL_KEYS, ...loader.extraOptions]);
  const kernels = o.kernels ?? await createKernels();
  return await loader.load(bytes, { ...o, kernels, name });
}
