import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SparseInferenceError } from '../../src/core/errors.js';
import { BYTE_TO_CHAR } from '../../src/llama/bpe/byte-unicode.js';
import { bpeTokenizerFromGguf } from '../../src/llama/bpe/from-gguf.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { generate } from '../../src/llama/generate.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { describeWithModels, SMOLLM2_GGUF } from '../_harness/models.js';
import { readGgufMetadata } from './bpe-gguf-metadata.js';
import { expectError } from './helpers.js';

interface OracleCase { kind: string; text: string; ids: number[]; decoded: string; idsNoSpecial?: number[] }
const fixture = JSON.parse(readFileSync(new URL('../fixtures/llama/smollm2-tokenizer.json', import.meta.url), 'utf8')) as {
  llamaCppChecks: number; llamaCppAgrees: number; cases: OracleCase[];
};
const kinds = [...new Set(fixture.cases.map((c) => c.kind))];

/** Streams decodeBytes through one TextDecoder, as generate() prints tokens. */
function streamDecode(tok: { decodeBytes(p: number, t: number): Uint8Array }, ids: number[]): string {
  const d = new TextDecoder();
  let s = '';
  for (let i = 0; i < ids.length; i++) s += d.decode(tok.decodeBytes(i > 0 ? ids[i - 1] : 0, ids[i]), { stream: true });
  return s + d.decode();
}

