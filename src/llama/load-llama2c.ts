/**
 * Loader for llama2.c checkpoints (Karpathy, github.com/karpathy/llama2.c, `run.c` format;
 * the "legacy" float32 export).
 *
 * Layout: header of 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size,
 * seq_len; a negative vocab_size means the classifier is stored separately), then float32
 * tensors, each (out, in) row-major, tensor-major over layers:
 *   tok_embeddings (V,d), rms_att (L,d), wq (L,d,d), wk (L,kv,d), wv (L,kv,d), wo (L,d,d),
 *   rms_ffn (L,d), w1 (L,h,d), w2 (L,d,h), w3 (L,h,d), rms_final (d),
 *   [freq_cis_real (T, hd/2), freq_cis_imag (T, hd/2)]   ← older exports only
 *   [wcls (V,d)]                                          ← only when vocab_size < 0
 * The two variants (with or without the RoPE tables) are told apart by the file size. RoPE
 * pairs are adjacent (2t, 2t+1), θ = 10000, RMSNorm ε = 1e-5.
 *
 * @example
 * const model = loadLlama2c(new Uint8Array(await readFile('stories260K.bin')), { kernels });
 */
import { SparseInferenceError, badArgument } from '../core/errors.js';
import type { CpuKernels, Kernels } from '../kernels/kernels.js';
import { makeConfig, parameterCount } from './config.js';
import type { LlamaConfig } from './config.js';
import { LlamaModel, type KvType } from './model.js';
import { WeightLayout, type LayerTensorName } from './weight-layout.js';
import { scanFinite } from './weight-io.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface LoadOptions {
  /** The model's kernels, of any backend (CPU or WebGPU). */
  kernels: Kernels;
  /** Scan every weight for NaN/Infinity (O(parameters); default true). */
  checkFinite?: boolean;
  /** Name used in error messages (e.g. the file path). */
  name?: string;
  /** How the KV cache stores its rows: 'f32' (default) or 'f16' (binary16; see KvType). */
  kvType?: KvType;
}

/** Every key of LoadOptions, for checkOptions. */
export const LOAD_LLAMA2C_KEYS = optionKeys<LoadOptions>({ kernels: true, checkFinite: true, name: true, kvType: true });

/** What the header and file size say about a llama2.c checkpoint. */
export interface Llama2cHeader {
  config: LlamaConfig;
  /** Whether the file stores the (unused) RoPE tables after rms_final. */
  hasRopeTables: boolean;
  /** Expected file size in bytes. */
  fileBytes: number;
}

const HEADER_BYTES = 28;
const bad = (where: string, msg: string) => new SparseInferenceError('BAD_FILE', `${where}: ${msg}`);

/** Read and check the header against the file size; throws BAD_FILE naming the problem. */
export function parseLlama2cHeader(bytes: Uint8Array, name = 'llama2.c checkpoint'): Llama2cHeader {
  if (!(bytes instanceof Uint8Array)) throw badArgument(`bytes must be a Uint8Array, got ${typeof bytes}`);
  return parseLlama2cHeaderOf(bytes.subarray(0, HEADER_BYTES), bytes.length, name);
}

/**
 * The same checks from the file's first 28 bytes and its size (for reading a file piece by
 * piece: src/llama/node-files.ts).
 */
