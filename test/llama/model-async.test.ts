/**
 * The llama decode step on asynchronous kernels (issue 7: "llama decode accepts the async
 * backend"): the same step body as the synchronous runtime, on device arrays. Oracles: the
 * synchronous model on the wasm backend (same weights, same tokens) and, for the real
 * checkpoint, its known greedy text.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { loadAsyncBackends } from '../_harness/each-backend.js';
import { describeWithShared } from '../_harness/shared-data.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { loadLlama2c } from '../../src/llama/load-llama2c.js';
import { loadTokenizer } from '../../src/llama/tokenizer.js';
import { generate } from '../../src/llama/generate.js';
import { SparseInferenceError } from '../../src/core/errors.js';

const describeEachAsyncBackend = await loadAsyncBackends();

/** GQA (8 query heads over 2 KV heads), HF pairing, untied classifier: every branch of the step. */
const SHAPE = { dim: 64, hiddenDim: 160, nLayers: 2, nHeads: 8, nKvHeads: 2, vocabSize: 300, seqLen: 24,
  ropePairing: 'half' as const, sharedClassifier: false };

function maxRelDiff(got: Float32Array, want: Float32Array): number {
  let scale = 0, diff = 0;
  for (let i = 0; i < want.length; i++) { scale = Math.max(scale, Math.abs(want[i])); diff = Math.max(diff, Math.abs(got[i] - want[i])); }
  return diff / Math.max(scale, 1e-30);
}

describeEachAsyncBackend('llama decode on asynchronous kernels', (k, info) => {
  it('forward and prefill on the GPU give the wasm model\'s logits', async () => {
    const sync = randomLlama(SHAPE, { kernels: await createKernels({ backend: 'wasm' }), seed: 7 });
    const model = randomLlama(SHAPE, { kernels: k, seed: 7 });
    expect(model.asynchronous).toBe(true);
    const tokens = [1, 17, 250, 3, 99, 42, 7, 200, 5, 11];
    // Token by token (each step awaited), then a second sequence by prefill after a reset.
    for (let pos = 0; pos < tokens.length; pos++) {
      const want = (await sync.forward(tokens[pos], pos)).slice();
      const got = await model.forward(tokens[pos], pos);
      expect(got.length).toBe(SHAPE.vocabSize);
      // The wasm adapter runs the same kernels but for attention: selectiveAttentionHeads on
      // asynchronous kernels, causalAttention (key tiles, online softmax) on synchronous ones, so
      // the sums run in another order; the GPU's order differs too.
      if (info.backend === 'wasm') expect(maxRelDiff(got, want)).toBeLessThan(1e-5);
      else expect(maxRelDiff(got, want)).toBeLessThan(info.backend === 'reference' ? 1e-4 : 2e-4);
    }
    sync.reset(); model.reset();
    const want = (await sync.prefill(tokens.slice(0, 6))).slice();
    const got = await model.prefill(tokens.slice(0, 6));
    expect(maxRelDiff(got, want)).toBeLessThan(2e-4);
    // Rewinding: position 3 again overwrites row 3 and drops the rest.
    expect(maxRelDiff(await model.forward(5, 3), (await sync.forward(5, 3)))).toBeLessThan(2e-4);
    expect(model.cachedTokens).toBe(4);
    sync.dispose(); model.dispose();
  }, 60_000);

  it('entry points that hand out host views say they need synchronous kernels; forward runs', async () => {
    const model = randomLlama(SHAPE, { kernels: k, seed: 1 });
    const unavailable = (f: () => unknown, what: RegExp) => {
      let err: unknown;
      try { f(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(SparseInferenceError);
      expect((err as SparseInferenceError).code).toBe('UNAVAILABLE');
      expect((err as Error).message).toMatch(what);
    };
    unavailable(() => model.kvCache(0), /^kvCache/);
    unavailable(() => model.layerWeights(0), /^layerWeights/);
    unavailable(() => model.setCapture(() => {}), /^setCapture/);
    unavailable(() => model.syncKernels('installSparsity'), /^installSparsity/);
    model.setCapture(undefined); // turning capture off is always allowed
    // Bad arguments are still BAD_ARGUMENT, before any kernel runs.
    await expect(model.forward(SHAPE.vocabSize, 0)).rejects.toThrow(/^token/);
    await expect(model.forward(1, 1)).rejects.toThrow(/^pos must be ≤ 0/);
    await expect(model.prefill([])).rejects.toThrow(/^tokens must not be empty/);
    model.dispose();
  });

  describeWithShared('stories260K', ['models/stories260K.bin', 'models/tok512.bin', 'models/stories260K_greedy.txt'],
    ([modelPath, tokPath, greedyPath]) => {
    // SwiftShader runs a step (~100 dispatches) in seconds, so the GPU checks 8 tokens;
    // the CPU adapters check the whole known text.
    const steps = info.backend === 'webgpu' ? 8 : 256;
    it(`stories260K: greedy decoding reproduces the known text (${steps} tokens)`, async () => {
      const model = loadLlama2c(new Uint8Array(readFileSync(modelPath)), { kernels: k });
      const tokenizer = loadTokenizer(new Uint8Array(readFileSync(tokPath)), { vocabSize: 512 });
      const out = await generate(model, tokenizer, { temperature: 0, maxTokens: steps });
      const known = readFileSync(greedyPath, 'utf8');
      if (steps === 256) expect(out.text + '\n').toBe(known);
      else expect(known.startsWith(out.text)).toBe(true);
      expect(out.generated.length).toBe(steps);
      model.dispose();
    }, 120_000);
  });
});
