import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SparseInferenceError } from '../../../src/core/errors.js';
import { ggufLlamaConfig, parseGguf, parseGgufPrefix, type GgufFile } from '../../../src/llama/gguf/index.js';
import { describeWithModels, SMOLLM2_GGUF } from '../../_harness/models.js';
import { expectError } from '../helpers.js';
import { writeGguf, type MetaEntry } from './write-gguf.js';

const f32Bytes = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

const META: MetaEntry[] = [
  ['general.architecture', 'string', 'llama'],
  ['a.u8', 'u8', 200], ['a.i8', 'i8', -5], ['a.u16', 'u16', 60000], ['a.i16', 'i16', -300],
  ['a.u32', 'u32', 4e9], ['a.i32', 'i32', -7], ['a.f32', 'f32', 0.5], ['a.f64', 'f64', Math.PI],
  ['a.u64', 'u64', 2 ** 40], ['a.i64', 'i64', -(2 ** 33)], ['a.bool', 'bool', true],
  ['a.str', 'string', 'héllo ✓'],
  ['a.strs', 'array', { of: 'string', items: ['x', 'Ġthe', '<|im_start|>', 'ü'] }],
  ['a.ints', 'array', { of: 'i32', items: [1, -2, 3] }],
];

function smallFile(version = 3, alignment = 32): Uint8Array {
  const meta: MetaEntry[] = alignment === 32 ? META : [...META, ['general.alignment', 'u32', alignment]];
  return writeGguf(meta, [
    { name: 'norm', typeId: 0, shape: [3], data: f32Bytes([1, 2, 3]) },
    { name: 'w', typeId: 0, shape: [2, 2], data: f32Bytes([4, 5, 6, 7]) },
  ], { version, alignment });
}

describe('parseGguf', () => {
  it.each([[2, 32], [3, 32], [3, 64], [3, 8]])('reads metadata of every type and tensor infos (v%i, alignment %i)', (version, alignment) => {
    const bytes = smallFile(version, alignment);
    const g = parseGguf(bytes, 'small.gguf');
    expect(g.version).toBe(version);
    expect(g.alignment).toBe(alignment);
    for (const [key, , value] of META) {
      if (key === 'a.f32') expect(g.metadata.get(key)).toBe(0.5);
      else if (key === 'a.strs' || key === 'a.ints') expect(g.metadata.get(key)).toEqual((value as { items: unknown[] }).items);
      else expect(g.metadata.get(key)).toBe(value);
    }
    expect(g.dataOffset % alignment).toBe(0);
    const w = g.tensors.get('w')!;
    expect(w).toMatchObject({ type: 'F32', shape: [2, 2], elements: 4, byteLength: 16 });
    expect(w.offset % alignment).toBe(0);
    expect([...new Float32Array(bytes.slice(w.offset, w.offset + 16).buffer)]).toEqual([4, 5, 6, 7]);
    const n = g.tensors.get('norm')!;
    expect([...new Float32Array(bytes.slice(n.offset, n.offset + 12).buffer)]).toEqual([1, 2, 3]);
  });

  it('parses a prefix, asking for more bytes until the header is complete', () => {
    const bytes = smallFile();
    const full = parseGguf(bytes);
    expect(parseGgufPrefix(bytes.subarray(0, 20), bytes.length)).toBeNull();
    expect(parseGgufPrefix(bytes.subarray(0, full.dataOffset), bytes.length)).toMatchObject({ dataOffset: full.dataOffset });
  });

  it('rejects bad magic, versions, truncation, unknown types, misaligned and out-of-file tensors, naming the file', () => {
    const bytes = smallFile();
    const edit = (at: number, ...vals: number[]) => { const c = bytes.slice(); vals.forEach((v, i) => { c[at + i] = v; }); return c; };
    expectError(() => parseGguf(edit(0, 0x47, 0x47, 0x4d, 0x4c), 'x.gguf'), 'BAD_FILE', 'x.gguf', /not a GGUF file/);
    expectError(() => parseGguf(edit(4, 1), 'x.gguf'), 'BAD_FILE', 'x.gguf', /version 1/);
    expectError(() => parseGguf(edit(4, 0, 0, 0, 3), 'x.gguf'), 'BAD_FILE', /big-endian/);
    expectError(() => parseGguf(bytes.subarray(0, 100), 'x.gguf'), 'BAD_FILE', 'x.gguf', /truncated/);
    expectError(() => parseGguf(bytes.subarray(0, bytes.length - 20), 'x.gguf'), 'BAD_FILE', /"w".*runs past the end/);
    expectError(() => parseGguf(edit(16, 0xff, 0xff, 0xff), 'x.gguf'), 'BAD_FILE', /metadata count/);
    // The type id of tensor "w" follows its name, nDims and two dims; its offset follows the type.
    const typeAt = findTensorTypeOffset(bytes, 'w', 2);
    expectError(() => parseGguf(edit(typeAt, 99)), 'BAD_FILE', /"w" has unknown ggml type 99/);
    expectError(() => parseGguf(edit(typeAt + 4, 4)), 'BAD_FILE', /"w" offset 4 is not a multiple/);
    expectError(() => parseGguf(edit(typeAt + 4, 0)), 'BAD_FILE', /overlap/);
    expect(() => parseGguf([1, 2] as unknown as Uint8Array)).toThrow(/bytes must be a Uint8Array/);
  });

  it('never fails with anything but BAD_FILE under single-bit flips of the header', () => {
    const bytes = smallFile();
    const { dataOffset } = parseGguf(bytes);
    for (let byte = 0; byte < dataOffset; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const c = bytes.slice();
        c[byte] ^= 1 << bit;
        try { parseGguf(c, 'flip.gguf'); } catch (e) {
          if (!(e instanceof SparseInferenceError) || e.code !== 'BAD_FILE' || !e.message.startsWith('flip.gguf: ')) {
            throw new Error(`flip of byte ${byte} bit ${bit}: ${String(e)}`);
          }
        }
      }
    }
  });

  it('reads the Llama config and rejects other architectures', () => {
    const meta = (arch: string): MetaEntry[] => [
      ['general.architecture', 'string', arch], [`${arch}.block_count`, 'u32', 2],
      [`${arch}.context_length`, 'u32', 64], [`${arch}.embedding_length`, 'u32', 8],
      [`${arch}.feed_forward_length`, 'u32', 12], [`${arch}.attention.head_count`, 'u32', 2],
      [`${arch}.attention.head_count_kv`, 'u32', 1], [`${arch}.rope.freq_base`, 'f32', 5e5],
      [`${arch}.attention.layer_norm_rms_epsilon`, 'f32', 1e-6],
    ];
    const emb = { name: 'token_embd.weight', typeId: 0, shape: [8, 3], data: new Uint8Array(96) };
    const c = ggufLlamaConfig(parseGguf(writeGguf(meta('llama'), [emb]), 'm.gguf'));
    expect(c).toMatchObject({ dim: 8, hiddenDim: 12, nLayers: 2, nHeads: 2, nKvHeads: 1, vocabSize: 3, seqLen: 64,
      headDim: 4, ropeBase: 5e5, ropePairing: 'adjacent', sharedClassifier: true });
    expect(c.normEps).toBeCloseTo(1e-6, 12);
    expect(ggufLlamaConfig(parseGguf(writeGguf(meta('llama'), [emb]), 'm.gguf'), 16).seqLen).toBe(16);
    expectError(() => ggufLlamaConfig(parseGguf(writeGguf(meta('llama'), [emb])), 65), 'BAD_ARGUMENT', /maxSeqLen/);
    expectError(() => ggufLlamaConfig(parseGguf(writeGguf(meta('qwen2'), [emb]), 'q.gguf')), 'BAD_FILE', 'q.gguf', /unsupported architecture "qwen2"/);
    expectError(() => ggufLlamaConfig(parseGguf(writeGguf(meta('llama').slice(0, 3), [emb]), 'm.gguf')), 'BAD_FILE', /llama.embedding_length/);
  });
});