export function parseLlama2cHeaderOf(head: Uint8Array, fileSize: number, name = 'llama2.c checkpoint'): Llama2cHeader {
  if (fileSize < HEADER_BYTES || head.length < HEADER_BYTES) {
    throw bad(name, `file is ${fileSize} bytes, shorter than the 28-byte llama2.c header (truncated?)`);
  }
  const dv = new DataView(head.buffer, head.byteOffset, HEADER_BYTES);
  const h = Array.from({ length: 7 }, (_, i) => dv.getInt32(4 * i, true));
  if (h[0] === 0x616b3432) {
    throw bad(name, 'this is a versioned llama2.c export (magic "ak42"); only the legacy float32 format (7-int header) is supported');
  }
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabRaw, seqLen] = h;
  const config = makeConfig({
    dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize: Math.abs(vocabRaw), seqLen,
    ropeBase: 10000, ropePairing: 'adjacent', normEps: 1e-5, sharedClassifier: vocabRaw > 0,
  }, 'BAD_FILE', `${name}: bad header [${h.join(', ')}]`);
  const plain = HEADER_BYTES + 4 * parameterCount(config);
  const withTables = plain + 4 * config.seqLen * config.headDim;
  if (fileSize !== withTables && fileSize !== plain) {
    const what = fileSize < plain ? 'truncated' : fileSize < withTables ? 'truncated or corrupt' : 'has trailing bytes or a wrong header';
    throw bad(name, `file is ${fileSize} bytes but its header (dim ${dim}, hidden ${hiddenDim}, layers ${nLayers}, ` +
      `heads ${nHeads}/${nKvHeads}, vocab ${vocabRaw}, seq_len ${seqLen}) needs ${withTables} bytes ` +
      `(with RoPE tables) or ${plain} (without): ${what}`);
  }
  return { config, hasRopeTables: fileSize === withTables, fileBytes: fileSize };
}

/**
 * Load a llama2.c checkpoint into resident memory. Throws BAD_FILE for a truncated file, a
 * header that does not match the size, or (with checkFinite) a NaN/Infinity weight.
 */
export function loadLlama2c(bytes: Uint8Array, opts: LoadOptions): LlamaModel {
  opts = checkOptions('loadLlama2c options', opts, LOAD_LLAMA2C_KEYS);
  if (!opts?.kernels || typeof opts.kernels.allocF32 !== 'function') throw badArgument('opts.kernels must be a Kernels object');
  const name = opts.name ?? 'llama2.c checkpoint';
  const header = parseLlama2cHeader(bytes, name);
  return loadLlama2cFrom(header, (offset, dst) => dst.set(bytes.subarray(offset, offset + dst.length)), opts);
}

/**
 * Load from a checked header and a reader that fills `dst` with the file's bytes at `offset`:
 * each tensor is read straight into its place in resident memory (no copy of the file).
 */
export function loadLlama2cFrom(header: Llama2cHeader, readBytes: (offset: number, dst: Uint8Array) => void,
  opts: LoadOptions): LlamaModel {
  opts = checkOptions('loadLlama2c options', opts, LOAD_LLAMA2C_KEYS);
  const kernels = opts?.kernels;
  if (!kernels || typeof kernels.allocF32 !== 'function') throw badArgument('opts.kernels must be a Kernels object');
  const name = opts.name ?? 'llama2.c checkpoint';
  const { config: c, hasRopeTables } = header;
  const checkFinite = opts.checkFinite ?? true;
  return LlamaModel.create(c, kernels, (all, layout) => {
    let at = HEADER_BYTES;
    const read = (dst: Float32Array, tensor: string) => {
      readBytes(at, new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength));
      at += dst.length * 4;
      if (checkFinite) scanFinite(name, tensor, dst);
    };
    read(WeightLayout.view(all, layout.tokEmb), 'tok_embeddings');
    const perLayer = (t: LayerTensorName, fileName: string) => {
      for (let l = 0; l < c.nLayers; l++) read(WeightLayout.view(all, layout.layers[l][t]), `${fileName}[layer ${l}]`);
    };
    perLayer('rmsAtt', 'rms_att'); perLayer('wq', 'wq'); perLayer('wk', 'wk'); perLayer('wv', 'wv');
    perLayer('wo', 'wo'); perLayer('rmsFfn', 'rms_ffn'); perLayer('w1', 'w1'); perLayer('w2', 'w2');
    perLayer('w3', 'w3');
    read(WeightLayout.view(all, layout.rmsFinal), 'rms_final');
    if (hasRopeTables) at += 4 * c.seqLen * c.headDim; // freq_cis_real + freq_cis_imag: recomputed by the rope kernel
    if (!c.sharedClassifier) read(WeightLayout.view(all, layout.wcls), 'wcls');
  }, {}, { kvType: opts.kvType });
}
