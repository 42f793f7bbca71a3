/**
 * Loader for Hugging Face Llama checkpoints: `model.safetensors` (or shards listed in
 * `model.safetensors.index.json`) plus `config.json`. Tensors may be F32, F16 or BF16; they
 * are decoded to float32 straight into resident memory. RoPE is the half-split pairing HF uses
 * (q_proj/k_proj rows are stored permuted for it), base rope_theta.
 *
 * Everything is checked before memory is allocated: each tensor must exist (in exactly one
 * shard), have a supported dtype and the shape config.json implies; the index's weight_map
 * must agree with the shards. Violations throw BAD_FILE naming the tensor.
 *
 * @example
 * const model = loadSafetensors(await readFile('model.safetensors'),
 *   await readFile('config.json', 'utf8'), { kernels });
 * // sharded: loadSafetensors({ 'model-00001-of-00002.safetensors': a, ... }, config,
 * //   { kernels, index: await readFile('model.safetensors.index.json', 'utf8') })
 */
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { parseHfConfig } from './hf-config.js';
import { hfTensorName } from './hf-tensor-names.js';
import type { LlamaConfig } from './config.js';
import type { LoadOptions } from './load-llama2c.js';
import { LlamaModel } from './model.js';
import { parseSafetensors, type SafetensorsFile, type SafetensorsTensor } from './safetensors.js';
import { LAYER_TENSORS, WeightLayout, layerTensorShape, type TensorSlot } from './weight-layout.js';
import { decodeInto, scanFinite, type SourceDtype } from './weight-io.js';
import { checkOptions, optionKeys } from '../core/options.js';

/** One file, several shards, or shards by file name (needed to check an index). */
export type SafetensorsInput = Uint8Array | Uint8Array[] | Record<string, Uint8Array>;

export interface SafetensorsLoadOptions extends LoadOptions {
  /** model.safetensors.index.json contents (text or parsed), checked against the shards. */
  index?: string | Record<string, unknown>;
  /** Cap the context (KV cache rows) below max_position_embeddings. */
  maxSeqLen?: number;
}

/** Every key of SafetensorsLoadOptions, for checkOptions. */
export const SAFETENSORS_LOAD_KEYS = optionKeys<SafetensorsLoadOptions>({ index: true, maxSeqLen: true, kernels: true, checkFinite: true, name: true, kvType: true });

interface Located { file: SafetensorsFile; info: SafetensorsTensor; name: string }

export function loadSafetensors(files: SafetensorsInput, configJson: string | Record<string, unknown>,
  opts: SafetensorsLoadOptions): LlamaModel {
  opts = checkOptions('loadSafetensors options', opts, SAFETENSORS_LOAD_KEYS);
  const kernels = opts?.kernels;
  if (!kernels || typeof kernels.allocF32 !== 'function') throw badArgument('opts.kernels must be a Kernels object');
  const config = parseHfConfig(configJson, { maxSeqLen: opts.maxSeqLen });
  const shards = parseShards(files);
  const where = shards.length === 1 ? shards[0].name : `${shards.length} safetensors shards`;
  const bad = (msg: string) => new SparseInferenceError('BAD_FILE', `${where}: ${msg}`);
  const all = new Map<string, SafetensorsFile>();
  for (const f of shards) {
    for (const key of f.tensors.keys()) {
      const prev = all.get(key);
      if (prev) throw bad(`tensor ${key} appears in both ${prev.name} and ${f.name}`);
      all.set(key, f);
    }
  }
  if (opts.index !== undefined) checkIndex(opts.index, all, shards, bad);

  const locate = (name: string, shape: number[]): Located => {
    const file = all.get(name);
    if (!file) throw bad(`tensor ${name} is missing`);
    const info = file.tensors.get(name)!;
    if (!['F32', 'F16', 'BF16'].includes(info.dtype)) {
      throw bad(`tensor ${name} has dtype ${info.dtype}; only F32, F16 and BF16 weights are supported`);
    }
    const same = info.shape.length === shape.length && info.shape.every((d, i) => d === shape[i]);
    if (!same) {
      throw bad(`tensor ${name} has shape ${JSON.stringify(info.shape)} but config.json implies ${JSON.stringify(shape)} (config/tensor mismatch)`);
    }
    return { file, info, name };
  };
  // Resolve every tensor first, so a bad file fails before any memory is allocated.
  const plan: [Located, (layout: WeightLayout) => TensorSlot][] = [];
  const c: LlamaConfig = config;
  plan.push([locate(hfTensorName('tokEmb'), [c.vocabSize, c.dim]), (L) => L.tokEmb]);
  for (let l = 0; l < c.nLayers; l++) {
    for (const t of LAYER_TENSORS) {
      const [rows, cols] = layerTensorShape(c, t);
      plan.push([locate(hfTensorName(t, l), rows === 1 ? [cols] : [rows, cols]), (L) => L.layers[l][t]]);
    }
  }
  plan.push([locate(hfTensorName('rmsFinal'), [c.dim]), (L) => L.rmsFinal]);
  if (!c.sharedClassifier) plan.push([locate(hfTensorName('wcls'), [c.vocabSize, c.dim]), (L) => L.wcls]);

  const checkFinite = opts.checkFinite ?? true;
  return LlamaModel.create(config, kernels, (buf, layout) => {
    for (const [{ file, info, name }, slot] of plan) {
      const dst = WeightLayout.view(buf, slot(layout));
      decodeInto(file.bytes, info.begin, info.dtype as SourceDtype, dst);
      if (checkFinite) scanFinite(file.name, name, dst);
    }
  }, {}, { kvType: opts.kvType });
}

function parseShards(files: SafetensorsInput): SafetensorsFile[] {
  if (files instanceof Uint8Array) return [parseSafetensors(files, 'model.safetensors')];
  if (Array.isArray(files)) {
    if (files.length === 0) throw badArgument('files must hold at least one safetensors file');
    return files.map((b, i) => parseSafetensors(b, `shard ${i}`));
  }
  if (typeof files !== 'object' || files === null) throw badArgument('files must be a Uint8Array, an array of them, or an object of them by file name');
  const entries = Object.entries(files);
  if (entries.length === 0) throw badArgument('files must hold at least one safetensors file');
  return entries.map(([name, b]) => parseSafetensors(b, name));
}

function checkIndex(index: string | Record<string, unknown>, all: Map<string, SafetensorsFile>,
  shards: SafetensorsFile[], bad: (m: string) => Error): void {
  let idx: unknown = index;
  if (typeof index === 'string') {
    try { idx = JSON.parse(index); } catch (e) { throw bad(`model.safetensors.index.json is not valid JSON (${(e as Error).message})`); }
  }
  const map = (idx as { weight_map?: unknown })?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw bad('model.safetensors.index.json has no weight_map object');
  const names = new Set(shards.map((s) => s.name));
  for (const [tensor, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string') throw bad(`index maps ${tensor} to ${JSON.stringify(file)}, not a file name`);
    const holder = all.get(tensor);
    if (!holder) throw bad(`index lists ${tensor} in ${file} but no shard holds it`);
    if (names.has(file) && holder.name !== file) throw bad(`index puts ${tensor} in ${file} but it is in ${holder.name}`);
  }
}
