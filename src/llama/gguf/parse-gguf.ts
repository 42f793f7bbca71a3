/**
 * Reading the GGUF container (llama.cpp's model file, github.com/ggml-org/ggml docs/gguf.md),
 * little-endian throughout:
 *   "GGUF" magic, u32 version (2 or 3), u64 tensor count, u64 metadata count,
 *   metadata: { string key, u32 value type, value }*,
 *   tensor infos: { string name, u32 nDims, u64 dims[nDims], u32 ggml type, u64 offset }*,
 *   padding to `general.alignment` (default 32), then the tensor data; offsets are relative to it.
 * A string is a u64 byte length then UTF-8 bytes; an array is a u32 element type, a u64 count,
 * then the elements. Dims are in ggml order: dims[0] is the row length (the contiguous axis).
 *
 * Every header fact is checked against the file before any tensor is read, so a truncated or
 * corrupt file fails with BAD_FILE naming the file and the problem instead of reading garbage.
 *
 * @example
 * const g = parseGguf(bytes, 'model.gguf');
 * g.metadata.get('llama.block_count')           // 30
 * g.tensors.get('blk.0.attn_q.weight')          // { type: 'Q4_1', shape: [576, 576], offset, byteLength, … }
 */
import { SparseInferenceError, badArgument } from '../../core/errors.js';
import { GGML_TYPES, ggmlByteSize } from './ggml-types.js';

/** A metadata value: integers and floats as numbers (64-bit integers beyond 2^53 as bigint). */
export type GgufValue = number | bigint | string | boolean | GgufValue[];

export interface GgufTensorInfo {
  name: string;
  /** ggml type name, e.g. 'F32', 'Q4_1', 'Q8_0'. */
  type: string;
  typeId: number;
  /** ggml order: shape[0] is the row length, shape[1] the number of rows, … */
  shape: number[];
  elements: number;
  /** Absolute byte offset of the tensor's data in the file. */
  offset: number;
  byteLength: number;
}

export interface GgufFile {
  /** The name used in error messages (a path, or what the caller passed). */
  where: string;
  version: number;
  alignment: number;
  metadata: Map<string, GgufValue>;
  /** In file order. */
  tensors: Map<string, GgufTensorInfo>;
  /** Absolute offset of the tensor data section. */
  dataOffset: number;
  /** Size of the whole file in bytes. */
  fileSize: number;
}

const MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const MAX_DIMS = 4;

/** Thrown inside the cursor when the bytes end; turned into BAD_FILE or "read more" by callers. */
class OutOfBytes extends Error {}

/** Parse a whole GGUF file held in memory (tensor data is not copied). */
export function parseGguf(bytes: Uint8Array, where = 'GGUF file'): GgufFile {
  if (!(bytes instanceof Uint8Array)) throw badArgument(`bytes must be a Uint8Array, got ${typeof bytes}`);
  const g = parseGgufPrefix(bytes, bytes.length, where);
  if (g === null) throw bad(where, `header runs past the end of the file (${bytes.length} bytes): truncated?`);
  return g;
}

/**
 * Parse the header from the first bytes of a file of `fileSize` bytes (for streaming from disk
 * or the network). Returns null when `prefix` ends before the header does: read more and retry.
 */
export function parseGgufPrefix(prefix: Uint8Array, fileSize: number, where = 'GGUF file'): GgufFile | null {
  if (!(prefix instanceof Uint8Array)) throw badArgument(`prefix must be a Uint8Array, got ${typeof prefix}`);
  if (!Number.isSafeInteger(fileSize) || fileSize < prefix.length) {
    throw badArgument(`fileSize must be an integer ≥ prefix.length (${prefix.length}), got ${String(fileSize)}`);
  }
  try {
    return readHeader(new Cursor(prefix, where), fileSize, where);
  } catch (e) {
    if (!(e instanceof OutOfBytes)) throw e;
    if (prefix.length < fileSize) return null;
    throw bad(where, `header runs past the end of the file (${fileSize} bytes): truncated?`);
  }
}

function bad(where: string, msg: string): SparseInferenceError {
  return new SparseInferenceError('BAD_FILE', `${where}: ${msg}`);
}

