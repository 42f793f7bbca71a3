/**
 * SmolLM2-135M (Q4_1 GGUF) on the wasm-threads backend with its default thresholds, where every
 * layer's quantized products are split across threads: the logits of a block prefill and of
 * each decode step are bit for bit those of the single-thread wasm backend, on 2 and 3 threads,
 * and the workers really ran chunks (so the split path, not the serial one, was compared).
 */
import { afterAll, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { createParallelKernels, type ParallelKernels } from '../../src/backends/wasm-threads/create-parallel-kernels.js';
import { readGgufModel } from '../../src/node/gguf-file.js';
import type { LlamaModel } from '../../src/llama/model.js';
import { describeWithModels, SMOLLM2_GGUF } from '../_harness/models.js';

const PROMPT = [1, 9690, 198, 2683, 314, 253, 1345, 28];
const DECODE = [905, 30, 1622, 5181];

/** The prefill's last logits, then each decode step's, as copies. */
async function logitsOf(model: LlamaModel): Promise<Float32Array[]> {
  const out = [(await model.prefill(PROMPT)).slice()];
  for (let i = 0; i < DECODE.length; i++) out.push((await model.forward(DECODE[i], PROMPT.length + i)).slice());
  return out;
}

describeWithModels('SmolLM2 on wasm-threads', [SMOLLM2_GGUF], ([path]) => {
  const pools: ParallelKernels[] = [];
  afterAll(async () => { await Promise.all(pools.map((p) => p.dispose())); });

  it('gives the single-thread logits bit for bit on 2 and 3 threads', async () => {
    const single = await readGgufModel(path, { kernels: await createKernels({ backend: 'wasm' }), maxSeqLen: 32 });
    const want = await logitsOf(single);
    single.dispose();
    for (const threads of [2, 3]) {
      const kernels = await createParallelKernels({ threads });
      pools.push(kernels);
      const model = await readGgufModel(path, { kernels, maxSeqLen: 32 });
      const got = await logitsOf(model);
      const layers = model.config.nLayers;
      model.dispose();
      for (let s = 0; s < want.length; s++) {
        const differing = want[s].findIndex((v, i) => !Object.is(v, got[s][i]));
        expect(differing, `${threads} threads, step ${s}: first differing logit`).toBe(-1);
      }
      // Split calls: at least one per layer and step (the layer products), not only the classifier's.
      expect(kernels.stats().jobs).toBeGreaterThanOrEqual(DECODE.length * layers);
      expect(kernels.stats().chunksOnWorkers, `${threads} threads: chunks run by workers`).toBeGreaterThan(0);
    }
  }, 120_000);
});
