/**
 * The llama decode step on the GPU (part of the webgpu suite): one token per call through
 * `forward` on the webgpu backend — the whole step in one command submission
 * (src/backends/webgpu/decode), only the logits read back — next to
 * `forward` on wasm SIMD, with the GPU's logits checked against wasm's first.
 *
 * Shapes: stories110M (dim 768, 12 layers, vocab 32000; random weights — speed depends only on
 * the shapes) on a hardware GPU; a small model on a software adapter (correctness, not speed).
 */
import type { CpuKernels, Kernels } from '../../../src/kernels/kernels.js';
import type { LlamaShape } from '../../../src/llama/config.js';
import { randomLlama } from '../../../src/llama/random-llama.js';
import type { LlamaModel } from '../../../src/llama/model.js';
import type { BenchTask, RatioSpec } from '../harness.js';
import { STORIES_110M, decoder } from './llama.js';

const SMALL: LlamaShape = { dim: 128, hiddenDim: 384, nLayers: 4, nHeads: 8, nKvHeads: 4, vocabSize: 512, seqLen: 128 };

export interface GpuLlamaBench {
  tasks: BenchTask[];
  ratios: RatioSpec[];
  /** Correctness checks (PASS/FAIL lines) and what was measured. */
  notes: string[];
  dispose(): void;
}

/**
 * Decode-step tasks for `gpu` and `wasm` (`big`: stories110M shapes, else a small model).
 * `name(kernel, backend, shape)` names tasks as the webgpu suite does; `roofline` is the
 * task name of the GPU's same-run streaming read (for the bandwidth fraction).
 */
export async function gpuLlamaBench(gpu: Kernels, wasm: CpuKernels, big: boolean, wasmLabel: string,
  name: (kernel: string, backend: string, shape: string) => string, roofline: string): Promise<GpuLlamaBench> {
  const shape = big ? STORIES_110M : SMALL;
  const label = big ? '110M-shapes' : `small-d${shape.dim}`;
  const models: LlamaModel[] = [];
  try {
    const onGpu = randomLlama(shape, { kernels: gpu, seed: 110 });
    models.push(onGpu);
    const onWasm = randomLlama(shape, { kernels: wasm, seed: 110 });
    models.push(onWasm);
    // Check: three steps on both, logits compared relative to their largest magnitude.
    let worst = 0;
    for (let pos = 0; pos < 3; pos++) {
      const want = await onWasm.forward(1 + 5 * pos, pos);
      const got = await onGpu.forward(1 + 5 * pos, pos);
      let scale = 0;
      for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
    }
    onGpu.reset(); onWasm.reset();
    const bytes = onWasm.weightBytesPerToken;
    const gpuTask = name('llama-decode', 'webgpu', label), wasmTask = name('llama-decode', wasmLabel, label);
    return {
      tasks: [
        { name: gpuTask, bytes, fn: decoder(onGpu), note: 'forward: one submission (the whole decode step), logits read back' },
        { name: wasmTask, bytes, fn: decoder(onWasm), note: 'forward' },
      ],
      ratios: [
        { name: `llama decode ${label}: webgpu vs wasm`, unit: 'x', value: (t) => t(wasmTask).medianMs / t(gpuTask).medianMs },
        { name: `llama decode ${label}: webgpu tokens/s`, unit: 'tok/s', value: (t) => 1000 / t(gpuTask).medianMs },
        { name: `llama decode ${label} (webgpu): weight bandwidth / streaming-read roofline`, unit: 'of roofline',
          value: (t) => t(gpuTask).gbPerS! / t(roofline).gbPerS! },
      ],
      notes: [
        `${worst <= 1e-4 ? 'PASS' : 'FAIL'} llama decode ${label}: max |gpu − wasm| / max|logit| over 3 steps: ${worst.toExponential(2)} (limit 1e-4)`,
        `llama decode ${label}: ${(bytes / 1e6).toFixed(1)} MB of weights streamed per token`,
      ],
      dispose: () => { for (const m of models) m.dispose(); },
    };
  } catch (e) {
    for (const m of models) m.dispose();
    throw e;
  }
}
