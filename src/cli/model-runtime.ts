/**
 * What the model-running commands share: kernels from `--backend` and `--threads`, a model
 * from `--model` (any checkpoint format), and the two calibrate → use hand-offs:
 * `--thresholds FILE` (written by `activations calibrate --out`) makes the FFN (and, for CHESS
 * with q/o thresholds, the attention projections) sparse; `--codebooks FILE` (written by
 * `kvcache calibrate --out`) replaces exact attention by A²ATS retrieval at `--budget`.
 * Each returns something to dispose, so a command can release everything with `await using`.
 */
import { CliUsageError } from './args.js';
import { asyncDisposeSymbol } from '../core/dispose.js';
import { SparseInferenceError } from '../core/errors.js';
import { createKernels } from '../backends/create-kernels.js';
import { createAsyncKernels } from '../backends/create-async-kernels.js';
import type { CpuKernels } from '../kernels/kernels.js';
import { isCpuKernels } from '../kernels/check-kernels.js';
import type { AsyncKernels } from '../kernels/async-kernels.js';
import { loadModel } from '../node/load-model.js';
import type { LlamaModel } from '../llama/model.js';
import { loadThresholds } from '../activations/thresholds-node.js';
import { installActivationSparsity, type SparsityInstallation } from '../activations/install-sparsity.js';
import { readCodebookFile } from '../kvcache/codebook-file.js';
import { createMethod } from '../kvcache/eval/methods.js';
import { RetrievalAttention } from '../kvcache/llama-attention.js';

export interface OpenKernels {
  kernels: AsyncKernels;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Kernels chosen by `--backend` and `--threads`; disposing stops any worker threads. */
export async function openKernels(backend: string, threads = 1): Promise<OpenKernels> {
  let kernels: AsyncKernels;
  let dispose = async () => {};
  if (threads > 1) {
    if (backend !== 'auto' && backend !== 'wasm') throw new CliUsageError(`--threads ${threads} needs the wasm backend (--backend auto or wasm), not ${backend}`);
    const parallel = await createKernels({ backend: 'threads', threads });
    kernels = parallel;
    dispose = () => parallel.dispose();
  } else {
    kernels = backend === 'webgpu'
      ? await createAsyncKernels({ backend: 'webgpu' })
      : await createKernels({ backend: backend as 'auto' | 'reference' | 'wasm' });
  }
  return { kernels, dispose, [asyncDisposeSymbol]: dispose };
}

/** Synchronous kernels (what model hooks, calibration and the evaluations need). */
export function syncKernels(k: AsyncKernels, what: string): CpuKernels {
  if (isCpuKernels(k)) return k;
  throw new CliUsageError(`${what} needs a CPU backend (--backend wasm or reference)`);
}

/** The model at `path` (llama2.c, safetensors + config.json, Hugging Face directory; GGUF when built in). */
export async function openModel(path: string | undefined, kernels: AsyncKernels, maxSeqLen?: number,
  activations?: 'int8' | 'f32'): Promise<LlamaModel> {
  if (path === undefined || path === '') throw new CliUsageError('--model is required');
  // activations is a GGUF option (quantized weights): passed only when asked for.
  return loadModel(path, { kernels, ...(maxSeqLen === undefined ? {} : { maxSeqLen }), ...(activations === undefined ? {} : { activations }) });
}

/** Install the thresholds file's activation sparsity on `model`; dispose() restores it. */
export async function useThresholds(model: LlamaModel, path: string): Promise<SparsityInstallation> {
  const th = await loadThresholds(path);
  const first = th.layers[0]?.inputs;
  const attention = th.metadata.method !== 'teal' && first?.q !== undefined && first?.o !== undefined;
  return installActivationSparsity(model, th, { attention });
}

/** Settings of retrieval attention from the command line. */
export interface RetrievalSettings { budget: number; sinks: number }

/**
 * Replace every layer's attention by retrieval over the codebooks file (A²ATS for query-aware
 * codebooks, plain VQ otherwise), with the WRoPE window and distance the codebooks were
 * calibrated with. Other strategies on the layers (activation sparsity) are kept.
 */
export async function useCodebooks(model: LlamaModel, path: string, s: RetrievalSettings): Promise<{ method: string; dispose(): void }> {
  const kernels = syncKernels(model.kernels as AsyncKernels, '--codebooks');
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read codebooks ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  const set = readCodebookFile(bytes, path);
  const c = model.config;
  if (set.info.nLayers !== c.nLayers || set.info.nKvHeads !== c.nKvHeads || set.info.headDim !== c.headDim) {
    throw new SparseInferenceError('BAD_FILE', `${path}: codebooks are for ${set.info.nLayers} layers × ${set.info.nKvHeads} KV heads × d ${set.info.headDim}; `
      + `the model has ${c.nLayers} × ${c.nKvHeads} × ${c.headDim}`);
  }
  const name = set.info.kind === 'query-aware' ? 'a2ats' : 'vq-wrope';
  const wrope = { ...set.info.wrope, base: c.ropeBase, pairing: c.ropePairing };
  const layers = Array.from({ length: c.nLayers }, (_, l) => {
    const method = createMethod(kernels, name, {
      headDim: c.headDim, groupSize: c.nHeads / c.nKvHeads, nKvHeads: c.nKvHeads, layer: l, wrope,
      queryAware: set.info.kind === 'query-aware' ? set : undefined, plain: set.info.kind === 'plain' ? set : undefined,
    });
    return new RetrievalAttention(kernels, c, l, method, { window: wrope.window, sinks: s.sinks, budget: { mode: 'total', fraction: s.budget } });
  });
  layers.forEach((attention, l) => model.setStrategies(l, { ...model.getStrategies(l), attention }));
  return {
    method: `${name} (${set.info.size} centroids, budget ${s.budget}, window ${wrope.window}, sinks ${s.sinks})`,
    dispose() {
      for (let l = 0; l < c.nLayers; l++) {
        const rest = { ...model.getStrategies(l) };
        delete rest.attention;
        model.setStrategies(l, Object.keys(rest).length ? rest : undefined);
      }
      for (const a of layers) { a.dispose(); a.method.dispose(); }
    },
  };
}
