/**
 * Options objects: checkOptions treats null/undefined as {}, rejects non-objects and unknown
 * keys naming the key and the valid ones; and every public entry point listed below runs it, so
 * a misspelt option (`{ iteratons: 10 }`) fails loudly instead of silently running the default.
 */
import { describe, expect, it } from 'vitest';
import { checkOptions, optionKeys } from '../../src/core/options.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { kmeans } from '../../src/kvcache/kmeans.js';
import { trainCodebook } from '../../src/kvcache/train-codebook.js';
import { KvCalibration } from '../../src/kvcache/calibration.js';
import { Retrieval } from '../../src/kvcache/retrieval.js';
import { FullAttention } from '../../src/kvcache/methods/full-attention.js';
import { PqCache } from '../../src/kvcache/methods/pqcache.js';
import { evaluateSynthetic, calibrateSynthetic } from '../../src/kvcache/eval/synthetic-eval.js';
import { runAblations } from '../../src/kvcache/eval/ablations.js';
import { createMethod } from '../../src/kvcache/eval/methods.js';
import { TwoTierKvCache } from '../../src/kvcache/two-tier/two-tier-cache.js';
import { SyntheticAttention } from '../../src/kvcache/synthetic/generator.js';
import { createParallelKernels } from '../../src/backends/wasm-threads/create-parallel-kernels.js';
import { createSyntheticSwiGlu } from '../../src/activations/synthetic-swiglu.js';
import { evaluateSyntheticSwiGlu } from '../../src/activations/evaluate-synthetic.js';
import { QuantileSketch } from '../../src/activations/quantile-sketch.js';
import { ActivationCollector } from '../../src/activations/activation-collector.js';
import { calibrateModel } from '../../src/activations/calibrate-model.js';
import { evaluateModelSparsity } from '../../src/activations/evaluate-model.js';
import { tealGreedyAllocation } from '../../src/activations/teal-greedy.js';
import { installActivationSparsity } from '../../src/activations/install-sparsity.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { loadLlama2c } from '../../src/llama/load-llama2c.js';
import { loadSafetensors } from '../../src/llama/load-safetensors.js';
import { parseHfConfig } from '../../src/llama/hf-config.js';
import { toHfCheckpoint } from '../../src/llama/convert-to-hf.js';
import { loadTokenizer } from '../../src/llama/tokenizer.js';
import { Sampler } from '../../src/llama/sampler.js';
import { generate } from '../../src/llama/generate.js';
import { evaluateNll } from '../../src/llama/evaluate-nll.js';
import { lineChart, barChart, heatMap, stackCharts, htmlTable } from '../../src/plot/index.js';
import { catsThresholds } from '../../src/activations/cats-thresholds.js';
import { chessThresholds } from '../../src/activations/chess-thresholds.js';
import { tealThresholds } from '../../src/activations/teal-thresholds.js';
import { quantile, quantiles, variance } from '../../src/core/stats/index.js';
import { cholesky, leastSquares } from '../../src/core/linalg/index.js';
import { bandedCholesky, bandedNormalEquations } from '../../src/core/banded/index.js';

describe('checkOptions', () => {
  const keys = ['iterations', 'signal'];
  it('treats null and undefined as no options', () => {
    expect(checkOptions('o', null, keys)).toEqual({});
    expect(checkOptions('o', undefined, keys)).toEqual({});
  });
  it('returns a valid object unchanged', () => {
    const o = { iterations: 3 };
    expect(checkOptions('o', o, keys)).toBe(o);
  });
  it('rejects an unknown key, naming it and the valid keys', () => {
    expect(() => checkOptions('fit options', { iteratons: 10 }, keys)).toThrow(
      /fit options has an unknown option 'iteratons'; valid options are 'iterations', 'signal'/);
    expect(() => checkOptions('o', { iterations: 1, extra: undefined }, keys)).toThrow(/'extra'/);
  });
  it('rejects non-objects: numbers, strings, arrays, typed arrays, functions', () => {
    for (const bad of [42, 'x', [1], new Float32Array(2), () => 1, true]) {
      expect(() => checkOptions('o', bad as never, keys)).toThrow(SparseInferenceError);
    }
  });
  it('optionKeys lists the keys it was given', () => {
    expect(optionKeys<{ a?: number; b: string }>({ a: true, b: true })).toEqual(['a', 'b']);
  });
});

