/**
 * The llama-runc suite's file writers (a llama2.c checkpoint from a model, a padded llama2.c
 * tokenizer) read back with our own loaders, and the engine-sample bookkeeping. The run.c,
 * llama.cpp and wllama runs themselves are benchmarks, not tests.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createKernels } from '../../src/backends/create-kernels.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { loadLlama2c } from '../../src/llama/load-llama2c.js';
import { loadTokenizer } from '../../src/llama/tokenizer.js';
import { llama2cCheckpoint, paddedTokenizer } from '../../bench/lib/peers/llama2c-checkpoint.js';
import { EngineSamples } from '../../bench/lib/peers/engine-samples.js';
import { median, numberAfter } from '../../bench/lib/peers/child-run.js';
import { describeWithShared } from '../_harness/shared-data.js';

describe('llama2.c checkpoint writer', () => {
  for (const shared of [true, false]) {
    it(`round-trips through loadLlama2c to the same logits (${shared ? 'tied' : 'separate'} classifier, GQA)`, async () => {
      const kernels = await createKernels({ backend: 'wasm' });
      const shape = { dim: 32, hiddenDim: 40, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 50, seqLen: 16, sharedClassifier: shared };
      const a = randomLlama(shape, { kernels, seed: 3 });
      const bytes = llama2cCheckpoint(a);
      expect(bytes.length).toBe(28 + 4 * a.layout.weightCount);
      const b = loadLlama2c(bytes, { kernels });
      expect(b.config.sharedClassifier).toBe(shared);
      for (const [t, pos] of [[1, 0], [7, 1], [33, 2]]) expect(await b.forward(t, pos)).toEqual(await a.forward(t, pos));
      a.dispose(); b.dispose();
    });
  }
});

describeWithShared('padded llama2.c tokenizer', ['models/tok512.bin'], ([tok]) => {
  it('keeps the 512 real pieces and adds placeholders up to the vocabulary size', () => {
    const base = new Uint8Array(readFileSync(tok));
    const small = loadTokenizer(base, { vocabSize: 512 });
    const big = loadTokenizer(paddedTokenizer(base, 512, 1000), { vocabSize: 1000 });
    expect(big.vocabSize).toBe(1000);
    expect(big.encode('Once upon a time', { bos: true })).toEqual(small.encode('Once upon a time', { bos: true }));
    expect(new TextDecoder().decode(big.decodeBytes(5, 999))).toBe('<t999>');
  });
});

describe('engine samples', () => {
  it('medians tok/s over runs, keeps the RSS, and reads numbers out of program output', () => {
    const s = new EngineSamples();
    s.task('a', 'note');
    for (const tps of [100, 400, 200]) s.record('a', tps, 5e6);
    expect(s.tokensPerSecond('a')).toBeCloseTo(200, 9);
    const r = s.toResult('x', true, [], []);
    expect(r.tasks[0]).toMatchObject({ name: 'a', samples: 3, medianMs: 5 });
    expect(r.tasks[0].note).toBe('note; peak RSS 5 MB');
    expect(numberAfter('achieved tok/s: 7727.5\n', /achieved tok\/s: ([\d.]+)/)).toBe(7727.5);
    expect(Number.isNaN(numberAfter('nothing', /x ([\d.]+)/))).toBe(true);
    expect(median([3, NaN, 1, 2])).toBe(2);
  });
});
