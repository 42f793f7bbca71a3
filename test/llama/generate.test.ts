import { describe, expect, it } from 'vitest';
import { expectBadArgument } from '../_harness/bad-input.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { Sampler, argmax } from '../../src/llama/sampler.js';
import { generate } from '../../src/llama/generate.js';
import { loadTokenizer } from '../../src/llama/tokenizer.js';
import { expectErrorAsync, tinyModel } from './helpers.js';
import { letterTokenizer } from '../_harness/letter-tokenizer.js';

const kernels = await createKernels({ backend: 'wasm' });

/** A 50-token vocabulary (the tiny model's) with byte pieces for 0x20..0x6F at ids 3..50. */

describe('sampler', () => {
  it('argmax takes the first maximum; temperature 0 is argmax', () => {
    expect(argmax(Float32Array.of(1, 3, 3, 2))).toBe(1);
    expect(new Sampler({ temperature: 0 }).sample(Float32Array.of(0, 5, 1))).toBe(1);
    expectBadArgument(() => argmax(Float32Array.of(1, NaN)), 'logits');
  });

  it('multinomial frequencies follow softmax(logits / T) (chi-square, 3 dof)', () => {
    const logits = Float32Array.of(1, 0, -1, 0.5);
    const T = 0.7;
    const p = Array.from(logits, (l) => Math.exp(l / T));
    const z = p.reduce((a, b) => a + b);
    const s = new Sampler({ temperature: T, seed: 11 });
    const n = 20000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[s.sample(logits)]++;
    const chi2 = counts.reduce((a, c, i) => a + (c - (n * p[i]) / z) ** 2 / ((n * p[i]) / z), 0);
    expect(chi2).toBeLessThan(16.27); // p = 0.001
  });

  it('top-p keeps the smallest prefix whose mass exceeds p', () => {
    // softmax(log q) = q: probabilities 0.5, 0.3, 0.15, 0.05.
    const logits = Float32Array.from([0.5, 0.3, 0.15, 0.05], Math.log);
    const s = new Sampler({ temperature: 1, topP: 0.7, seed: 3 });
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 8000; i++) counts[s.sample(logits)]++;
    expect(counts[2] + counts[3]).toBe(0); // 0.5 + 0.3 > 0.7: only the first two survive
    expect(counts[0] / 8000).toBeCloseTo(0.5 / 0.8, 1);
    const tiny = new Sampler({ temperature: 1, topP: 1e-6, seed: 3 });
    for (let i = 0; i < 50; i++) expect(tiny.sample(logits)).toBe(0);
  });

  it('equal seeds give equal streams', () => {
    const logits = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i));
    const a = new Sampler({ temperature: 1, topP: 0.9, seed: 5 });
    const b = new Sampler({ temperature: 1, topP: 0.9, seed: 5 });
    const c = new Sampler({ temperature: 1, topP: 0.9, seed: 6 });
    const ra = Array.from({ length: 50 }, () => a.sample(logits));
    expect(Array.from({ length: 50 }, () => b.sample(logits))).toEqual(ra);
    expect(Array.from({ length: 50 }, () => c.sample(logits))).not.toEqual(ra);
  });

  it('rejects bad options', () => {
    expectBadArgument(() => new Sampler({ temperature: -1 }), 'temperature');
    expectBadArgument(() => new Sampler({ temperature: NaN }), 'temperature');
    expectBadArgument(() => new Sampler({ topP: 0 }), 'topP');
    expectBadArgument(() => new Sampler({ topP: 1.5 }), 'topP');
    expectBadArgument(() => new Sampler({ seed: -3 }), 'seed');
    expectBadArgument(() => new Sampler({ temperature: 1 }).sample(Float32Array.of(1, Infinity)), 'logits');
  });
});

describe('generate', () => {
  it('greedy generation is the argmax chain of forward, streamed piece by piece', async () => {
    const model = tinyModel(kernels);
    const tok = letterTokenizer(50);
    const pieces: string[] = [];
    const out = await generate(model, tok, { prompt: 'DE', maxTokens: 10, temperature: 0, stopTokens: [], onToken: (t) => pieces.push(t) });
    expect(out.tokens.slice(0, 4)).toEqual(tok.encode('DE', { bos: true }));
    model.reset();
    let logits = await model.prefill(out.tokens.slice(0, 4));
    for (let i = 0; i < 10; i++) {
      const next = argmax(logits);
      expect(out.generated[i]).toBe(next);
      logits = await model.forward(next, 4 + i);
    }
    expect(out.stopReason).toBe('max-tokens');
    expect(pieces.join('')).toBe(out.text);
    model.dispose();
  });

  it('is deterministic given a seed and stops on a stop token without emitting it', async () => {
    const model = tinyModel(kernels);
    const tok = letterTokenizer(50);
    const run = (seed: number) => generate(model, tok, { maxTokens: 15, temperature: 4, topP: 0.95, seed, stopTokens: [] });
    const a = await run(1), b = await run(1), c = await run(2);
    expect(b.tokens).toEqual(a.tokens);
    expect(c.tokens).not.toEqual(a.tokens);
    const stopAt = a.generated[4];
    const firstIdx = a.generated.indexOf(stopAt);
    const d = await generate(model, tok, { maxTokens: 15, temperature: 4, topP: 0.95, seed: 1, stopTokens: [stopAt] });
    expect(d.stopReason).toBe('stop-token');
    expect(d.generated).toEqual(a.generated.slice(0, firstIdx));
    model.dispose();
  });

  it('stops when the context is full', async () => {
    const model = tinyModel(kernels, { seqLen: 6 });
    const out = await generate(model, letterTokenizer(50), { maxTokens: 50, temperature: 0, stopTokens: [] });
    expect(out.stopReason).toBe('context-full');
    expect(out.tokens.length).toBe(7); // 6 positions run, the 7th token sampled but never fed back
    model.dispose();
  });

  it('honours an AbortSignal and rejects bad arguments', async () => {
    const model = tinyModel(kernels);
    const tok = letterTokenizer(50);
    const ac = new AbortController();
    let n = 0;
    await expectErrorAsync(() => generate(model, tok, { maxTokens: 20, stopTokens: [], signal: ac.signal,
      onToken: () => { if (++n === 3) ac.abort(); } }), 'ABORTED');
    expect(n).toBe(3);
    await expectErrorAsync(() => generate(model, tok, { temperature: -1 }), 'BAD_ARGUMENT', /temperature/);
    await expectErrorAsync(() => generate(model, tok, { maxTokens: 1.5 }), 'BAD_ARGUMENT', /maxTokens/);
    await expectErrorAsync(() => generate(model, tok, { prompt: 'D'.repeat(40) }), 'BAD_ARGUMENT', /prompt is \d+ tokens/);
    await expectErrorAsync(() => generate(model, tok, { stopTokens: [99] }), 'BAD_ARGUMENT', /stopTokens/);
    const other = loadTokenizer(new Uint8Array([8, 0, 0, 0, ...[0, 1, 2].flatMap(() => [0, 0, 0, 0, 1, 0, 0, 0, 65])]));
    await expectErrorAsync(() => generate(model, other), 'BAD_ARGUMENT', /tokenizer has 3 tokens/);
    model.dispose();
  });
});
