/**
 * Passkey prompts: lengths within 2% under the target, the key where the depth says (checked by
 * decoding the prompt's own tokens with the real SmolLM2 tokenizer), seeded determinism, scoring
 * and argument checks. A one-token-per-word stand-in tokenizer covers the logic without the model.
 */
import { describe, expect, it } from 'vitest';
import { SparseInferenceError } from '../../../src/core/errors.ts';
import {
  buildPasskeySuite, buildPasskeyTask, scorePasskey, PASSKEY_FILLER, PASSKEY_INSTRUCTIONS, PASSKEY_QUESTION, type PasskeyTask,
} from '../../../src/llama/eval/passkey-task.ts';
import { readGgufTokenizer } from '../../../src/node/gguf-file.ts';
import { describeWithModels, SMOLLM2_GGUF } from '../../_harness/models.ts';

/** One token per word, its leading whitespace attached (like byte-level BPE's "Ġword"). */
const wordTokenizer = { encode: (text: string) => (text.match(/\s*\S+|\s+$/g) ?? []).map((_, i) => i) };

function checkTask(t: PasskeyTask, encode: (s: string) => number[], groupTokens: number): void {
  const ids = encode(t.prompt);
  expect(t.promptTokens).toBe(ids.length);
  expect(t.promptTokens).toBeLessThanOrEqual(t.targetTokens);
  expect(t.promptTokens).toBeGreaterThanOrEqual(0.98 * t.targetTokens);
  expect(t.key).toMatch(/^\d{5}$/);
  expect(t.prompt.split(t.key).length - 1).toBe(2); // "The pass key is K. Remember it. K is the pass key."
  expect(t.prompt.slice(t.keyCharOffset)).toMatch(new RegExp(`^The pass key is ${t.key}\\.`));
  expect(t.prompt.endsWith(PASSKEY_QUESTION)).toBe(true);
  // Within one filler group of depth × length, where the key can go: after the instructions and
  // one filler group, before the key sentence and the question.
  const first = encode(PASSKEY_INSTRUCTIONS).length + groupTokens;
  const last = t.promptTokens - encode(PASSKEY_QUESTION).length - encode(` The pass key is ${t.key}. Remember it. ${t.key} is the pass key.`).length;
  const wanted = Math.min(last, Math.max(first, t.depth * t.promptTokens));
  expect(Math.abs(t.keyTokenOffset - wanted)).toBeLessThanOrEqual(groupTokens);
}

describe('buildPasskeyTask (word tokenizer)', () => {
  const group = wordTokenizer.encode(` ${PASSKEY_FILLER}`).length;
  it('hits 2K/4K/8K within 2% and puts the key at the requested depth', () => {
    for (const targetTokens of [2048, 4096, 8192]) {
      for (const depth of [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1]) checkTask(buildPasskeyTask(wordTokenizer, { targetTokens, seed: 7, depth }), wordTokenizer.encode, group);
    }
  });
  it('is deterministic given the seed, and the seed changes key and depth', () => {
    const a = buildPasskeyTask(wordTokenizer, { targetTokens: 2048, seed: 3 });
    expect(buildPasskeyTask(wordTokenizer, { targetTokens: 2048, seed: 3 })).toEqual(a);
    const b = buildPasskeyTask(wordTokenizer, { targetTokens: 2048, seed: 4 });
    expect([b.key, b.depth]).not.toEqual([a.key, a.depth]);
  });
  it('spreads a suite over depth strata', () => {
    const s = buildPasskeySuite(wordTokenizer, { lengths: [1024], perLength: 4, seed: 1 });
    expect(s.map((t) => Math.floor(t.depth * 4))).toEqual([0, 1, 2, 3]);
    expect(buildPasskeySuite(wordTokenizer, { lengths: [1024], perLength: 4, seed: 1 })).toEqual(s);
  });
  it('rejects bad arguments by name', () => {
    const bad = (f: () => unknown, name: string) => {
      expect(f).toThrow(SparseInferenceError);
      expect(f).toThrow(name);
    };
    bad(() => buildPasskeyTask(wordTokenizer, { targetTokens: 10, seed: 0 }), 'options.targetTokens');
    bad(() => buildPasskeyTask(wordTokenizer, { targetTokens: 2048.5, seed: 0 }), 'options.targetTokens');
    bad(() => buildPasskeyTask(wordTokenizer, { targetTokens: 2048, seed: -1 }), 'options.seed');
    bad(() => buildPasskeyTask(wordTokenizer, { targetTokens: 2048, seed: 0, depth: 1.5 }), 'options.depth');
    bad(() => buildPasskeyTask(wordTokenizer, { targetTokens: 2048, seed: 0, depth: Number.NaN }), 'options.depth');
    bad(() => buildPasskeyTask({} as never, { targetTokens: 2048, seed: 0 }), 'tokenizer');
    bad(() => buildPasskeyTask(wordTokenizer, { targetTokens: 2048, seed: 0, length: 3 } as never), "'length'");
    bad(() => buildPasskeySuite(wordTokenizer, { lengths: [], perLength: 1, seed: 0 }), 'options.lengths');
    bad(() => buildPasskeySuite(wordTokenizer, { perLength: 0, seed: 0 }), 'options.perLength');
    bad(() => scorePasskey(' 123', '12'), 'key');
  });
});

describe('scorePasskey', () => {
  it('accepts the key anywhere in the answer, not inside a longer number', () => {
    expect(scorePasskey(' 58219. Remember', '58219')).toBe(true);
    expect(scorePasskey('58219', '58219')).toBe(true);
    expect(scorePasskey(' 582190', '58219')).toBe(false);
    expect(scorePasskey(' 5821', '58219')).toBe(false);
  });
});

describeWithModels('buildPasskeyTask on the SmolLM2 tokenizer', [SMOLLM2_GGUF], ([gguf]) => {
  it('places the key at the stated token offset of the prompt, at 2K/4K/8K', () => {
    const tok = readGgufTokenizer(gguf);
    const group = tok.encode(` ${PASSKEY_FILLER}`).length;
    for (const t of buildPasskeySuite(tok, { perLength: 3, seed: 0 })) {
      checkTask(t, (s) => tok.encode(s), group);
      const ids = tok.encode(t.prompt);
      // The tokens before the offset are exactly the text before the key sentence.
      expect(tok.decodeAll(ids.slice(0, t.keyTokenOffset)) === t.prompt.slice(0, t.keyCharOffset - 1)).toBe(true);
      expect(tok.decodeAll(ids.slice(t.keyTokenOffset, t.keyTokenOffset + 12)).startsWith(` The pass key is ${t.key}.`)).toBe(true);
    }
  });
});
