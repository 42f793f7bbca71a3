/**
 * What the model-running commands share: kernels from `--backend` and `--threads`, a model
 * from `--model` (any checkpoint format), and `--thresholds FILE` (written by `activations
 * calibrate --out`), which makes the FFN (and, for CHESS with q/o thresholds, the attention
 * projections) sparse. The llama commands choose components with --kv/--ffn (model-components.ts).
 * Each returns something to dispose, so a command can release everything with `await using`.
 */
import { CliUsageError } from './args.js';
import { asyncDisposeSymbol } from '../core/dispose.js';
import { createKernels } from '../backends/create-kernels.js';
import type { CpuKernels, Kernels } from '../kernels/kernels.js';
import { isCpuKernels } from '../kernels/check-kernels.js';
import { loadModel } from '../node/load-model.js';
import type { KvType, LlamaModel } from '../llama/model.js';
import { loadThresholds } from '../activations/thresholds-node.js';
import { installActivationSparsity, type SparsityInstallation } from '../activations/install-sparsity.js';
import { readTokenizer } from '../llama/node-files.js';
import { readGgufModelAndTokenizer, readGgufTokenizer } from '../node/gguf-file.js';
import type { TextTokenizer } from '../llama/text-tokenizer.js';

export interface OpenKernels {
  kernels: Kernels;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Kernels chosen by `--backend` and `--threads`; disposing stops any worker threads. `threads`
 * is the wasm backend on worker threads (--threads N, default 2 for it).
 */
export async function openKernels(backend: string, threads = 1): Promise<OpenKernels> {
  let kernels: Kernels;
  let dispose = async () => {};
  if (threads > 1 || backend === 'threads') {
    if (backend !== 'auto' && backend !== 'wasm' && backend !== 'threads') throw new CliUsageError(`--threads ${threads} needs the wasm backend (--backend auto, wasm or threads), not ${backend}`);
    const parallel = await createKernels({ backend: 'threads', threads: Math.max(threads, 2) });
    kernels = parallel;
    dispose = () => parallel.dispose();
  } else {
    kernels = await createKernels({ backend: backend as 'auto' | 'reference' | 'wasm' | 'webgpu' });
  }
  return { kernels, dispose, [asyncDisposeSymbol]: dispose };
}

/** Synchronous kernels (what model hooks, calibration and the evaluations need). */
export function syncKernels(k: Kernels, what: string): CpuKernels {
  if (isCpuKernels(k)) return k;
  throw new CliUsageError(`${what} needs a CPU backend (--backend wasm or reference)`);
}

/**
 * The model at `path` (llama2.c, safetensors + config.json, Hugging Face directory; GGUF when
 * built in). `kvType` (any format) is how its dense KV cache stores rows.
 */
export async function openModel(path: string | undefined, kernels: Kernels, maxSeqLen?: number,
  activations?: 'int8' | 'f32', extra: { weights?: 'f32'; kvType?: KvType } = {}): Promise<LlamaModel> {
  if (path === undefined || path === '') throw new CliUsageError('--model is required');
  // activations and weights are GGUF options (quantized weights): passed only when asked for,
  // and weights only to a GGUF file.
  const gguf = path.endsWith('.gguf') && extra.weights !== undefined ? { weights: extra.weights } : {};
  return loadModel(path, { kernels, ...(maxSeqLen === undefined ? {} : { maxSeqLen }), ...(activations === undefined ? {} : { activations }),
    ...(extra.kvType === undefined ? {} : { kvType: extra.kvType }), ...gguf });
}

/**
 * openModel, then loadTokenizer — except for a GGUF model without --tokenizer, whose header holds
 * both: it is then read and parsed once for the two (readGgufModelAndTokenizer), not once each.
 */
export async function openModelAndTokenizer(values: { model?: string; tokenizer?: string }, kernels: Kernels, maxSeqLen?: number,
  activations?: 'int8' | 'f32', extra: { weights?: 'f32'; kvType?: KvType } = {}): Promise<{ model: LlamaModel; tokenizer: TextTokenizer }> {
  const path = values.model;
  if (values.tokenizer === undefined && path?.endsWith('.gguf')) {
    return readGgufModelAndTokenizer(path, { kernels, ...(maxSeqLen === undefined ? {} : { maxSeqLen }),
      ...(activations === undefined ? {} : { activations }), ...(extra.kvType === undefined ? {} : { kvType: extra.kvType }),
      ...(extra.weights === undefined ? {} : { weights: extra.weights }) });
  }
  const model = await openModel(path, kernels, maxSeqLen, activations, extra);
  try {
    return { model, tokenizer: await loadTokenizer(values, model.config.vocabSize) };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Install the thresholds file's activation sparsity on `model` (its components); await dispose() restores the dense FFN. */
export async function useThresholds(model: LlamaModel, path: string): Promise<SparsityInstallation> {
  const th = await loadThresholds(path);
  const first = th.layers[0]?.inputs;
  const attention = th.metadata.method !== 'teal' && first?.q !== undefined && first?.o !== undefined;
  return installActivationSparsity(model, th, { attention });
}

/** --tokenizer (a llama2.c tokenizer file), or for a GGUF model the BPE tokenizer in its metadata. */
export async function loadTokenizer(values: { model?: string; tokenizer?: string }, vocabSize?: number): Promise<TextTokenizer> {
  if (values.tokenizer !== undefined) return readTokenizer(values.tokenizer, vocabSize);
  if (values.model?.endsWith('.gguf')) return readGgufTokenizer(values.model);
  throw new CliUsageError('--tokenizer is required (only a GGUF model carries its own)');
}