function readHeader(c: Cursor, fileSize: number, where: string): GgufFile {
  const magic = c.u32();
  if (magic !== MAGIC) throw bad(where, `not a GGUF file (magic 0x${magic.toString(16).padStart(8, '0')}, expected "GGUF")`);
  const version = c.u32();
  if (version !== 2 && version !== 3) {
    const hint = version === 1 ? ' (GGUF v1 is obsolete: re-convert the model)'
      : version > 0xffff ? ' (big-endian GGUF is not supported)' : '';
    throw bad(where, `unsupported GGUF version ${version}${hint}; expected 2 or 3`);
  }
  // Every tensor info takes ≥ 24 bytes and every metadata entry ≥ 13: reject counts a bit flip
  // made absurd before looping over them.
  const tensorCount = c.count(24, fileSize, 'tensor count');
  const kvCount = c.count(13, fileSize, 'metadata count');
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(fileSize, `metadata key #${i}`);
    if (metadata.has(key)) throw bad(where, `duplicate metadata key "${key}"`);
    metadata.set(key, c.value(c.u32(), fileSize, key));
  }
  const alignment = metadata.get('general.alignment') ?? 32;
  if (typeof alignment !== 'number' || !Number.isInteger(alignment) || alignment < 1 || (alignment & (alignment - 1)) !== 0) {
    throw bad(where, `general.alignment must be a power of two, got ${String(alignment)}`);
  }
  const infos: Omit<GgufTensorInfo, 'offset'>[] = [];
  const relative: number[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(fileSize, `tensor name #${i}`);
    const nDims = c.u32();
    if (nDims < 1 || nDims > MAX_DIMS) throw bad(where, `tensor "${name}" has ${nDims} dimensions (expected 1..${MAX_DIMS})`);
    const shape: number[] = [];
    for (let d = 0; d < nDims; d++) shape.push(c.u64Number(`tensor "${name}" dimension ${d}`));
    const typeId = c.u32();
    const info = GGML_TYPES.get(typeId);
    if (info === undefined) throw bad(where, `tensor "${name}" has unknown ggml type ${typeId}`);
    const elements = shape.reduce((a, b) => a * b, 1);
    if (elements < 1 || !Number.isSafeInteger(elements)) throw bad(where, `tensor "${name}" has shape [${shape}]`);
    if (shape[0] % info.blockSize !== 0) {
      throw bad(where, `tensor "${name}" row length ${shape[0]} is not a multiple of the ${info.name} block size ${info.blockSize}`);
    }
    relative.push(c.u64Number(`tensor "${name}" offset`));
    infos.push({ name, type: info.name, typeId, shape, elements, byteLength: ggmlByteSize(info, elements) });
  }
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  const tensors = new Map<string, GgufTensorInfo>();
  infos.forEach((info, i) => {
    if (tensors.has(info.name)) throw bad(where, `duplicate tensor "${info.name}"`);
    if (relative[i] % alignment !== 0) throw bad(where, `tensor "${info.name}" offset ${relative[i]} is not a multiple of the alignment ${alignment}`);
    const offset = dataOffset + relative[i];
    if (offset + info.byteLength > fileSize) {
      throw bad(where, `tensor "${info.name}" (bytes ${offset}..${offset + info.byteLength}) runs past the end of the file (${fileSize} bytes): truncated?`);
    }
    tensors.set(info.name, { ...info, offset });
  });
  checkNoOverlap([...tensors.values()], where);
  return { where, version, alignment, metadata, tensors, dataOffset, fileSize };
}

function checkNoOverlap(tensors: GgufTensorInfo[], where: string): void {
  const sorted = [...tensors].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].offset < prev.offset + prev.byteLength) {
      throw bad(where, `tensors "${prev.name}" and "${sorted[i].name}" overlap`);
    }
  }
}

/** Metadata value types of the GGUF spec. */
const enum V { U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 }
const SCALAR_BYTES = [1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8]; // minimum bytes per value (string: its length)

