import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSafetensors } from '../../src/llama/safetensors.js';
import { writeSafetensors } from '../../src/llama/write-safetensors.js';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '../../src/llama/float-formats.js';
import { decodeInto } from '../../src/llama/weight-io.js';
import { expectError } from './helpers.js';

const f32 = (x: number) => Math.fround(x);

/**
 * Round-to-nearest-even check against the format's neighbours: decode(bits) must be at least as
 * close to x as decode(bits ± 1), and on an exact tie the kept mantissa must be even.
 */
function checkNearestEven(x: number, bits: number, decode: (b: number) => number, maxFinite: number): void {
  const v = decode(bits);
  if (Math.abs(x) > maxFinite && !Number.isFinite(v)) return; // overflow (checked separately)
  const d = Math.abs(v - x);
  for (const nb of [bits - 1, bits + 1]) {
    if (nb < 0 || (nb & 0x7fff) === 0x7fff) continue;
    const w = decode(nb);
    if (!Number.isFinite(w) || Number.isNaN(w) || Math.sign(w) * Math.sign(v) < 0) continue;
    const e = Math.abs(w - x);
    expect(d <= e, `x=${x} bits=${bits.toString(16)} neighbour ${nb.toString(16)} is closer`).toBe(true);
    if (d === e) expect(bits & 1, `tie at x=${x} must round to even`).toBe(0);
  }
}

describe('16-bit float formats', () => {
  it('bf16 keeps exact values and rounds ties to even', () => {
    expect(f32ToBf16(1)).toBe(0x3f80);
    expect(f32ToBf16(-2)).toBe(0xc000);
    expect(f32ToBf16(1 + 2 ** -8)).toBe(0x3f80); // tie → even (down)
    expect(f32ToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie → even (up)
    expect(f32ToBf16(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81); // above the tie
    expect(f32ToBf16(Infinity)).toBe(0x7f80);
    expect(Number.isNaN(bf16ToF32(f32ToBf16(NaN)))).toBe(true);
    expect(bf16ToF32(f32ToBf16(3.4e38))).toBe(Infinity); // rounds past the largest bf16
  });

  it('bf16: nearest even for random float32 values (property)', () => {
    fc.assert(fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
      checkNearestEven(f32(x), f32ToBf16(x), bf16ToF32, 3.3895313892515355e38);
    }), { numRuns: 2000 });
  });

  it('f16: exact cases, subnormals, overflow and nearest-even (property)', () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00); // the tie above the largest finite rounds to Infinity
    expect(f32ToF16(2 ** -24)).toBe(1);
    expect(f32ToF16(2 ** -25)).toBe(0); // tie → even (zero)
    expect(f32ToF16(3 * 2 ** -25)).toBe(2); // tie → even (up)
    expect(f16ToF32(0x8001)).toBe(-(2 ** -24));
    expect(Number.isNaN(f16ToF32(f32ToF16(NaN)))).toBe(true);
    fc.assert(fc.property(fc.float({ min: -70000, max: 70000, noNaN: true }), (x) => {
      checkNearestEven(f32(x), f32ToF16(x), f16ToF32, 65504);
    }), { numRuns: 2000 });
  });

  it('decodeInto reads F32/F16/BF16 at odd byte offsets', () => {
    const vals = Float32Array.of(1.5, -2.25, 1e-3, 65504);
    for (const dtype of ['F32', 'BF16', 'F16'] as const) {
      const bytes = writeSafetensors([{ name: 'x', shape: [4], data: vals, dtype }]);
      const info = parseSafetensors(bytes).tensors.get('x')!;
      const shifted = new Uint8Array(bytes.length + 1); shifted.set(bytes, 1);
      const out = new Float32Array(4);
      decodeInto(shifted, info.begin + 1, dtype, out);
      const enc = dtype === 'F32' ? (v: number) => f32(v) : dtype === 'BF16' ? (v: number) => bf16ToF32(f32ToBf16(v)) : (v: number) => f16ToF32(f32ToF16(v));
      expect(Array.from(out)).toEqual(Array.from(vals, enc));
    }
  });
});

