/**
 * Which checkpoint format a file holds, read from its first bytes, and the loader registered for
 * each format.
 *
 *   GGUF         starts with the magic "GGUF" (llama.cpp's container).
 *   safetensors  starts with a little-endian u64 header length n followed by a JSON object: byte 8
 *                is '{' and n fits in the file.
 *   llama2.c     starts with seven int32 (dim, hidden, layers, heads, kv heads, ±vocab, seq_len),
 *                all positive except the vocab sign, heads dividing dim; or the "ak42" magic of
 *                the versioned export, so its loader can say it is unsupported.
 *
 * Detection looks only at a prefix (DETECT_BYTES), so a path loader can sniff a file without
 * reading it whole. The loader of each format is looked up in a registry where all three are
 * built in; `registerCheckpointLoader` replaces one (or adds one for a build without it), and a
 * format without a loader gets a clear UNAVAILABLE error instead of a misleading parse error.
 *
 * @example
 * detectCheckpointFormat(bytes)  // 'llama2c' | 'safetensors' | 'gguf'
 */
import { SparseInferenceError, badArgument } from '../core/errors.js';
import type { CpuKernels, Kernels } from '../kernels/kernels.js';
import type { KvType, LlamaModel } from './model.js';
import { loadLlama2c } from './load-llama2c.js';
import { loadSafetensors } from './load-safetensors.js';
import { loadGguf } from './gguf/load-gguf.js';

export type CheckpointFormat = 'llama2c' | 'safetensors' | 'gguf';

/** Bytes of the file's start that detection reads. */
export const DETECT_BYTES = 32;

/** What every checkpoint loader takes. */
export interface CheckpointLoadOptions {
  /** Kernels the weights are resident in. */
  kernels: Kernels;
  /** Scan every weight for NaN/Infinity (default true). */
  checkFinite?: boolean;
  /** Name used in error messages (e.g. the file path). */
  name?: string;
  /** Cap the context (KV cache rows) below the checkpoint's own. */
  maxSeqLen?: number;
  /** safetensors only: the config.json beside the weights (text or parsed). */
  config?: string | Record<string, unknown>;
  /** How the KV cache stores its rows: 'f32' (default) or 'f16' (binary16; see KvType). */
  kvType?: KvType;
}

/** A format's loader: from the whole file, and optionally (Node) from a path, streaming. */
export interface CheckpointLoader {
  /** Option keys this format takes beyond CheckpointLoadOptions (e.g. a weight mode). */
  readonly extraOptions: readonly string[];
  load(bytes: Uint8Array, options: CheckpointLoadOptions & Record<string, unknown>): LlamaModel | Promise<LlamaModel>;
  /** Read the file itself (e.g. to stream it into WASM memory); else the caller reads it whole. */
  loadPath?(path: string, options: CheckpointLoadOptions & Record<string, unknown>): Promise<LlamaModel>;
}

/**
 * The format of a checkpoint from its first bytes (at least DETECT_BYTES of them, or the whole
 * file if shorter). Throws BAD_FILE when no known format matches.
 */
export function detectCheckpointFormat(bytes: Uint8Array, name = 'checkpoint'): CheckpointFormat {
  if (!(bytes instanceof Uint8Array)) throw badArgument(`bytes must be a Uint8Array, got ${typeof bytes}`);
  if (bytes.length >= 4 && bytes[0] === 0x47 && bytes[1] === 0x47 && bytes[2] === 0x55 && bytes[3] === 0x46) return 'gguf';
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 9 && bytes[8] === 0x7b /* '{' */ && dv.getUint32(4, true) === 0) {
    // u64 header length with a zero high word: a JSON header can never need 4 GiB.
    const n = dv.getUint32(0, true);
    if (n >= 2) return 'safetensors';
  }
  if (bytes.length >= 28) {
    const h = Array.from({ length: 7 }, (_, i) => dv.getInt32(4 * i, true));
    if (h[0] === 0x616b3432) return 'llama2c'; // "ak42": the versioned llama2.c export
    const [dim, hidden, layers, heads, kvHeads, vocab, seqLen] = h;
    const positive = [dim, hidden, layers, heads, kvHeads, seqLen].every((v) => v > 0) && vocab !== 0;
    if (positive && dim % heads === 0 && heads % kvHeads === 0) return 'llama2c';
  }
  throw new SparseInferenceError('BAD_FILE',
    `${name}: not a known checkpoint format (expected GGUF, safetensors or a llama2.c checkpoint; ` +
    `first bytes ${Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')})`);
}

const loaders = new Map<CheckpointFormat, CheckpointLoader>([
  ['llama2c', {
    extraOptions: [],
    load: (bytes, o) => {
      if (o.config !== undefined) throw badArgument('config applies to safetensors checkpoints; this is a llama2.c checkpoint');
      if (o.maxSeqLen !== undefined) throw badArgument('maxSeqLen applies to safetensors and GGUF checkpoints; a llama2.c checkpoint sets seq_len itself');
      return loadLlama2c(bytes, { kernels: o.kernels, checkFinite: o.checkFinite, name: o.name, kvType: o.kvType });
    },
  }],
  ['safetensors', {
    extraOptions: [],
    load: (bytes, o) => {
      if (o.config === undefined) {
        throw badArgument(`config is needed for a safetensors checkpoint (${o.name ?? 'bytes'}): pass the config.json beside it`);
      }
      return loadSafetensors(bytes, o.config, { kernels: o.kernels, checkFinite: o.checkFinite, name: o.name, maxSeqLen: o.maxSeqLen, kvType: o.kvType });
    },
  }],
  ['gguf', {
    extraOptions: ['weights', 'activations'],
    load: (bytes, o) => {
      if (o.config !== undefined) throw badArgument('config applies to safetensors checkpoints; a GGUF file carries its own');
      const weights = o.weights as 'quantized' | 'f32' | undefined;
      const activations = o.activations as 'int8' | 'f32' | undefined;
      return loadGguf(bytes, { kernels: o.kernels, checkFinite: o.checkFinite, name: o.name, maxSeqLen: o.maxSeqLen, weights, activations, kvType: o.kvType });
    },
  }],
]);

/**
 * Install (or replace) the loader of a format; the GGUF loader registers itself this way.
 * Returns a function that puts back what was registered before (none, or the replaced loader).
 */
export function registerCheckpointLoader(format: CheckpointFormat, loader: CheckpointLoader): () => void {
  if (format !== 'llama2c' && format !== 'safetensors' && format !== 'gguf') {
    throw badArgument(`format must be 'llama2c', 'safetensors' or 'gguf', got ${String(format)}`);
  }
  if (loader === null || typeof loader !== 'object' || typeof loader.load !== 'function') {
    throw badArgument('loader must be an object with a load(bytes, options) function');
  }
  const before = loaders.get(format);
  loaders.set(format, loader);
  return () => {
    if (before === undefined) loaders.delete(format); else loaders.set(format, before);
  };
}

const FORMAT_NAMES: Record<CheckpointFormat, string> = { llama2c: 'llama2.c', safetensors: 'safetensors', gguf: 'GGUF' };

/** The loader registered for a format; UNAVAILABLE when none is. */
export function checkpointLoader(format: CheckpointFormat, name = 'checkpoint'): CheckpointLoader {
  const loader = loaders.get(format);
  if (loader === undefined) {
    throw new SparseInferenceError('UNAVAILABLE',
      `${name}: ${FORMAT_NAMES[format]} support not built in this version of sparse-inference (no loader is registered for it)`);
  }
  return loader;
}
