import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWithShared } from '../_harness/shared-data.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { loadTokenizer, Tokenizer, BOS } from '../../src/llama/tokenizer.js';
import { expectError } from './helpers.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { loadLlama2c } from '../../src/llama/load-llama2c.js';
import { generate } from '../../src/llama/generate.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/llama/tok512-encode.json', import.meta.url), 'utf8')) as {
  cases: { text: string; bos: boolean; eos: boolean; ids: number[]; decoded: string }[];
};

/** Serialise a vocabulary in the llama2.c tokenizer format. */
function tokenizerBytes(pieces: (string | Uint8Array)[], scores: number[], maxLen?: number): Uint8Array {
  const enc = pieces.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p));
  const size = 4 + enc.reduce((a, p) => a + 8 + p.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, maxLen ?? Math.max(...enc.map((p) => p.length)), true);
  let at = 4;
  enc.forEach((p, i) => { dv.setFloat32(at, scores[i], true); dv.setInt32(at + 4, p.length, true); out.set(p, at + 8); at += 8 + p.length; });
  return out;
}

/** A toy vocabulary with byte fallback: <unk>, <s>, </s>, 256 byte pieces, then merges. */
function toyTokenizer(extra: [string, number][]): Uint8Array {
  const pieces: string[] = ['<unk>', '<s>', '</s>'];
  const scores: number[] = [0, 0, 0];
  for (let b = 0; b < 256; b++) { pieces.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`); scores.push(0); }
  for (const [p, s] of extra) { pieces.push(p); scores.push(s); }
  return tokenizerBytes(pieces, scores);
}

describeWithShared('tok512 tokenizer', ['models/tok512.bin'], ([tokPath]) => {
  const tok = loadTokenizer(new Uint8Array(readFileSync(tokPath)), { vocabSize: 512 });

  it('has 512 pieces with byte fallback at 3..258', () => {
    expect(tok.vocabSize).toBe(512);
    expect(tok.hasByteFallback).toBe(true);
    expect(new TextDecoder().decode(tok.piece(1))).toContain('<s>'); // stored as '\n<s>\n'
    expect(new TextDecoder().decode(tok.piece(3 + 0x41))).toBe('<0x41>');
  });

  for (const c of fixture.cases) {
    it(`encodes like llama2.c run.c: ${JSON.stringify(c.text).slice(0, 40)}`, () => {
      expect(tok.encode(c.text, { bos: c.bos, eos: c.eos })).toEqual(c.ids);
      expect(tok.decodeAll(c.ids.filter((t) => t !== 2))).toBe(c.decoded);
    });
  }

  it('decode: the leading space of a piece after BOS is dropped; byte pieces are bytes', () => {
    const once = tok.pieceId(' Once');
    expect(once).toBeGreaterThan(258);
    expect(tok.decode(BOS, once)).toBe('Once');
    expect(tok.decode(5, once)).toBe(' Once');
    expect(Array.from(tok.decodeBytes(5, 3 + 0xe2))).toEqual([0xe2]);
    expect(tok.decode(5, 3 + 0x0a)).toBe('\n');
  });

  it('encode then decodeAll round-trips text (stripped of the dummy prefix by BOS)', () => {
    for (const text of ['Hello world', 'a  b\n\nc', 'naïve façade ✓', '']) {
      expect(tok.decodeAll(tok.encode(text, { bos: true }))).toBe(text);
    }
  });

  it('rejects bad arguments', () => {
    expectBadArgument(() => tok.encode(42 as never), 'text');
    expectBadArgument(() => tok.decode(0, 512), 'token');
    expectBadArgument(() => tok.decode(-1, 5), 'prev');
    expectBadArgument(() => tok.piece(600), 'id');
    expectBadArgument(() => tok.pieceId(7 as never), 'text');
    expectBadArgument(() => tok.decodeAll(null as never), 'tokens');
    expectBadArgument(() => tok.decodeAll([1, 700]), 'tokens'); // message: tokens[1] must be in [0, 511]
  });
});

describe('tokenizer merge rule', () => {
  it('merges the highest-scoring pair first, leftmost on ties, over the dummy prefix too', () => {
    const tok = loadTokenizer(toyTokenizer([[' ', 0], ['a', 0], ['b', 0], ['ab', 1], ['ba', 2], [' a', 0.5], ['aba', 3]]));
    const id = (p: string) => tok.pieceId(p);
    // " abab": pairs ' a'(0.5) ab(1) ba(2) ab(1): ba merges first → ' ', a, ba, b → aba(3) → ' ', aba, b.
    expect(tok.encode('abab')).toEqual([id(' '), id('aba'), id('b')]);
    // Ties: 'abab' scores ab=1 at positions 1 and 3 only if 'ba' is absent.
    const tie = loadTokenizer(toyTokenizer([[' ', 0], ['a', 0], ['b', 0], ['ab', 1]]));
    expect(tie.encode('abab')).toEqual([tie.pieceId(' '), tie.pieceId('ab'), tie.pieceId('ab')]);
  });

  it('falls back to bytes for unknown characters, and without byte pieces it says so', () => {
    const tok = loadTokenizer(toyTokenizer([[' ', 0]]));
    expect(tok.encode('é')).toEqual([tok.pieceId(' '), 0xc3 + 3, 0xa9 + 3]);
    const noBytes = loadTokenizer(tokenizerBytes(['<unk>', '<s>', '</s>', ' ', 'a'], [0, 0, 0, 0, 0]));
    expect(noBytes.hasByteFallback).toBe(false);
    expect(noBytes.encode('a')).toEqual([3, 4]);
    expectBadArgument(() => noBytes.encode('b'), 'character');
  });
});

describe('tokenizer file errors (BAD_FILE)', () => {
  const good = () => tokenizerBytes(['<unk>', '<s>', '</s>', ' a'], [0, 0, 0, -1.5]);

  it('loads a well-formed file and counts tokens to the end without vocabSize', () => {
    expect(loadTokenizer(good()).vocabSize).toBe(4);
    expect(loadTokenizer(good(), { vocabSize: 4 }).vocabSize).toBe(4);
  });

  it('too short for the header', () => {
    expectError(() => loadTokenizer(new Uint8Array(2)), 'BAD_FILE', /too short/);
  });

  it('implausible max_token_length', () => {
    const b = good(); new DataView(b.buffer).setInt32(0, -3, true);
    expectError(() => loadTokenizer(b, { name: 'tok.bin' }), 'BAD_FILE', /tok\.bin/, /max_token_length/);
  });

  it('a piece longer than max_token_length, or negative', () => {
    const b = good(); new DataView(b.buffer).setInt32(4 + 4, 99, true);
    expectError(() => loadTokenizer(b), 'BAD_FILE', /token 0 has length 99/);
    const c = good(); new DataView(c.buffer).setInt32(4 + 4, -1, true);
    expectError(() => loadTokenizer(c), 'BAD_FILE', /token 0 has length -1/);
  });

  it('truncated in a length field and inside a piece', () => {
    const b = good();
    expectError(() => loadTokenizer(b.subarray(0, b.length - 1)), 'BAD_FILE', /truncated at token 3/);
    expectError(() => loadTokenizer(b.subarray(0, 10)), 'BAD_FILE', /truncated at token 0/);
  });

  it('vocab size mismatch: too few tokens or bytes left over', () => {
    expectError(() => loadTokenizer(good(), { vocabSize: 5 }), 'BAD_FILE', /truncated at token 4/, /expected 5 tokens/);
    expectError(() => loadTokenizer(good(), { vocabSize: 3 }), 'BAD_FILE', /left after 3 tokens/);
  });

  it('non-finite score', () => {
    const b = good(); new DataView(b.buffer).setFloat32(4, NaN, true);
    expectError(() => loadTokenizer(b), 'BAD_FILE', /non-finite score/);
  });

  it('not bytes / bad vocabSize are BAD_ARGUMENT', () => {
    expectBadArgument(() => loadTokenizer('x' as never), 'bytes');
    expectBadArgument(() => loadTokenizer(good(), { vocabSize: 0 }), 'vocabSize');
    expectBadArgument(() => loadTokenizer(good(), { vocabsize: 4 } as never), 'vocabsize');
    expectBadArgument(() => loadTokenizer(good(), { name: 5 } as never), 'name');
    expect(loadTokenizer(good(), null as never).vocabSize).toBe(4);
    // The constructor checks its parts as loadTokenizer does: <unk>, <s>, </s> at least.
    expectBadArgument(() => new Tokenizer(4, [], new Float32Array(0)), 'pieces');
    expectBadArgument(() => new Tokenizer(4, [new Uint8Array(1), new Uint8Array(1), new Uint8Array(1)], new Float32Array(3).fill(NaN)), 'scores');
    const three = [new Uint8Array([60]), new Uint8Array([61]), new Uint8Array([62])];
    expect(new Tokenizer(4, three, new Float32Array(3)).vocabSize).toBe(3);
  });
});

/**
 * The merge before it was made O(n log n), kept as the oracle: run.c's loop, a rescan of every
 * adjacent pair per merge (best score, leftmost on ties; a pair must score above -1e10).
 */
function quadraticEncode(tok: Tokenizer, text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  const key = (id: number) => Array.from(tok.piece(id), (b) => String.fromCharCode(b)).join('');
  const byKey = new Map<string, number>();
  for (let i = 0; i < tok.vocabSize; i++) if (!byKey.has(key(i))) byKey.set(key(i), i);
  const ids: number[] = [];
  if (bytes.length > 0) ids.push(byKey.get(' ')!);
  for (let i = 0; i < bytes.length;) {
    let j = i + 1;
    while (j < bytes.length && (bytes[j] & 0xc0) === 0x80 && j - i < 4) j++;
    const k = Array.from(bytes.subarray(i, j), (b) => String.fromCharCode(b)).join('');
    const id = byKey.get(k);
    if (id !== undefined) ids.push(id);
    else for (let b = i; b < j; b++) ids.push(bytes[b] + 3);
    i = j;
  }
  for (;;) {
    let best = -1e10;
    let at = -1;
    let merged = -1;
    for (let i = 0; i + 1 < ids.length; i++) {
      const id = byKey.get(key(ids[i]) + key(ids[i + 1]));
      if (id !== undefined && tok.score(id) > best) { best = tok.score(id); at = i; merged = id; }
    }
    if (at < 0) return ids;
    ids.splice(at, 2, merged);
  }
}

describe('tokenizer merge with a heap = the quadratic rescan', () => {
  it('on random vocabularies with many tied scores (property)', () => {
    const arb = fc.record({
      merges: fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c', 'ab', 'ba', 'ca', 'aa'), fc.constantFrom('a', 'b', 'c', 'bc', 'aa')),
        { minLength: 1, maxLength: 12, selector: ([x, y]) => x + y }),
      scores: fc.array(fc.constantFrom(-2, 0, 1, 1, 2, 3, -1e11), { minLength: 12, maxLength: 12 }),
      text: fc.array(fc.constantFrom('a', 'b', 'c', ' ', 'é'), { minLength: 0, maxLength: 80 }).map((a) => a.join('')),
    });
    fc.assert(fc.property(arb, ({ merges, scores, text }) => {
      const pieces = new Map<string, number>([[' ', 0], ['a', 0], ['b', 0], ['c', 0]]);
      merges.forEach(([x, y], i) => { if (!pieces.has(x + y)) pieces.set(x + y, scores[i]); });
      const tok = loadTokenizer(toyTokenizer([...pieces]));
      expect(tok.encode(text)).toEqual(quadraticEncode(tok, text));
    }), { seed: 14, numRuns: 400 });
  });
});

describeWithShared('tok512: heap merge = quadratic rescan; cancellation', ['models/tok512.bin', 'data/tinystories_sample.txt'], ([tokPath, storiesPath]) => {
  const tok = loadTokenizer(new Uint8Array(readFileSync(tokPath)), { vocabSize: 512 });
  const stories = readFileSync(storiesPath, 'utf8');

  it('on story snippets and random text over the vocabulary characters (property)', () => {
    const chars = [...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ.,!?"\'\n0123456789', 'é', '—', '😀'];
    fc.assert(fc.property(fc.oneof(
      fc.array(fc.constantFrom(...chars), { maxLength: 150 }).map((a) => a.join('')),
      fc.tuple(fc.nat(stories.length - 600), fc.integer({ min: 0, max: 600 })).map(([at, n]) => stories.slice(at, at + n)),
    ), (text) => {
      expect(tok.encode(text)).toEqual(quadraticEncode(tok, text));
    }), { seed: 15, numRuns: 150 });
  });

  it('encodeAsync = encode on a long text', async () => {
    const text = stories.slice(0, 20_000);
    expect(await tok.encodeAsync(text, { bos: true })).toEqual(tok.encode(text, { bos: true }));
  });

  it('an aborted signal stops encode; encodeAsync aborted after 100 ms rejects within 250 ms', async () => {
    expectError(() => tok.encode('hello', { signal: AbortSignal.abort() }), 'ABORTED');
    const huge = stories.repeat(4); // 8 MB: seconds of work
    const ac = new AbortController();
    let abortedAt = 0;
    setTimeout(() => { abortedAt = performance.now(); ac.abort(); }, 100);
    const err = await tok.encodeAsync(huge, { signal: ac.signal }).then(() => null, (e: unknown) => e);
    const latency = performance.now() - abortedAt;
    expect(abortedAt).toBeGreaterThan(0);
    expect((err as { code?: string } | null)?.code).toBe('ABORTED');
    expect(latency).toBeLessThan(250);
  });

  it('rejects bad encode options naming them', () => {
    expectBadArgument(() => tok.encode('a', { bos: 1 } as never), 'bos');
    expectBadArgument(() => tok.encode('a', { signal: 'x' } as never), 'signal');
    expectBadArgument(() => tok.encode('a', { eso: true } as never), 'eso');
    expect(tok.encode('a', null as never)).toEqual(tok.encode('a'));
  });
});

describeWithShared('generate() with a huge prompt stops on abort while encoding', ['models/stories260K.bin', 'models/tok512.bin', 'data/tinystories_sample.txt'],
  ([modelPath, tokPath, storiesPath]) => {
    it('abort at 100 ms → ABORTED within 250 ms (the prompt takes seconds to encode)', async () => {
      const kernels = await createKernels({ backend: 'wasm' });
      const model = loadLlama2c(new Uint8Array(readFileSync(modelPath)), { kernels });
      const tok = loadTokenizer(new Uint8Array(readFileSync(tokPath)), { vocabSize: 512 });
      const prompt = readFileSync(storiesPath, 'utf8').repeat(4);
      const ac = new AbortController();
      let abortedAt = 0;
      setTimeout(() => { abortedAt = performance.now(); ac.abort(); }, 100);
      const err = await generate(model, tok, { prompt, maxTokens: 1, signal: ac.signal }).then(() => null, (e: unknown) => e);
      expect(abortedAt).toBeGreaterThan(0);
      expect((err as { code?: string } | null)?.code).toBe('ABORTED');
      expect(performance.now() - abortedAt).toBeLessThan(250);
    });
  });
