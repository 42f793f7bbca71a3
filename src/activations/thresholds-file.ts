/**
 * Thresholds as JSON: written once after calibration, loaded at install time, validated on load
 * so that a corrupt or mismatched file fails with a message naming the field (BAD_FILE), never
 * as NaN thresholds. Infinity (a channel that is always skipped) is written as null; a per-channel
 * array whose entries are all equal (CATS) is written as one number.
 *
 * Format (version 1):
 *   { "format": "sparse-inference/activation-thresholds", "version": 1,
 *     "metadata": { model, method, sparsity, tokens, quantile, greedy?, nLayers, dim, hiddenDim },
 *     "layers": [ { "aGate"?: number | (number|null)[], "inputs"?: { q?, k?, v?, o?, gate?, up?, down? } } ] }
 *
 * @example
 * const text = serializeThresholds(th);        // → file
 * const back = parseThresholds(text);           // deep-equal to th
 */
import { SparseInferenceError } from '../core/errors.js';
import {
  PROJECTION_INPUTS, type ActivationThresholds, type LayerThresholds, type ProjectionInput,
  type ThresholdMetadata, type ThresholdMethod,
} from './thresholds.js';

export const THRESHOLDS_FORMAT = 'sparse-inference/activation-thresholds';
export const THRESHOLDS_VERSION = 1;
const METHODS: readonly ThresholdMethod[] = ['cats', 'chess-sq', 'chess-abs', 'teal'];

/** JSON text of a threshold set (validated first, so a bad set is never written). */
export function serializeThresholds(th: ActivationThresholds): string {
  validateThresholds(th, 'BAD_ARGUMENT', 'thresholds');
  const layers = th.layers.map((L) => {
    const out: Record<string, unknown> = {};
    if (L.aGate) {
      const a = L.aGate;
      out.aGate = a.every((v) => v === a[0]) && Number.isFinite(a[0]) ? a[0] : Array.from(a, (v) => (v === Infinity ? null : v));
    }
    if (L.inputs) out.inputs = { ...L.inputs };
    return out;
  });
  return JSON.stringify({ format: THRESHOLDS_FORMAT, version: THRESHOLDS_VERSION, metadata: th.metadata, layers }, null, 1) + '\n';
}

