/**
 * Sessions on one model: a second generate() (or evaluateNll) started while one runs is refused
 * with a clear SparseInferenceError and does not disturb the first; sequential generations are
 * each exactly what a fresh model gives (the issue: one silently lost its first 5 tokens).
 */
import { expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { generate } from '../../src/llama/generate.js';
import { evaluateNll } from '../../src/llama/evaluate-nll.js';
import { tinyModel, expectErrorAsync } from '../llama/helpers.js';
import { letterTokenizer } from '../_harness/letter-tokenizer.js';

const kernels = await createKernels({ backend: 'wasm' });


const options = (seed: number) => ({ prompt: 'DEFGHIJ', maxTokens: 12, temperature: 1, seed, stopTokens: [] });

it('a concurrent second generate() is refused; the first is unaffected; sequential ones are exact', async () => {
  const tok = letterTokenizer(50);
  const fresh = async (seed: number) => {
    const m = tinyModel(kernels);
    try { return await generate(m, tok, options(seed)); } finally { m.dispose(); }
  };
  const wantA = await fresh(1), wantB = await fresh(2);

  const model = tinyModel(kernels);
  const first = generate(model, tok, options(1));
  await expectErrorAsync(() => generate(model, tok, options(2)), 'BAD_ARGUMENT', /busy/, /generate/);
  await expectErrorAsync(() => evaluateNll(model, tok, 'DEFG'), 'BAD_ARGUMENT', /busy/);
  expect((await first).tokens).toEqual(wantA.tokens);

  const second = await generate(model, tok, options(2));
  const third = await generate(model, tok, options(1));
  expect(second.tokens).toEqual(wantB.tokens);
  expect(third.tokens).toEqual(wantA.tokens);
  model.dispose();
});

it('a session that fails releases the model', async () => {
  const tok = letterTokenizer(50);
  const model = tinyModel(kernels);
  const ac = new AbortController();
  await expectErrorAsync(() => generate(model, tok, { ...options(1), signal: ac.signal, onToken: () => ac.abort() }), 'ABORTED');
  const again = await generate(model, tok, options(1));
  expect(again.generated.length).toBe(12);
  model.dispose();
});