describeWithModels('SmolLM2 byte-level BPE vs Hugging Face tokenizers', [SMOLLM2_GGUF], ([gguf]) => {
  const tok = bpeTokenizerFromGguf(readGgufMetadata(gguf), { name: gguf });

  it('the fixture is the varied corpus it claims, and llama.cpp agreed with HF on it', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(500);
    expect(kinds).toEqual(expect.arrayContaining(['empty', 'story', 'code', 'unicode', 'digits', 'whitespace', 'special', 'random']));
    // The only differences are the bytes without a token, which llama.cpp drops and HF maps to <unk>.
    expect(fixture.llamaCppChecks - fixture.llamaCppAgrees).toBe(fixture.cases.filter((c) => c.kind === 'missing-bytes').length);
  });

  for (const kind of kinds) {
    it(`encodes every '${kind}' case token-identically`, () => {
      for (const c of fixture.cases.filter((x) => x.kind === kind)) {
        expect(tok.encode(c.text), JSON.stringify(c.text.slice(0, 80))).toEqual(c.ids);
      }
    });

    it(`decodes every '${kind}' case like HF, whole and streamed token by token`, () => {
      for (const c of fixture.cases.filter((x) => x.kind === kind)) {
        expect(tok.decodeAll(c.ids), JSON.stringify(c.text.slice(0, 80))).toBe(c.decoded);
        expect(streamDecode(tok, c.ids)).toBe(c.decoded);
      }
    });
  }

  it('with parseSpecial: false, special-token text is plain text (HF encode_special_tokens)', () => {
    const cases = fixture.cases.filter((c) => c.idsNoSpecial);
    expect(cases.length).toBeGreaterThan(5);
    for (const c of cases) expect(tok.encode(c.text, { parseSpecial: false }), c.text).toEqual(c.idsNoSpecial);
  });

  it('encodeAsync gives the same ids as encode', async () => {
    const long = fixture.cases.find((c) => c.kind === 'story-long')!;
    expect(await tok.encodeAsync(long.text)).toEqual(long.ids);
  });

  it('reads BOS, EOS, the add-BOS rule, stop tokens and the chat template from the metadata', () => {
    expect(tok.vocabSize).toBe(49152);
    expect(tok.preTokenizer).toBe('smollm');
    expect(tok.token(tok.bosId)).toBe('<|im_start|>');
    expect(tok.token(tok.eosId)).toBe('<|im_end|>');
    expect(tok.addBos).toBe(false);
    expect(tok.encode('Hi', { bos: true, eos: true })).toEqual([tok.bosId, ...tok.encode('Hi'), tok.eosId]);
    expect([...tok.stopTokens].sort()).toEqual([tok.tokenId('<|endoftext|>'), tok.eosId].sort());
    expect(tok.chatTemplate).toContain('<|im_start|>');
    expect(tok.isSpecialToken(0)).toBe(true);
    expect(tok.isSpecialToken(tok.tokenId('Ġthe'))).toBe(false);
  });

  it('round-trips any text whose bytes all have tokens (property)', () => {
    const missing = new Set([0x04, 0x06, 0x13, 0x14, 0x16, 0x1d]);
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
      const bytes = new TextEncoder().encode(s);
      fc.pre(!bytes.some((b) => missing.has(b) || b === 0xf1 || b === 0xf2));
      expect(tok.decodeAll(tok.encode(s, { parseSpecial: false }))).toBe(s);
    }), { seed: 13, numRuns: 300 });
  });

  it('concurrent encodeAsync calls on one tokenizer do not disturb each other', async () => {
    // Long single words make both calls pause inside a merge, where they would share scratch.
    const a = 'x'.repeat(30_000) + ' hello ' + 'ab'.repeat(20_000);
    const b = 'Ω'.repeat(25_000) + ' 1234 ' + 'é'.repeat(30_000);
    const [ia, ib] = await Promise.all([tok.encodeAsync(a), tok.encodeAsync(b)]);
    const fresh = bpeTokenizerFromGguf(readGgufMetadata(gguf));
    expect(ia).toEqual(fresh.encode(a));
    expect(ib).toEqual(fresh.encode(b));
    expect(tok.decodeAll(ia)).toBe(a);
  });

  it('one huge word is cancellable too', async () => {
    const word = 'q'.repeat(3_000_000);
    const ac = new AbortController();
    let abortedAt = 0;
    setTimeout(() => { abortedAt = performance.now(); ac.abort(); }, 100);
    const err = await tok.encodeAsync(word, { signal: ac.signal }).then(() => null, (e: unknown) => e);
    expect(abortedAt).toBeGreaterThan(0);
    expect((err as { code?: string } | null)?.code).toBe('ABORTED');
    expect(performance.now() - abortedAt).toBeLessThan(250);
  });

  it('lone surrogates are encoded as U+FFFD, as TextEncoder writes them', () => {
    expect(tok.encode('a\ud800b')).toEqual(tok.encode('a\ufffdb'));
  });

  it('an aborted signal stops encode; encodeAsync aborted after 100 ms rejects within 250 ms', async () => {
    const stories = readFileSync(new URL('../../../shared/data/tinystories_sample.txt', import.meta.url), 'utf8');
    expectError(() => tok.encode('hello', { signal: AbortSignal.abort() }), 'ABORTED');
    // Ten copies with a changing prefix defeat the word cache, so this runs for seconds.
    const huge = Array.from({ length: 10 }, (_, i) => stories.replaceAll(' ', ` ${'xyzw'[i % 4]}${i}`)).join('');
    const ac = new AbortController();
    let abortedAt = 0;
    setTimeout(() => { abortedAt = performance.now(); ac.abort(); }, 100);
    const err = await tok.encodeAsync(huge, { signal: ac.signal }).then(() => null, (e: unknown) => e);
    const latency = performance.now() - abortedAt;
    expect(err).toBeInstanceOf(SparseInferenceError);
    expect((err as SparseInferenceError).code).toBe('ABORTED');
    expect(abortedAt).toBeGreaterThan(0);
    expect(latency).toBeLessThan(250);
  });

  it('rejects bad arguments naming them', () => {
    expectBadArgument(() => tok.encode(42 as never), 'text');
    expectBadArgument(() => tok.encode('a', { bos: 'yes' } as never), 'bos');
    expectBadArgument(() => tok.encode('a', { parseSpecial: 1 } as never), 'parseSpecial');
    expectBadArgument(() => tok.encode('a', { signal: {} } as never), 'signal');
    expectBadArgument(() => tok.encode('a', { special: true } as never), 'special');
    expectBadArgument(() => tok.decodeBytes(0, 49152), 'token');
    expectBadArgument(() => tok.decodeBytes(-1, 5), 'prev');
    expectBadArgument(() => tok.decodeAll([5, 1.5]), 'tokens'); // message: tokens[1] must be an integer
    expectBadArgument(() => tok.decodeAll(null as never), 'tokens');
    expectBadArgument(() => tok.token(-1), 'id');
  });
});

