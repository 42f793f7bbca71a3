/** Utf8Stream against TextDecoder in stream mode, on arbitrary bytes cut into arbitrary pieces. */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { Utf8Stream } from '../../src/llama/utf8-stream.js';

const byteArb = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0xc0, 0xf5));

it('emits exactly what a streaming TextDecoder emits, piece by piece', () => {
  fc.assert(fc.property(fc.array(fc.array(byteArb, { maxLength: 6 }), { maxLength: 30 }), (pieces) => {
    const ours = new Utf8Stream();
    const theirs = new TextDecoder('utf-8');
    for (const p of pieces) {
      const bytes = Uint8Array.from(p);
      expect(ours.push(bytes)).toBe(theirs.decode(bytes, { stream: true }));
    }
    expect(ours.end()).toBe(theirs.decode());
  }), { numRuns: 2000 });
});

it('completes a character split across pieces', () => {
  const s = new Utf8Stream();
  expect(s.push(Uint8Array.of(0x61, 0xe2))).toBe('a');
  expect(s.push(Uint8Array.of(0x82))).toBe('');
  expect(s.push(Uint8Array.of(0xac, 0x21))).toBe('€!');
  expect(s.push(Uint8Array.of(0xc3))).toBe('');
  expect(s.end()).toBe('\ufffd');
});