/** Byte offset of the u32 type id in the tensor info of `name` with `nDims` dims (written by writeGguf). */
function findTensorTypeOffset(bytes: Uint8Array, name: string, nDims: number): number {
  const needle = [1, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode(name), nDims, 0, 0, 0];
  outer: for (let i = 0; i < bytes.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i + needle.length + 8 * nDims;
  }
  throw new Error(`tensor info ${name} not found`);
}

describeWithModels('parseGguf on SmolLM2-135M-Instruct Q4_1', [SMOLLM2_GGUF], ([path]) => {
  let bytes: Uint8Array;
  let g: GgufFile;
  beforeAll(() => {
    bytes = readFileSync(path);
    g = parseGguf(bytes, path);
  });

  it('finds the tensor types, the Llama config and the vocabulary', () => {
    const types = new Map<string, number>();
    for (const t of g.tensors.values()) types.set(t.type, (types.get(t.type) ?? 0) + 1);
    // Embedding (tied classifier) Q8_0, norms F32, every projection Q4_1 — gguf-py reports the same.
    expect(Object.fromEntries(types)).toEqual({ Q8_0: 1, F32: 61, Q4_1: 210 });
    expect(g.tensors.get('token_embd.weight')).toMatchObject({ type: 'Q8_0', shape: [576, 49152] });
    expect(ggufLlamaConfig(g)).toMatchObject({ dim: 576, hiddenDim: 1536, nLayers: 30, nHeads: 9, nKvHeads: 3,
      headDim: 64, vocabSize: 49152, seqLen: 8192, ropeBase: 100000, sharedClassifier: true });
    expect((g.metadata.get('tokenizer.ggml.tokens') as string[]).length).toBe(49152);
    expect((g.metadata.get('tokenizer.ggml.merges') as string[])[0]).toBe('Ġ t');
    const last = [...g.tensors.values()].reduce((a, b) => (a.offset > b.offset ? a : b));
    expect(last.offset + last.byteLength).toBe(bytes.length);
  });

  it('rejects truncated copies, naming the file', () => {
    for (const keep of [3, 1000, g.dataOffset - 1, g.dataOffset + 100, bytes.length - 1]) {
      expectError(() => parseGguf(bytes.subarray(0, keep), path), 'BAD_FILE', path, /truncated/);
    }
  });
});