/** A toy byte-level vocabulary: the 256 byte characters, then merged tokens, with `merges`. */
function toyMetadata(merges: string[], extra: Record<string, unknown> = {}): Map<string, unknown> {
  const tokens = ['<|endoftext|>', ...BYTE_TO_CHAR];
  for (const m of merges) {
    const t = m.replace(' ', '');
    if (!tokens.includes(t)) tokens.push(t);
  }
  const types = tokens.map((_, i) => (i === 0 ? 3 : 1));
  return new Map<string, unknown>(Object.entries({
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'smollm', 'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.merges': merges, 'tokenizer.ggml.token_type': types, 'tokenizer.ggml.eos_token_id': 0, ...extra,
  }));
}

/** Textbook BPE: repeatedly merge the lowest-ranked adjacent pair, leftmost first. O(n²), obviously right. */
function naiveBpe(word: string[], merges: string[]): string[] {
  const rank = new Map(merges.map((m, r) => [m, r]));
  const w = [...word];
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < w.length; i++) {
      const r = rank.get(`${w[i]} ${w[i + 1]}`);
      if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
    }
    if (best < 0) return w;
    w.splice(best, 2, w[best] + w[best + 1]);
  }
}

describe('byte-level BPE on a toy vocabulary', () => {
  it('merges by rank, lowest first, leftmost among equals', () => {
    const tok = bpeTokenizerFromGguf(toyMetadata(['a a', 'b b', 'aa b', 'aa aa']));
    const spell = (s: string) => tok.encode(s).map((id) => tok.token(id));
    expect(spell('aaa')).toEqual(['aa', 'a']);           // leftmost pair first
    expect(spell('aaaa')).toEqual(['aaaa']);
    expect(spell('aabb')).toEqual(['aa', 'bb']);         // aa (0), bb (1); no merge joins aa and bb
    expect(spell('aab')).toEqual(['aab']);               // aa (0), then aa b (2)
    expect(spell('ab ab')).toEqual(['a', 'b', 'Ġ', 'a', 'b']);
  });

  it('agrees with textbook BPE on random words over a small alphabet (property)', () => {
    const merges = ['a b', 'b a', 'a a', 'ab a', 'ba b', 'aa a', 'b b', 'ab ab', 'ba ba', 'aaa a'];
    const tok = bpeTokenizerFromGguf(toyMetadata(merges));
    fc.assert(fc.property(fc.array(fc.constantFrom('a', 'b'), { minLength: 1, maxLength: 60 }), (chars) => {
      const got = tok.encode(chars.join('')).map((id) => tok.token(id));
      expect(got).toEqual(naiveBpe(chars, merges));
    }), { seed: 7, numRuns: 500 });
  });

  it('splits special tokens out first and isolates digits', () => {
    const tok = bpeTokenizerFromGguf(toyMetadata(['1 2', 'x y']));
    const spell = (s: string) => tok.encode(s).map((id) => tok.token(id));
    expect(spell('12xy<|endoftext|>xy')).toEqual(['1', '2', 'xy', '<|endoftext|>', 'xy']);
    expect(tok.decodeAll(tok.encode('12xy<|endoftext|>xy'))).toBe('12xy<|endoftext|>xy');
  });

  it('bad metadata is BAD_FILE naming the key; other tokenizers are UNAVAILABLE', () => {
    const m = (extra: Record<string, unknown>) => toyMetadata(['a b'], extra);
    expectError(() => bpeTokenizerFromGguf(m({ 'tokenizer.ggml.model': undefined }), { name: 'x.gguf' }), 'BAD_FILE', /x\.gguf/, /tokenizer\.ggml\.model/);
    expectError(() => bpeTokenizerFromGguf(m({ 'tokenizer.ggml.model': 'llama' })), 'UNAVAILABLE', /"llama"/);
    expectError(() => bpeTokenizerFromGguf(m({ 'tokenizer.ggml.pre': 'qwen2' })), 'UNAVAILABLE', /tokenizer\.ggml\.pre/, /smollm/);
    expectError(() => bpeTokenizerFromGguf(m({ 'tokenizer.ggml.tokens': 'abc' })), 'BAD_FILE', /tokenizer\.ggml\.tokens/);
    expectError(() => bpeTokenizerFromGguf(m({ 'tokenizer.ggml.tokens': [] })), 'BAD_FILE', /empty/);
    expectError(() => bpeTokenizerFromGguf(m({ 'tokenizer.ggml.merges': ['a q'] })), 'BAD_FILE', /merges\[0\]/);
    expectError(() => bpeTokenizerFromGguf(m({ 'tokenizer.ggml.merges': ['ab'] })), 'BAD_FILE', /merges\[0\]/);
    expectError(() => bpeTokenizerFromGguf(m({ 'tokenizer.ggml.token_type': [1, 2] })), 'BAD_FILE', /token_type has 2 entries/);
    expectError(() => bpeTokenizerFromGguf(m({ 'tokenizer.ggml.bos_token_id': 1e6 })), 'BAD_FILE', /bos_token_id/);
    expectError(() => bpeTokenizerFromGguf(m({ 'tokenizer.ggml.add_bos_token': 1 })), 'BAD_FILE', /add_bos_token/);
    expectError(() => bpeTokenizerFromGguf(m({ 'tokenizer.ggml.add_bos_token': true })), 'BAD_FILE', /no bos_token_id/);
    expectBadArgument(() => bpeTokenizerFromGguf(null as never), 'metadata');
    expectBadArgument(() => bpeTokenizerFromGguf(m({}), 'x' as never), 'options');
    expectBadArgument(() => bpeTokenizerFromGguf(m({}), { nmae: 'x' } as never), 'nmae');
    expect(bpeTokenizerFromGguf(m({}), null as never).vocabSize).toBe(bpeTokenizerFromGguf(m({})).vocabSize);
    expectBadArgument(() => bpeTokenizerFromGguf(m({})).encode('a', { bos: true }), 'bos');
  });

  it('accepts a plain object as well as a Map', () => {
    const tok = bpeTokenizerFromGguf(Object.fromEntries(toyMetadata(['a b'])));
    expect(tok.encode('ab').map((id) => tok.token(id))).toEqual(['ab']);
  });
});

