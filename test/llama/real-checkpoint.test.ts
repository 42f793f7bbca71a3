/**
 * The real checkpoint (../shared/models: stories260K.bin + tok512.bin) against its known
 * behaviour, measured with an independent implementation (../shared/models/README.md):
 * greedy text byte for byte, and mean NLL 1.289 over 3073 tokens of TinyStories.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeWithShared } from '../_harness/shared-data.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { loadLlama2c, parseLlama2cHeader } from '../../src/llama/load-llama2c.js';
import { loadTokenizer } from '../../src/llama/tokenizer.js';
import { generate } from '../../src/llama/generate.js';
import { evaluateNll } from '../../src/llama/evaluate-nll.js';

describeWithShared('stories260K (real checkpoint)', [
  'models/stories260K.bin', 'models/tok512.bin', 'models/stories260K_greedy.txt', 'data/tinystories_sample.txt',
], ([modelPath, tokPath, greedyPath, textPath]) => {
  const modelBytes = () => new Uint8Array(readFileSync(modelPath));
  const tokenizer = () => loadTokenizer(new Uint8Array(readFileSync(tokPath)), { vocabSize: 512 });

  it('header: the README config, with the stored RoPE tables', () => {
    const h = parseLlama2cHeader(modelBytes());
    expect(h.config).toMatchObject({ dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 512,
      seqLen: 512, headDim: 8, kvDim: 32, sharedClassifier: true, ropePairing: 'adjacent' });
    expect(h.hasRopeTables).toBe(true);
    expect(h.fileBytes).toBe(1056540);
  });

  for (const backend of ['reference', 'wasm'] as const) {
    it(`greedy decoding from BOS reproduces stories260K_greedy.txt byte for byte [${backend}]`, async () => {
      const kernels = await createKernels({ backend });
      const model = loadLlama2c(modelBytes(), { kernels });
      const streamed: string[] = [];
      const out = await generate(model, tokenizer(), { temperature: 0, maxTokens: 256, onToken: (t) => streamed.push(t) });
      // llama2.c prints the pieces and then a newline.
      const printed = Buffer.from(out.text + '\n', 'utf8');
      expect(printed.equals(readFileSync(greedyPath))).toBe(true);
      expect(streamed.join('')).toBe(out.text);
      expect(out.generated.length).toBe(256);
      model.dispose();
    });
  }

  for (const backend of ['wasm', 'reference'] as const) {
    it(`mean NLL on tinystories_sample.txt is 1.289 ± 0.002 over 3073 predicted tokens [${backend}]`, async () => {
      const kernels = await createKernels({ backend });
      const model = loadLlama2c(modelBytes(), { kernels });
      const text = readFileSync(textPath, 'utf8');
      const fractions: number[] = [];
      const t0 = performance.now();
      const r = await evaluateNll(model, tokenizer(), text, { maxTokens: 3000, onProgress: (f) => fractions.push(f) });
      const ms = performance.now() - t0;
      console.log(`[llama] NLL protocol on ${backend}: ${r.meanNll.toFixed(5)} nats over ${r.tokens} tokens in ${ms.toFixed(0)} ms`);
      expect(r.tokens).toBe(3073);
      expect(Math.abs(r.meanNll - 1.289)).toBeLessThan(0.002);
      expect(r.perplexity).toBeCloseTo(Math.exp(r.meanNll), 10);
      expect(fractions.at(-1)).toBe(1);
      for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
      model.dispose();
    });
  }
});
