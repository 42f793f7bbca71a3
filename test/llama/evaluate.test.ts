import { describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { evaluateNll, tokenNll } from '../../src/llama/evaluate-nll.js';
import { splitStories } from '../../src/llama/split-stories.js';
import { loadTokenizer } from '../../src/llama/tokenizer.js';
import { expectErrorAsync, oracleLogits, tinyModel } from './helpers.js';

const kernels = await createKernels({ backend: 'wasm' });

function letters(): ReturnType<typeof loadTokenizer> {
  const pieces = ['<unk>', '<s>', '</s>', ' ', ...Array.from({ length: 46 }, (_, i) => String.fromCharCode(0x41 + i))];
  const enc = pieces.map((p) => new TextEncoder().encode(p));
  const out = new Uint8Array(4 + enc.reduce((a, p) => a + 8 + p.length, 0));
  const dv = new DataView(out.buffer);
  dv.setInt32(0, 8, true);
  let at = 4;
  for (const p of enc) { dv.setInt32(at + 4, p.length, true); out.set(p, at + 8); at += 8 + p.length; }
  return loadTokenizer(out);
}

describe('evaluateNll', () => {
  it('splitStories strips and drops empty stories', () => {
    expect(splitStories('  A cat.\n<|endoftext|>\n\n<|endoftext|>B dog. \n')).toEqual(['A cat.', 'B dog.']);
  });

  it('tokenNll is −log softmax at the target (float64, shift-invariant)', () => {
    const l = Float32Array.of(2, 0, -1);
    const z = Math.exp(2) + 1 + Math.exp(-1);
    expect(tokenNll(l, 3, 1)).toBeCloseTo(Math.log(z), 12);
    expect(tokenNll(Float32Array.of(1002, 1000, 999), 3, 1)).toBeCloseTo(Math.log(z), 6);
  });

  it('equals the NLL of the float64 oracle, story by story, whole stories until maxTokens', async () => {
    const model = tinyModel(kernels);
    const tok = letters();
    const text = 'ABCDE<|endoftext|>FGH IJ<|endoftext|>KLMNOPQ<|endoftext|>RS';
    const storyIds = splitStories(text).map((s) => tok.encode(s, { bos: true }));
    const fractions: number[] = [];
    const r = await evaluateNll(model, tok, text, { maxTokens: 8, onProgress: (f) => fractions.push(f) });
    // Story 1 has 6 predictions (< 8), story 2 brings the count to 6 + 7 = 13 ≥ 8: stop there.
    expect(r.stories).toBe(2);
    expect(r.tokens).toBe(storyIds[0].length - 1 + storyIds[1].length - 1);
    let sum = 0;
    for (const ids of storyIds.slice(0, 2)) {
      const logits = oracleLogits(model, ids);
      for (let i = 0; i + 1 < ids.length; i++) sum += tokenNll(logits[i], logits[i].length, ids[i + 1]);
    }
    expect(r.meanNll).toBeCloseTo(sum / r.tokens, 4);
    expect(r.perStory.map((s) => s.tokens)).toEqual([6, 7]);
    expect(fractions).toEqual([6 / 8, 1]);
    model.dispose();
  });

  it('truncates each story to the context (maxStoryTokens)', async () => {
    const model = tinyModel(kernels);
    const r = await evaluateNll(model, letters(), 'ABCDEFGHIJ', { maxStoryTokens: 5 });
    expect(r.tokens).toBe(4);
    model.dispose();
  });

  it('aborts, and rejects bad input', async () => {
    const model = tinyModel(kernels);
    const tok = letters();
    const ac = new AbortController(); ac.abort();
    await expectErrorAsync(() => evaluateNll(model, tok, 'ABC', { signal: ac.signal }), 'ABORTED');
    await expectErrorAsync(() => evaluateNll(model, tok, '  <|endoftext|> '), 'BAD_ARGUMENT', /no stories/);
    await expectErrorAsync(() => evaluateNll(model, tok, 'ABC', { maxTokens: 0 }), 'BAD_ARGUMENT', /maxTokens/);
    await expectErrorAsync(() => evaluateNll(model, tok, 'ABC', { maxStoryTokens: 999 }), 'BAD_ARGUMENT', /maxStoryTokens/);
    await expectErrorAsync(() => evaluateNll(model, tok, 42 as never), 'BAD_ARGUMENT', /text/);
    model.dispose();
  });
});
