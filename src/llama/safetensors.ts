/**
 * Reading the safetensors container (Hugging Face, github.com/huggingface/safetensors):
 *   u64 little-endian N, then N bytes of UTF-8 JSON
 *     { "<name>": { "dtype": "F32", "shape": [r, c], "data_offsets": [begin, end] }, …,
 *       "__metadata__": { string: string } (optional) },
 *   then the data buffer; offsets are relative to its start (byte 8 + N).
 * Every header fact is checked against the file before any tensor is read, so a truncated or
 * corrupt file fails with BAD_FILE naming the tensor rather than reading garbage.
 *
 * @example
 * const st = parseSafetensors(bytes, 'model.safetensors');
 * st.tensors.get('model.norm.weight')   // { dtype: 'F32', shape: [64], begin, end }
 */
import { SparseInferenceError, badArgument } from '../core/errors.js';

/** Every dtype of the safetensors spec, with its size in bytes. */
export const SAFETENSORS_DTYPES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};

export interface SafetensorsTensor {
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  name: string;
  bytes: Uint8Array;
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

const MAX_HEADER = 100 * 1024 * 1024; // the reference implementation's limit

/** Parse and validate a safetensors file's header (no tensor data is read). */
export function parseSafetensors(bytes: Uint8Array, name = 'safetensors file'): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw badArgument(`bytes must be a Uint8Array, got ${typeof bytes}`);
  const bad = (msg: string) => new SparseInferenceError('BAD_FILE', `${name}: ${msg}`);
  if (bytes.length < 8) throw bad(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER) throw bad(`header length ${n} is not plausible (expected 2..${MAX_HEADER} bytes)`);
  if (8 + n > bytes.length) throw bad(`header length ${n} runs past the end of the file (${bytes.length} bytes): truncated?`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw bad(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('header JSON is not an object');
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  for (const [key, raw] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('__metadata__ must be an object');
      metadata = raw as Record<string, string>;
      continue;
    }
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== 'object' || t === null) throw bad(`tensor ${key}: entry is not an object`);
    if (typeof t.dtype !== 'string') throw bad(`tensor ${key}: dtype missing`);
    const size = SAFETENSORS_DTYPES[t.dtype];
    if (size === undefined) throw bad(`tensor ${key}: unknown dtype '${t.dtype}'`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw bad(`tensor ${key}: shape must be an array of non-negative integers, got ${JSON.stringify(t.shape)}`);
    }
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0) || off[1] < off[0]) {
      throw bad(`tensor ${key}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(off)}`);
    }
    const elements = (t.shape as number[]).reduce((a, b) => a * b, 1);
    if ((off[1] - off[0]) !== elements * size) {
      throw bad(`tensor ${key}: data_offsets span ${off[1] - off[0]} bytes but shape ${JSON.stringify(t.shape)} of ${t.dtype} needs ${elements * size}`);
    }
    if (off[1] > dataLen) {
      throw bad(`tensor ${key}: data ends at byte ${off[1]} of the data section but the file holds ${dataLen}: truncated?`);
    }
    tensors.set(key, { dtype: t.dtype, shape: t.shape as number[], begin: dataStart + off[0], end: dataStart + off[1] });
    ranges.push([off[0], off[1], key]);
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) throw bad(`tensors ${ranges[i - 1][2]} and ${ranges[i][2]} overlap`);
  }
  return { name, bytes, tensors, metadata };
}