describe('generate() with a byte-level BPE tokenizer', () => {
  const merges = ['h e', 'l l', 'he ll', 'Ġ w', 'o r'];
  const make = (extra: Record<string, unknown> = {}) => bpeTokenizerFromGguf(toyMetadata(merges, extra));

  it('no BOS unless asked; streamed pieces (split UTF-8 included) join to the text; stops are not emitted', async () => {
    const tok = make();
    const kernels = await createKernels({ backend: 'reference' });
    const model = randomLlama({ dim: 8, hiddenDim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1, vocabSize: tok.vocabSize, seqLen: 64 },
      { kernels, seed: 3 });
    let streamed = '';
    const r = await generate(model, tok, { prompt: 'hello wörld', maxTokens: 40, temperature: 1.5, seed: 9,
      onToken: (piece) => { streamed += piece; } });
    expect(r.tokens.slice(0, r.tokens.length - r.generated.length)).toEqual(tok.encode('hello wörld'));
    expect(r.generated.length).toBeGreaterThan(0);
    expect(streamed).toBe(r.text);
    expect(r.text).toBe(tok.decodeAll(r.tokens));
    expect(r.text.startsWith('hello wörld')).toBe(true);
    for (const id of r.generated) expect(tok.stopTokens).not.toContain(id);
  });

  it('an empty prompt starts from BOS when there is one, and is refused when there is none', async () => {
    const kernels = await createKernels({ backend: 'reference' });
    const shape = { dim: 8, hiddenDim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1, vocabSize: make().vocabSize, seqLen: 16 };
    const model = randomLlama(shape, { kernels, seed: 3 });
    const withBos = make({ 'tokenizer.ggml.bos_token_id': 0 });
    const r = await generate(model, withBos, { prompt: '', maxTokens: 3 });
    expect(r.tokens[0]).toBe(0);
    await expect(generate(model, make(), { prompt: '', maxTokens: 3 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});
