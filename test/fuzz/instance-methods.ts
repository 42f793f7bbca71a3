/**
 * Methods of live instances of the exported classes, as fuzz targets (FUZZ_TARGETS, read by
 * call-child.ts): a tokenizer, a random Llama model, a KV store, a calibration, a synthetic
 * attention generator, a small knot fit. Each method
 * keeps its declared parameter count, so it gets as many hostile arguments as it declares.
 */
import { readFileSync } from 'node:fs';
import { createKernels } from '../../src/kernels/create.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { KvStore } from '../../src/kvcache/kv-store.js';
import { KvCalibration } from '../../src/kvcache/calibration.js';
import { SyntheticAttention } from '../../src/kvcache/synthetic/generator.js';
import { fitKnots } from '../../src/knots/fit-knots.js';
import { MCYCLE_ACCEL, MCYCLE_TIMES } from '../../src/knots/data/mcycle.js';
import { letterTokenizer } from '../_harness/letter-tokenizer.js';

const kernels = await createKernels({ backend: 'wasm' });
/** Each instance with the source file of its class (to leave out its TypeScript-private methods). */
const instances: Record<string, [object, string]> = {
  Tokenizer: [letterTokenizer(40), 'llama/tokenizer.ts'],
  LlamaModel: [randomLlama({ dim: 16, hiddenDim: 32, nLayers: 1, nHeads: 2, nKvHeads: 1, vocabSize: 40, seqLen: 32 }, { kernels, seed: 1 }), 'llama/model.ts'],
  KvStore: [new KvStore(kernels, { nKvHeads: 2, headDim: 8, capacity: 64, ropeBase: 10000, ropePairing: 'half' }), 'kvcache/kv-store.ts'],
  KvCalibration: [new KvCalibration({ nLayers: 1, nKvHeads: 1, nHeads: 2, headDim: 8, wrope: { window: 4, distance: 64, base: 10000, pairing: 'half' } }), 'kvcache/calibration.ts'],
  SyntheticAttention: [new SyntheticAttention({ headDim: 8, nKvHeads: 1, groupSize: 2 }), 'kvcache/synthetic/generator.ts'],
  KnotFit: [await fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, { iterations: 200, burnIn: 100, chains: 1, draws: 20, kernels }), 'knots/fit-knots.ts'],
};

/** Whether the class source declares `name` private (TypeScript's private is not visible at run time). */
function isPrivate(source: string, name: string): boolean {
  return new RegExp(`\\b(private|protected)\\s+(static\\s+)?(async\\s+)?\\*?${name}\\s*[(<]`).test(source);
}

/** Methods that end the instance's life (the rest of the run needs it) or take no arguments. */
const SKIP = new Set(['constructor', 'dispose', 'free', 'close']);

export const FUZZ_TARGETS: Record<string, (...args: unknown[]) => unknown> = {};
for (const [cls, [inst, file]] of Object.entries(instances)) {
  const source = readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(inst))) {
    const m = (inst as Record<string, unknown>)[name];
    if (SKIP.has(name) || typeof m !== 'function' || m.length === 0 || isPrivate(source, name)) continue;
    const call = (...args: unknown[]) => (m as (...a: unknown[]) => unknown).apply(inst, args);
    FUZZ_TARGETS[`${cls}.${name}`] = Object.defineProperty(call, 'length', { value: m.length });
  }
}