/** Parse and validate a thresholds file; throws BAD_FILE naming the first bad field. */
export function parseThresholds(text: string): ActivationThresholds {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `thresholds file is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const fail = (msg: string) => new SparseInferenceError('BAD_FILE', `thresholds file: ${msg}`);
  if (!isObject(raw)) throw fail('top level must be an object');
  if (raw.format !== THRESHOLDS_FORMAT) throw fail(`format must be '${THRESHOLDS_FORMAT}', got ${JSON.stringify(raw.format)}`);
  if (raw.version !== THRESHOLDS_VERSION) throw fail(`unsupported version ${JSON.stringify(raw.version)} (expected ${THRESHOLDS_VERSION})`);
  if (!isObject(raw.metadata)) throw fail('metadata must be an object');
  const m = raw.metadata;
  const metadata: ThresholdMetadata = {
    model: str(m.model, 'metadata.model', fail),
    method: oneOf(m.method, METHODS, 'metadata.method', fail),
    sparsity: num(m.sparsity, 'metadata.sparsity', fail, 0, 1, true),
    tokens: int(m.tokens, 'metadata.tokens', fail, 0),
    quantile: oneOf(m.quantile, ['exact', 'sketch'] as const, 'metadata.quantile', fail),
    nLayers: int(m.nLayers, 'metadata.nLayers', fail, 1),
    dim: int(m.dim, 'metadata.dim', fail, 1),
    hiddenDim: int(m.hiddenDim, 'metadata.hiddenDim', fail, 1),
  };
  if (m.greedy !== undefined) {
    if (typeof m.greedy !== 'boolean') throw fail('metadata.greedy must be a boolean');
    metadata.greedy = m.greedy;
  }
  if (!Array.isArray(raw.layers)) throw fail('layers must be an array');
  const layers = raw.layers.map((L: unknown, l: number): LayerThresholds => {
    if (!isObject(L)) throw fail(`layers[${l}] must be an object`);
    const out: LayerThresholds = {};
    if (L.aGate !== undefined) {
      if (typeof L.aGate === 'number') {
        out.aGate = new Float64Array(metadata.hiddenDim).fill(num(L.aGate, `layers[${l}].aGate`, fail, 0, Infinity));
      } else if (Array.isArray(L.aGate)) {
        out.aGate = Float64Array.from(L.aGate, (v: unknown, i: number) => (v === null ? Infinity : num(v, `layers[${l}].aGate[${i}]`, fail, 0, Infinity)));
      } else throw fail(`layers[${l}].aGate must be a number or an array`);
    }
    if (L.inputs !== undefined) {
      if (!isObject(L.inputs)) throw fail(`layers[${l}].inputs must be an object`);
      const inputs: Partial<Record<ProjectionInput, number>> = {};
      for (const [key, v] of Object.entries(L.inputs)) {
        const p = oneOf(key, PROJECTION_INPUTS, `layers[${l}].inputs key`, fail);
        inputs[p] = num(v, `layers[${l}].inputs.${p}`, fail, 0, Infinity);
      }
      out.inputs = inputs;
    }
    return out;
  });
  const th = { metadata, layers };
  validateThresholds(th, 'BAD_FILE', 'thresholds file');
  return th;
}

/**
 * Structural checks shared by save, load and install: layer count, aGate lengths, thresholds
 * ≥ 0 and not NaN, and what each method needs (CATS/CHESS: aGate in every layer; TEAL: the gate, up and
 * down inputs — attention inputs are optional and stay dense where absent).
 */
export function validateThresholds(th: ActivationThresholds, code: 'BAD_FILE' | 'BAD_ARGUMENT' = 'BAD_ARGUMENT', where = 'thresholds'): void {
  const fail = (msg: string) => new SparseInferenceError(code, `${where}: ${msg}`);
  if (!isObject(th) || !isObject(th.metadata) || !Array.isArray(th.layers)) throw fail('must have metadata and layers');
  const { method, nLayers, hiddenDim, sparsity } = th.metadata;
  if (!METHODS.includes(method)) throw fail(`metadata.method must be one of ${METHODS.join(', ')}, got ${String(method)}`);
  if (!(sparsity >= 0 && sparsity < 1)) throw fail(`metadata.sparsity must be in [0, 1), got ${sparsity}`);
  if (th.layers.length !== nLayers) throw fail(`has ${th.layers.length} layers but metadata.nLayers is ${nLayers}`);
  th.layers.forEach((L, l) => {
    if (L.aGate) {
      if (!(L.aGate instanceof Float64Array)) throw fail(`layers[${l}].aGate must be a Float64Array`);
      if (L.aGate.length !== hiddenDim) throw fail(`layers[${l}].aGate has ${L.aGate.length} channels, metadata.hiddenDim is ${hiddenDim}`);
      L.aGate.forEach((v, i) => { if (!(v >= 0)) throw fail(`layers[${l}].aGate[${i}] must be ≥ 0, got ${v}`); });
    }
    for (const [p, v] of Object.entries(L.inputs ?? {})) {
      if (!(PROJECTION_INPUTS as readonly string[]).includes(p)) throw fail(`layers[${l}].inputs has unknown projection '${p}'`);
      if (!(typeof v === 'number' && v >= 0 && v < Infinity)) throw fail(`layers[${l}].inputs.${p} must be a finite number ≥ 0, got ${v}`);
    }
    if (method !== 'teal' && !L.aGate) throw fail(`layers[${l}].aGate is required for method ${method}`);
    if (method === 'teal') {
      for (const p of ['gate', 'up', 'down'] as const) if (L.inputs?.[p] === undefined) throw fail(`layers[${l}].inputs.${p} is required for method teal`);
    }
  });
}

function isObject(v: unknown): v is Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
type Fail = (msg: string) => Error;
function str(v: unknown, name: string, fail: Fail): string {
  if (typeof v !== 'string') throw fail(`${name} must be a string`);
  return v;
}
function num(v: unknown, name: string, fail: Fail, min: number, max: number, maxExclusive = false): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < min || v > max || (maxExclusive && v === max) || v === Infinity) {
    throw fail(`${name} must be a number in [${min}, ${max}${maxExclusive ? ')' : ']'}, got ${JSON.stringify(v)}`);
  }
  return v;
}
function int(v: unknown, name: string, fail: Fail, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw fail(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}
function oneOf<T extends string>(v: unknown, choices: readonly T[], name: string, fail: Fail): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw fail(`${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}
