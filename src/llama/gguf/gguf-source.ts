/**
 * Where a GGUF model's bytes come from: a parsed header plus a way to read any byte range.
 * In memory (an ArrayBuffer or a fetched Response) or, in Node, a file read piece by piece
 * (src/node), so loading never needs the whole file in a JS buffer.
 */
import { badArgument } from '../../core/errors.js';
import { parseGguf, type GgufFile } from './parse-gguf.js';

export interface GgufSource {
  readonly file: GgufFile;
  /** Fill `dst` with the file's bytes [offset, offset + dst.length) (the caller checked the range). */
  read(offset: number, dst: Uint8Array): void;
}

/** A source over bytes already in memory. */
export function bytesSource(bytes: Uint8Array, where = 'GGUF file'): GgufSource {
  if (!(bytes instanceof Uint8Array)) throw badArgument(`bytes must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  return { file: parseGguf(bytes, where), read: (offset, dst) => dst.set(bytes.subarray(offset, offset + dst.length)) };
}

/** True for objects shaped like a GgufSource. */
export function isGgufSource(x: unknown): x is GgufSource {
  return typeof x === 'object' && x !== null && typeof (x as GgufSource).read === 'function'
    && typeof (x as GgufSource).file === 'object';
}
