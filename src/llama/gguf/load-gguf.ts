/**
 * Loading a Llama-architecture GGUF model (llama.cpp's format) into the runtime.
 *
 * Two modes (`weights`):
 *   'quantized' (default): matrices stored as Q4_1 or Q8_0 stay in that form, resident in WASM
 *     memory, and are multiplied by gemvQ4_1Q8_1 / gemvQ8_0Q8_1 (Q4_1 blocks are copied as they are;
 *     Q8_0 rows are regrouped to word-aligned rows, kernels/quantized-row-words.ts). Memory ≈ the
 *     file's size. A matrix kind whose layers are in another type (or mixed) is dequantized.
 *     Hooks that receive weights (FFN/projection strategies) need float weights.
 *     Activations are quantized to 8-bit blocks before each such product (`activations: 'int8'`,
 *     default; integer dot products, as llama.cpp's CPU backend computes them), or kept float32
 *     (`activations: 'f32'`: gemvQ4_1 / gemvQ8_0).
 *   'f32': every tensor dequantized to float32 (≈ 4 bytes per parameter: 540 MB for SmolLM2-135M),
 *     for methods that need float weights (CHESS's sparse kernels, hooks, the WebGPU backend).
 * Tensors are read a few MiB at a time: no copy of the whole file is needed when the source
 * reads from disk (src/node's readGgufModel).
 *
 * Everything is checked before memory is allocated: the architecture, every tensor's presence,
 * shape (ggml order [cols, rows]) and type. Violations throw BAD_FILE naming the file and tensor.
 *
 * @example
 * const model = loadGguf(new Uint8Array(await (await fetch('smollm2.gguf')).arrayBuffer()),
 *   { kernels: await createKernels(), maxSeqLen: 2048 });
 */
import { SparseInferenceError, badArgument } from '../../core/errors.js';
import { checkOptions } from '../../core/options.js';
import type { CpuKernels, Kernels } from '../../kernels/kernels.js';
import type { LlamaConfig } from '../config.js';
import { LlamaModel, type KvType } from '../model.js';
import { LAYER_TENSORS, WeightLayout, layerTensorShape, type MatrixName, type TensorSlot, type WeightFormats } from '../weight-layout.js';
import { quantizedRowWords, type QuantizedType } from '../../kernels/quantized-row-words.js';
import { scanFinite } from '../weight-io.js';
import { DEQUANTIZABLE, dequantizeInto } from './dequantize.js';
import { ggufLlamaConfig } from './gguf-config.js';
import { bytesSource, isGgufSource, type GgufSource } from './gguf-source.js';
import { ggufTensorName } from './gguf-tensor-names.js';
import { GGML_TYPES, ggmlByteSize } from './ggml-types.js';
import type { GgufTensorInfo } from './parse-gguf.js';

export interface GgufLoadOptions {
  /** Synchronous kernels, or asynchronous ones (WebGPU). */
  kernels: Kernels;
  /** Cap the context (KV-cache rows) below the model's own (llama.context_length). */
  maxSeqLen?: number;
  /** Scan every dequantized weight for NaN/Infinity (default true). */
  checkFinite?: boolean;
  /** Name used in error messages when loading from bytes (default 'GGUF file'). */
  name?: string;
  /** 'quantized' (default: Q4_1/Q8_0 matrices stay quantized) or 'f32' (all dequantized). */
  weights?: 'quantized' | 'f32';
  /**
   * With quantized weights: 'int8' (default) quantizes activations to 8-bit blocks before each
   * product, as llama.cpp's CPU backend does (its numerics, and faster); 'f32' keeps them float.
   */
  activations?: 'int8' | 'f32';
  /**
   * How the KV cache stores keys and values: 'f32' (default) or 'f16' (binary16, llama.cpp's
   * default KV type: half the memory per position; see KvType).
   */
  kvType?: KvType;
}

const OPTION_KEYS = ['kernels', 'maxSeqLen', 'checkFinite', 'name', 'weights', 'activations', 'kvType'] as const;
/** ggml types the quantized kernels read directly. */
const KERNEL_TYPES: readonly string[] = ['Q4_1', 'Q8_0'];
/** Bytes of file data decoded per read: bounds the transient buffer. */
const CHUNK_BYTES = 4 << 20;