/** Runs `call` and returns the SparseInferenceError it throws or rejects with. */
async function errorOf(call: () => unknown): Promise<SparseInferenceError> {
  try {
    await call();
  } catch (e) {
    if (e instanceof SparseInferenceError) return e;
    throw new Error(`expected SparseInferenceError, got ${String(e)}`);
  }
  throw new Error('expected the call to throw');
}

describe('public entry points reject unknown option keys and non-object options', async () => {
  const k = await createKernels({ backend: 'reference' });
  const points = new Float32Array(64).map((_, i) => Math.sin(i));
  const wrope = { window: 4, distance: 64, base: 10000, pairing: 'half' as const };
  const gen = new SyntheticAttention({ headDim: 8, nKvHeads: 1, groupSize: 2 });
  // Each entry takes an options object with one extra key (or a bad value) and calls the function.
  const cases: [string, (extra: object | number) => unknown][] = [
    ['kmeans', (x) => kmeans(k, points, 16, 4, typeof x === 'number' ? x as never : { k: 2, ...x })],
    ['trainCodebook', (x) => trainCodebook(k, points, 16, 4, typeof x === 'number' ? x as never : { size: 2, ...x })],
    ['KvCalibration.train', (x) => new KvCalibration({ nLayers: 1, nKvHeads: 1, nHeads: 1, headDim: 4, wrope })
      .train(k, typeof x === 'number' ? x as never : { size: 2, kind: 'plain', ...x })],
    ['Retrieval', (x) => new Retrieval(k, new FullAttention(), typeof x === 'number' ? x as never
      : { window: 1, sinks: 0, budget: { mode: 'total', fraction: 1 }, groupSize: 1, headDim: 4, ...x })],
    ['PqCache', (x) => new PqCache(k, 8, 1, 1, typeof x === 'number' ? x as never : { ...x })],
    ['createMethod', (x) => createMethod(k, 'quest', typeof x === 'number' ? x as never
      : { headDim: 8, groupSize: 1, nKvHeads: 1, layer: 0, wrope, ...x })],
    ['evaluateSynthetic', (x) => evaluateSynthetic(k, typeof x === 'number' ? x as never : { n: 64, ...x })],
    ['runAblations', (x) => runAblations(k, typeof x === 'number' ? x as never : { n: 64, ...x })],
    ['calibrateSynthetic', (x) => calibrateSynthetic(k, gen, wrope, typeof x === 'number' ? x as never : { length: 32, ...x })],
    ['TwoTierKvCache.create', (x) => TwoTierKvCache.create(k, typeof x === 'number' ? x as never
      : { nHeads: 1, nKvHeads: 1, headDim: 4, capacity: 8, ropeBase: 10000, ropePairing: 'half', codebooks: [], ...x })],
  ];
  // activations, llama and kernels: a tiny random model stands in for a checkpoint.
  const model = randomLlama({ dim: 8, hiddenDim: 16, nLayers: 1, nHeads: 2, nKvHeads: 2, vocabSize: 8, seqLen: 16 }, { kernels: k });
  const stats = undefined as never;
  const tok = undefined as never;
  const with_ = <T extends object>(base: T) => (x: object | number) => (typeof x === 'number' ? x as never : { ...base, ...x });
  cases.push(
    ['createKernels', (x) => createKernels(with_({ backend: 'reference' as const })(x))],
    ['createParallelKernels', (x) => createParallelKernels(with_({ threads: 1 })(x))],
    ['createSyntheticSwiGlu', (x) => createSyntheticSwiGlu(k, with_({ dim: 4, hidden: 8 })(x))],
    ['evaluateSyntheticSwiGlu', (x) => evaluateSyntheticSwiGlu(k, with_({})(x))],
    ['QuantileSketch', (x) => new QuantileSketch(with_({})(x))],
    ['ActivationCollector', (x) => new ActivationCollector({ nLayers: 1, dim: 4, hiddenDim: 8 }, with_({})(x))],
    ['calibrateModel', (x) => calibrateModel(model, tok, '', with_({})(x))],
    ['evaluateModelSparsity', (x) => evaluateModelSparsity(model, tok, '', with_({})(x))],
    ['tealGreedyAllocation', (x) => tealGreedyAllocation(model, tok, '', stats, with_({ targets: [0.5] })(x))],
    ['installActivationSparsity', (x) => installActivationSparsity(model, stats, with_({})(x))],
    ['randomLlama', (x) => randomLlama({ dim: 8, hiddenDim: 16, nLayers: 1, nHeads: 2, nKvHeads: 2, vocabSize: 8, seqLen: 16 }, with_({ kernels: k })(x))],
    ['loadLlama2c', (x) => loadLlama2c(new Uint8Array(0), with_({ kernels: k })(x))],
    ['loadSafetensors', (x) => loadSafetensors({}, '{}', with_({ kernels: k })(x))],
    ['parseHfConfig', (x) => parseHfConfig('{}', with_({})(x))],
    ['toHfCheckpoint', (x) => toHfCheckpoint(model, with_({})(x))],
    ['loadTokenizer', (x) => loadTokenizer(new Uint8Array(0), with_({})(x))],
    ['Sampler', (x) => new Sampler(with_({})(x))],
    ['generate', (x) => generate(model, tok, with_({})(x))],
    ['evaluateNll', (x) => evaluateNll(model, tok, '', with_({})(x))],
    ['LlamaModel.prefill', (x) => model.prefill([1], 0, with_({})(x))],
    // plots and core numerics
    ['lineChart', (x) => lineChart(with_({ series: [{ name: 'a', x: [0, 1], y: [0, 1] }] })(x))],
    ['lineChart series[0]', (x) => lineChart({ series: [with_({ name: 'a', x: [0, 1], y: [0, 1] })(x)] })],
    ['barChart', (x) => barChart(with_({ bars: [{ label: 'a', value: 1 }] })(x))],
    ['heatMap', (x) => heatMap(with_({ x: [0, 1], y: [0, 1], z: [0, 1, 2, 3] })(x))],
    ['stackCharts', (x) => stackCharts([{ series: [{ name: 'a', x: [0, 1], y: [0, 1] }] }], with_({})(x))],
    ['htmlTable', (x) => htmlTable(['a'], [[1]], with_({})(x))],
    ['catsThresholds', (x) => catsThresholds(stats, 0.5, with_({})(x))],
    ['chessThresholds', (x) => chessThresholds(stats, 0.5, with_({})(x))],
    ['tealThresholds', (x) => tealThresholds(stats, 0.5, with_({})(x))],
    ['quantile', (x) => quantile([1, 2, 3], 0.5, with_({})(x))],
    ['quantiles', (x) => quantiles([1, 2, 3], [0.5], with_({})(x))],
    ['variance', (x) => variance([1, 2, 3], with_({})(x))],
    ['cholesky', (x) => cholesky(Float64Array.of(4), 1, with_({})(x))],
    ['bandedCholesky', (x) => bandedCholesky(Float64Array.of(4), 1, 0, with_({})(x))],
    ['leastSquares', (x) => leastSquares(Float64Array.of(1, 1), Float64Array.of(1, 2), 2, 1, with_({})(x))],
    ['bandedNormalEquations', (x) => bandedNormalEquations(Int32Array.of(0), Float64Array.of(1), Float64Array.of(1), 1, 1, 1, with_({})(x))],
  );
  for (const [name, call] of cases) {
    it(`${name}: { iteratons: 10 } names the key and the valid ones; 42 is not an options object`, async () => {
      const e = await errorOf(() => call({ iteratons: 10 }));
      expect(e.code).toBe('BAD_ARGUMENT');
      expect(e.message).toMatch(/unknown option 'iteratons'; valid options are '/);
      const n = await errorOf(() => call(42));
      expect(n.code).toBe('BAD_ARGUMENT');
      expect(n.message).toMatch(/options/);
    });
  }
});

describe('kvcache long runs take { onProgress, signal }', () => {
  it('calibrateSynthetic reports progress through options.onProgress and stops on options.signal', async () => {
    const k = await createKernels({ backend: 'reference' });
    const gen = new SyntheticAttention({ headDim: 8, nKvHeads: 1, groupSize: 2 });
    const wrope = { window: 4, distance: 64, base: gen.config.ropeBase, pairing: gen.config.ropePairing };
    const seen: number[] = [];
    const books = await calibrateSynthetic(k, gen, wrope, {
      length: 64, sequences: 1, size: 4, iterations: 2, kinds: ['plain'], onProgress: (f) => seen.push(f),
    });
    expect(books.plain).toBeDefined();
    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    const aborted = AbortSignal.abort();
    const e = await errorOf(() => calibrateSynthetic(k, gen, wrope, { length: 64, sequences: 1, signal: aborted }));
    expect(e.code).toBe('ABORTED');
  });
});
