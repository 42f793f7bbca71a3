/**
 * A small safetensors writer (format: see ./safetensors.ts): float32 data stored as F32, or
 * rounded to BF16 / F16 with round-to-nearest-even. The header is padded with spaces to a
 * multiple of 8 bytes, as the reference implementation does, so every tensor is aligned.
 *
 * @example
 * const bytes = writeSafetensors([{ name: 'w', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4), dtype: 'BF16' }]);
 * parseSafetensors(bytes).tensors.get('w')   // { dtype: 'BF16', shape: [2, 2], ... }
 */
import { badArgument } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { f32ToBf16, f32ToF16 } from './float-formats.js';

export interface TensorToWrite {
  name: string;
  shape: number[];
  /** Row-major values; length = product of shape. */
  data: Float32Array;
  /** Storage type (default 'F32'). */
  dtype?: 'F32' | 'BF16' | 'F16';
}

export function writeSafetensors(tensors: TensorToWrite[], metadata: Record<string, string> = {}): Uint8Array {
  if (!Array.isArray(tensors)) throw badArgument('tensors must be an array');
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const seen = new Set<string>();
  for (const [i, t] of tensors.entries()) {
    if (typeof t?.name !== 'string' || t.name === '' || t.name === '__metadata__') {
      throw badArgument(`tensors[${i}].name must be a non-empty string other than __metadata__`);
    }
    if (seen.has(t.name)) throw badArgument(`tensors[${i}].name '${t.name}' is repeated`);
    seen.add(t.name);
    if (!Array.isArray(t.shape)) throw badArgument(`tensors[${i}].shape must be an array`);
    t.shape.forEach((d, j) => checkInt(`tensors[${i}].shape[${j}]`, d, 0));
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (!(t.data instanceof Float32Array) || t.data.length !== n) {
      throw badArgument(`tensors[${i}].data must be a Float32Array of ${n} elements (shape ${JSON.stringify(t.shape)})`);
    }
    const dtype = t.dtype ?? 'F32';
    if (!['F32', 'BF16', 'F16'].includes(dtype)) throw badArgument(`tensors[${i}].dtype must be 'F32', 'BF16' or 'F16', got ${String(dtype)}`);
    const bytes = n * (dtype === 'F32' ? 4 : 2);
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const jsonBytes0 = new TextEncoder().encode(json).length;
  json += ' '.repeat((8 - ((8 + jsonBytes0) % 8)) % 8);
  const jsonBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + jsonBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  out.set(jsonBytes, 8);
  let at = 8 + jsonBytes.length;
  const dv = new DataView(out.buffer);
  for (const t of tensors) {
    const dtype = t.dtype ?? 'F32';
    if (dtype === 'F32') {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4), at);
      at += t.data.length * 4;
    } else {
      const enc = dtype === 'BF16' ? f32ToBf16 : f32ToF16;
      for (let i = 0; i < t.data.length; i++, at += 2) dv.setUint16(at, enc(t.data[i]), true);
    }
  }
  return out;
}
