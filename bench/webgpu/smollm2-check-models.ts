/**
 * What the SmolLM2 WebGPU-vs-wasm checks share: the model loaded twice with float32 weights (the
 * sparse components read float rows), once on wasm and once on webgpu with every call on the GPU,
 * and CHESS thresholds at k = 0.5 calibrated on wasm over 64 fixed token ids.
 */
import { readFileSync } from 'node:fs';
import { createKernels } from '../../src/backends/create-kernels.js';
import { loadGguf } from '../../src/llama/gguf/load-gguf.js';
import type { LlamaModel } from '../../src/llama/model.js';
import { ActivationCollector } from '../../src/activations/activation-collector.js';
import { chessThresholds } from '../../src/activations/chess-thresholds.js';

export async function wasmAndGpuModels(path: string, maxSeqLen: number): Promise<{ cpu: LlamaModel; gpu: LlamaModel }> {
  const bytes = new Uint8Array(readFileSync(path));
  const cpu = loadGguf(bytes, { kernels: await createKernels({ backend: 'wasm' }), maxSeqLen, weights: 'f32' });
  const gpu = loadGguf(bytes, { kernels: await createKernels({ backend: 'webgpu', cpuThreshold: 0 }), maxSeqLen, weights: 'f32' });
  return { cpu, gpu };
}

/** CHESS thresholds at k = 0.5 from the activations of 64 fixed token ids (the model is reset after). */
export async function chessThresholdsOnFixedTokens(model: LlamaModel): Promise<ReturnType<typeof chessThresholds>> {
  const c = model.config;
  const collector = new ActivationCollector({ nLayers: c.nLayers, dim: c.dim, hiddenDim: c.hiddenDim });
  model.setCapture(collector.capture);
  for (let i = 0; i < 64; i++) await model.forward((i * 997 + 13) % c.vocabSize, i);
  model.setCapture(undefined);
  model.reset();
  return chessThresholds(collector.finish(), 0.5);
}