/** Sequential little-endian reader over the header bytes. */
class Cursor {
  pos = 0;
  private readonly dv: DataView;
  private readonly utf8 = new TextDecoder('utf-8');
  constructor(private readonly bytes: Uint8Array, private readonly where: string) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.bytes.length) throw new OutOfBytes();
    this.pos += n;
    return at;
  }
  u32(): number { return this.dv.getUint32(this.need(4), true); }
  /**
   * A u64 as a safe integer. Read as two u32 halves: a vocabulary has ~10⁵ string lengths, and a
   * BigInt each is garbage that makes V8 grow its young generation (peak RSS) while parsing.
   * `what` is a string or, on hot paths, a function building it (only on error).
   */
  u64Number(what: string | (() => string)): number {
    const at = this.need(8);
    const lo = this.dv.getUint32(at, true);
    const hi = this.dv.getUint32(at + 4, true);
    if (hi > 0x1fffff) { // ≥ 2⁵³
      const v = this.dv.getBigUint64(at, true);
      throw bad(this.where, `${typeof what === 'string' ? what : what()} = ${v} is not plausible`);
    }
    return hi * 2 ** 32 + lo;
  }
  /** A u64 count of items that each take at least `minBytes` of a `fileSize`-byte file. */
  count(minBytes: number, fileSize: number, what: string): number {
    const n = this.u64Number(what);
    if (n * minBytes > fileSize - this.pos) throw bad(this.where, `${what} ${n} cannot fit in a ${fileSize}-byte file: truncated or corrupt?`);
    return n;
  }
  /** A string; `what` (a string, or a function building it only on error) names it in messages. */
  string(fileSize: number, what: string | (() => string)): string {
    const name = () => (typeof what === 'string' ? what : what());
    const n = this.u64Number(() => `${name()} length`);
    if (n > fileSize - this.pos - 8) throw bad(this.where, `${name()} length ${n} runs past the end of the file: truncated or corrupt?`);
    const at = this.need(n);
    return decodeUtf8(this.bytes, at, n, this.utf8);
  }
  value(type: number, fileSize: number, key: string): GgufValue {
    const dv = this.dv;
    switch (type) {
      case V.U8: return dv.getUint8(this.need(1));
      case V.I8: return dv.getInt8(this.need(1));
      case V.U16: return dv.getUint16(this.need(2), true);
      case V.I16: return dv.getInt16(this.need(2), true);
      case V.U32: return dv.getUint32(this.need(4), true);
      case V.I32: return dv.getInt32(this.need(4), true);
      case V.F32: return dv.getFloat32(this.need(4), true);
      case V.F64: return dv.getFloat64(this.need(8), true);
      case V.BOOL: {
        const b = dv.getUint8(this.need(1));
        if (b > 1) throw bad(this.where, `metadata "${key}" is a bool with byte value ${b}`);
        return b === 1;
      }
      case V.U64: return safeNumber(dv.getBigUint64(this.need(8), true));
      case V.I64: return safeNumber(dv.getBigInt64(this.need(8), true));
      case V.STRING: return this.string(fileSize, () => `metadata "${key}"`);
      case V.ARRAY: {
        const elementType = this.u32();
        if (elementType > V.F64) throw bad(this.where, `metadata "${key}" is an array of unknown type ${elementType}`);
        const n = this.count(SCALAR_BYTES[elementType], fileSize, `metadata "${key}" array length`);
        const out: GgufValue[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.value(elementType, fileSize, key);
        return out;
      }
      default: throw bad(this.where, `metadata "${key}" has unknown value type ${type}`);
    }
  }
}

function safeNumber(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

/** UTF-8 decode with a fast path for ASCII (most vocabulary entries are short and ASCII). */
function decodeUtf8(bytes: Uint8Array, at: number, n: number, utf8: TextDecoder): string {
  if (n <= 16) {
    let ascii = true;
    for (let i = 0; i < n; i++) if (bytes[at + i] > 0x7f) { ascii = false; break; }
    if (ascii) return Reflect.apply(String.fromCharCode, null, bytes.subarray(at, at + n)) as string;
  }
  return utf8.decode(bytes.subarray(at, at + n));
}