describe('safetensors writer and reader', () => {
  it('round-trips names, shapes, dtypes and metadata with an 8-byte aligned header', () => {
    const a = Float32Array.from({ length: 6 }, (_, i) => i / 3 - 1);
    const bytes = writeSafetensors([
      { name: 'a', shape: [2, 3], data: a },
      { name: 'b.weight', shape: [6], data: a, dtype: 'BF16' },
      { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
    ], { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const st = parseSafetensors(bytes);
    expect(st.metadata).toEqual({ format: 'pt' });
    expect(st.tensors.get('a')).toMatchObject({ dtype: 'F32', shape: [2, 3] });
    expect(st.tensors.get('b.weight')).toMatchObject({ dtype: 'BF16', shape: [6] });
    const info = st.tensors.get('a')!;
    expect(Array.from(new Float32Array(bytes.slice(info.begin, info.end).buffer))).toEqual(Array.from(a));
    const b = st.tensors.get('b.weight')!;
    const words = new Uint16Array(bytes.slice(b.begin, b.end).buffer);
    expect(Array.from(words)).toEqual(Array.from(a, f32ToBf16));
  });

  it('writer rejects bad input', () => {
    expectError(() => writeSafetensors([{ name: 'a', shape: [3], data: new Float32Array(2) }]), 'BAD_ARGUMENT', 'tensors[0].data');
    expectError(() => writeSafetensors([{ name: '', shape: [1], data: new Float32Array(1) }]), 'BAD_ARGUMENT', 'tensors[0].name');
    expectError(() => writeSafetensors([{ name: 'a', shape: [1], data: new Float32Array(1) }, { name: 'a', shape: [1], data: new Float32Array(1) }]), 'BAD_ARGUMENT', 'tensors[1].name');
    expectError(() => writeSafetensors([{ name: 'a', shape: [1], data: new Float32Array(1), dtype: 'I8' as never }]), 'BAD_ARGUMENT', 'tensors[0].dtype');
  });

  /** A file with a hand-written header (and `dataBytes` zero bytes of data). */
  function rawFile(header: string, dataBytes: number): Uint8Array {
    const h = new TextEncoder().encode(header);
    const out = new Uint8Array(8 + h.length + dataBytes);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    return out;
  }

  it('corrupt headers are BAD_FILE naming the problem', () => {
    expectError(() => parseSafetensors(new Uint8Array(5), 'm.safetensors'), 'BAD_FILE', /m\.safetensors/, /too short/);
    const huge = rawFile('{}', 0); new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expectError(() => parseSafetensors(huge), 'BAD_FILE', /header length/);
    const past = rawFile('{}', 0); new DataView(past.buffer).setBigUint64(0, 100n, true);
    expectError(() => parseSafetensors(past), 'BAD_FILE', /runs past the end/);
    expectError(() => parseSafetensors(rawFile('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]', 8)), 'BAD_FILE', /not valid UTF-8 JSON/);
    expectError(() => parseSafetensors(rawFile('[1, 2]', 0)), 'BAD_FILE', /not an object/);
    expectError(() => parseSafetensors(rawFile('{"a": {"dtype": "F48", "shape": [2], "data_offsets": [0, 12]}}', 12)), 'BAD_FILE', /unknown dtype 'F48'/);
    expectError(() => parseSafetensors(rawFile('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}', 4)), 'BAD_FILE', /tensor a/, /needs 8/);
    expectError(() => parseSafetensors(rawFile('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}', 4)), 'BAD_FILE', /truncated/);
    expectError(() => parseSafetensors(rawFile('{"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}', 8)), 'BAD_FILE', /shape/);
    expectError(() => parseSafetensors(rawFile('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}', 8)), 'BAD_FILE', /data_offsets/);
    expectError(() => parseSafetensors(rawFile('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}', 12)), 'BAD_FILE', /overlap/);
    const badUtf8 = rawFile('{"a": 1}', 0); badUtf8[10] = 0xff;
    expectError(() => parseSafetensors(badUtf8), 'BAD_FILE', /UTF-8 JSON/);
  });
});