/** One weight slot and the file tensor that fills it. */
interface PlannedTensor { info: GgufTensorInfo; matrix?: MatrixName; slot: (layout: WeightLayout) => TensorSlot }

/** Load a GGUF model from its bytes or from a GgufSource (see the module comment). */
export function loadGguf(input: Uint8Array | GgufSource, opts: GgufLoadOptions): LlamaModel {
  const o = checkOptions('loadGguf options', opts, OPTION_KEYS);
  const kernels = o.kernels;
  if (!kernels || typeof kernels.allocF32 !== 'function') throw badArgument('opts.kernels must be a Kernels object');
  if (o.name !== undefined && typeof o.name !== 'string') throw badArgument('opts.name must be a string');
  if (o.weights !== undefined && o.weights !== 'quantized' && o.weights !== 'f32') {
    throw badArgument(`opts.weights must be 'quantized' or 'f32', got ${String(o.weights)}`);
  }
  if (o.activations !== undefined && o.activations !== 'int8' && o.activations !== 'f32') {
    throw badArgument(`opts.activations must be 'int8' or 'f32', got ${String(o.activations)}`);
  }
  if (o.kvType !== undefined && o.kvType !== 'f32' && o.kvType !== 'f16') {
    throw badArgument(`opts.kvType must be 'f32' or 'f16', got ${String(o.kvType)}`);
  }
  const source = isGgufSource(input) ? input : bytesSource(input, o.name ?? 'GGUF file');
  const g = source.file;
  const config = ggufLlamaConfig(g, o.maxSeqLen);
  const plan = planTensors(g.where, g.tensors, config);
  const formats = (o.weights ?? 'quantized') === 'quantized' ? quantizedFormats(plan) : {};
  const checkFinite = o.checkFinite ?? true;
  return LlamaModel.create(config, kernels, (all, layout, quantized) => {
    for (const { info, slot } of plan) {
      const s = slot(layout);
      if (s.format !== undefined) {
        readQuantized(source, info, s, quantized.subarray(s.offset, s.offset + s.length));
        if (checkFinite) scanScales(g.where, info.name, s, quantized.subarray(s.offset, s.offset + s.length));
        continue;
      }
      const dst = WeightLayout.view(all, s);
      readDequantized(source, info, dst);
      if (checkFinite) scanFinite(g.where, info.name, dst);
    }
  }, formats, { activations: o.activations, kvType: o.kvType });
}

/** Matrix kinds whose every tensor is in one type the kernels read (Q4_1 or Q8_0). */
function quantizedFormats(plan: PlannedTensor[]): WeightFormats {
  const types = new Map<MatrixName, Set<string>>();
  for (const { info, matrix } of plan) {
    if (matrix === undefined) continue;
    if (!types.has(matrix)) types.set(matrix, new Set());
    types.get(matrix)!.add(info.type);
  }
  const formats: WeightFormats = {};
  for (const [matrix, set] of types) {
    const [only] = set;
    if (set.size === 1 && KERNEL_TYPES.includes(only)) formats[matrix] = only as QuantizedType;
  }
  return formats;
}

/** Find every tensor the runtime needs and check its shape and type against the config. */
function planTensors(where: string, tensors: Map<string, GgufTensorInfo>, c: LlamaConfig): PlannedTensor[] {
  const bad = (msg: string) => new SparseInferenceError('BAD_FILE', `${where}: ${msg}`);
  const find = (name: string, rows: number, cols: number): GgufTensorInfo => {
    const info = tensors.get(name);
    if (!info) throw bad(`tensor ${name} is missing`);
    const expected = rows === 1 ? [cols] : [cols, rows];
    if (info.shape.length !== expected.length || info.shape.some((d, i) => d !== expected[i])) {
      throw bad(`tensor ${name} has shape [${info.shape}] but the metadata implies [${expected}] (ggml order)`);
    }
    if (!(DEQUANTIZABLE as readonly string[]).includes(info.type)) {
      throw bad(`tensor ${name} has type ${info.type}; supported: ${DEQUANTIZABLE.join(', ')}`);
    }
    return info;
  };
  const plan: PlannedTensor[] = [{ info: find(ggufTensorName('tokEmb'), c.vocabSize, c.dim), matrix: 'tokEmb', slot: (L) => L.tokEmb }];
  for (let l = 0; l < c.nLayers; l++) {
    for (const t of LAYER_TENSORS) {
      const matrix = t === 'rmsAtt' || t === 'rmsFfn' ? undefined : t;
      plan.push({ info: find(ggufTensorName(t, l), ...layerTensorShape(c, t)), matrix, slot: (L) => L.layers[l][t] });
    }
  }
  plan.push({ info: find(ggufTensorName('rmsFinal'), 1, c.dim), slot: (L) => L.rmsFinal });
  if (!c.sharedClassifier) plan.push({ info: find(ggufTensorName('wcls'), c.vocabSize, c.dim), matrix: 'wcls', slot: (L) => L.wcls });
  return plan;
}

