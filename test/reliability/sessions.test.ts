/**
 * Sessions on one model: a second generate() (or evaluateNll) started while one runs is refused
 * with a clear SparseInferenceError and does not disturb the first; sequential generations are
 * each exactly what a fresh model gives (the issue: one silently lost its first 5 tokens).
 */
import { expect, it } from 'vitest';
import { createKernels } from '../../src/kernels/create.js';
import { generate } from '../../src/llama/generate.js';
import { loadTokenizer } from '../../src/llama/tokenizer.js';
import { evaluateNll } from '../../src/llama/evaluate-nll.js';
import { tinyModel, expectErrorAsync } from '../llama/helpers.js';

const kernels = await createKernels({ backend: 'wasm' });

function tinyTokenizer() {
  const pieces: string[] = ['<unk>', '<s>', '</s>'];
  for (let i = 3; i < 50; i++) pieces.push(String.fromCharCode(0x40 + i));
  pieces[3] = ' ';
  const enc = pieces.map((p) => new TextEncoder().encode(p));
  const out = new Uint8Array(4 + enc.reduce((a, p) => a + 8 + p.length, 0));
  const dv = new DataView(out.buffer);
  dv.setInt32(0, 8, true);
  let at = 4;
  for (const p of enc) { dv.setFloat32(at, 0, true); dv.setInt32(at + 4, p.length, true); out.set(p, at + 8); at += 8 + p.length; }
  return loadTokenizer(out, { vocabSize: 50 });
}

const options = (seed: number) => ({ prompt: 'DEFGHIJ', maxTokens: 12, temperature: 1, seed, stopTokens: [] });

it('a concurrent second generate() is refused; the first is unaffected; sequential ones are exact', async () => {
  const tok = tinyTokenizer();
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
  const tok = tinyTokenizer();
  const model = tinyModel(kernels);
  const ac = new AbortController();
  await expectErrorAsync(() => generate(model, tok, { ...options(1), signal: ac.signal, onToken: () => ac.abort() }), 'ABORTED');
  const again = await generate(model, tok, options(1));
  expect(again.generated.length).toBe(12);
  model.dispose();
});
