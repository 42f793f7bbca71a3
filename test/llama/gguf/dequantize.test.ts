import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dequantizeInto } from '../../../src/llama/gguf/dequantize.js';
import { parseGguf } from '../../../src/llama/gguf/parse-gguf.js';
import { f32ToF16 } from '../../../src/llama/float-formats.js';
import { describeWithModels, SMOLLM2_GGUF } from '../../_harness/models.js';
import { expectError } from '../helpers.js';

// Oracle: gguf-py (llama.cpp's numpy implementation), by scripts/gguf-dequant-fixture.py.
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/llama/gguf-dequant.json', import.meta.url), 'utf8')) as {
  synthetic: { type: string; elements: number; bytes: string; values: number[] }[];
  smollm2: { name: string; type: string; rowLength: number; rows: Record<string, number[]>; sum: number }[];
};

describe('dequantizeInto', () => {
  it.each(fixture.synthetic.map((s) => [s.type, s] as const))('decodes %s exactly as gguf-py does', (_type, s) => {
    const raw = Buffer.from(s.bytes, 'base64');
    // An odd byte offset inside a larger buffer: decoders must not assume alignment.
    const bytes = new Uint8Array(raw.length + 3);
    bytes.set(raw, 3);
    const out = new Float32Array(s.elements);
    dequantizeInto(bytes, 3, s.type, out);
    expect([...out]).toEqual(s.values);
  });

  it('matches closed-form blocks: Q4_1 x = d·q + m with the nibble order lo(0..15), hi(16..31)', () => {
    const block = new Uint8Array(20);
    const dv = new DataView(block.buffer);
    dv.setUint16(0, f32ToF16(0.5), true);
    dv.setUint16(2, f32ToF16(-2), true);
    for (let j = 0; j < 16; j++) block[4 + j] = j | ((15 - j) << 4);
    const out = new Float32Array(32);
    dequantizeInto(block, 0, 'Q4_1', out);
    for (let j = 0; j < 16; j++) {
      expect(out[j]).toBe(0.5 * j - 2);
      expect(out[j + 16]).toBe(0.5 * (15 - j) - 2);
    }
    const q8 = new Uint8Array(34);
    new DataView(q8.buffer).setUint16(0, f32ToF16(0.25), true);
    q8.set(Int8Array.from({ length: 32 }, (_, j) => j * 8 - 128).map((v) => v & 255) as unknown as Uint8Array, 2);
    dequantizeInto(q8, 0, 'Q8_0', out);
    for (let j = 0; j < 32; j++) expect(out[j]).toBe(0.25 * (j * 8 - 128));
  });

  it('rejects types it cannot decode and lengths that are not whole blocks', () => {
    expectError(() => dequantizeInto(new Uint8Array(210), 0, 'Q6_K', new Float32Array(256)), 'UNAVAILABLE', /Q6_K/);
    expectError(() => dequantizeInto(new Uint8Array(40), 0, 'Q4_1', new Float32Array(33)), 'BAD_ARGUMENT', /dst.length/);
  });
});

describeWithModels('dequantizeInto on SmolLM2-135M-Instruct Q4_1', [SMOLLM2_GGUF], ([path]) => {
  it('decodes rows of the Q8_0 embedding, Q4_1 projections and F32 norms as gguf-py does', () => {
    const bytes = new Uint8Array(readFileSync(path));
    const g = parseGguf(bytes, path);
    expect(fixture.smollm2.length).toBe(4);
    for (const t of fixture.smollm2) {
      const info = g.tensors.get(t.name)!;
      expect(info.type).toBe(t.type);
      const all = new Float32Array(info.elements);
      dequantizeInto(bytes, info.offset, info.type, all);
      for (const [row, values] of Object.entries(t.rows)) {
        expect([...all.subarray(Number(row) * t.rowLength, Number(row) * t.rowLength + values.length)], `${t.name} row ${row}`).toEqual(values);
      }
      let sum = 0;
      for (const v of all) sum += v;
      expect(Math.abs(sum - t.sum)).toBeLessThan(1e-9 * info.elements);
    }
  });
});