/** Dequantize one tensor into dst, reading whole rows, about CHUNK_BYTES at a time. */
function readDequantized(source: GgufSource, info: GgufTensorInfo, dst: Float32Array): void {
  const type = GGML_TYPES.get(info.typeId)!;
  const rowLength = info.shape[0];
  const rowBytes = ggmlByteSize(type, rowLength);
  const rows = info.elements / rowLength;
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
  const scratch = new Uint8Array(Math.min(rows, rowsPerChunk) * rowBytes);
  for (let r = 0; r < rows; r += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - r);
    const bytes = scratch.subarray(0, n * rowBytes);
    source.read(info.offset + r * rowBytes, bytes);
    dequantizeInto(bytes, 0, info.type, dst.subarray(r * rowLength, (r + n) * rowLength));
  }
}

/**
 * Copy one quantized tensor into its resident slot: Q4_1 rows are ggml's blocks unchanged (read
 * straight into place); Q8_0 blocks (f16 d, 32 int8) become rows of quants then scales.
 */
function readQuantized(source: GgufSource, info: GgufTensorInfo, slot: TensorSlot, dst: Int32Array): void {
  const out = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
  if (slot.format === 'Q4_1') {
    source.read(info.offset, out.subarray(0, info.byteLength));
    return;
  }
  const { rows, cols } = slot;
  const fileRow = (cols / 32) * 34;
  const residentRow = 4 * quantizedRowWords('Q8_0', cols);
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / fileRow));
  const scratch = new Uint8Array(Math.min(rows, rowsPerChunk) * fileRow);
  for (let r = 0; r < rows; r += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - r);
    source.read(info.offset + r * fileRow, scratch.subarray(0, n * fileRow));
    for (let i = 0; i < n; i++) {
      const row = out.subarray((r + i) * residentRow, (r + i + 1) * residentRow);
      // Plain byte loops, no subarray per block: ~10⁶ short-lived views would make V8 grow its
      // young generation, which stays resident (peak RSS).
      for (let b = 0; b < cols / 32; b++) {
        const at = i * fileRow + 34 * b;
        for (let j = 0; j < 32; j++) row[32 * b + j] = scratch[at + 2 + j];
        row[cols + 2 * b] = scratch[at];
        row[cols + 2 * b + 1] = scratch[at + 1];
      }
    }
  }
}

/** BAD_FILE when a block scale (or Q4_1 minimum) of a quantized tensor is Infinity or NaN. */
function scanScales(where: string, tensor: string, slot: TensorSlot, words: Int32Array): void {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const rowBytes = 4 * quantizedRowWords(slot.format!, slot.cols);
  const blocks = slot.cols / 32;
  const q4 = slot.format === 'Q4_1';
  // An f16 is Inf/NaN when its exponent bits (0x7c of the high byte) are all set.
  const nonFinite = (at: number) => (bytes[at + 1] & 0x7c) === 0x7c;
  for (let r = 0; r < slot.rows; r++) {
    for (let b = 0; b < blocks; b++) {
      const at = q4 ? r * rowBytes + 20 * b : r * rowBytes + slot.cols + 2 * b;
      if (nonFinite(at) || (q4 && nonFinite(at + 2))) {
        throw new SparseInferenceError('BAD_FILE', `${where}: tensor ${tensor} has a non-finite ${slot.format} scale in row ${r}, block ${b}`);
      }
    }
  }
}
