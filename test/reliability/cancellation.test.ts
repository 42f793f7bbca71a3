/**
 * Cancellation: every long-running entry point, aborted 100 ms after it starts, rejects with
 * ABORTED within 250 ms of the abort (the loops check the signal and return to the event loop
 * at least every ~50 ms of work). The workloads are sized to run for seconds if not aborted.
 * (Timings on a shared 2-core machine: the bound has ample margin over the ~25–50 ms slices.)
 */
import { expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { kmeans } from '../../src/kvcache/kmeans.js';
import { PqCache } from '../../src/kvcache/methods/pqcache.js';
import { mirrorF32 } from '../../src/kernels/host-mirror.js';
import { evaluateSynthetic } from '../../src/kvcache/eval/synthetic-eval.js';
import { evaluateSyntheticSwiGlu } from '../../src/activations/evaluate-synthetic.js';
import { createSyntheticSwiGlu } from '../../src/activations/synthetic-swiglu.js';
import { calibrateModel } from '../../src/activations/calibrate-model.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { evaluateNll } from '../../src/llama/evaluate-nll.js';
import { generate } from '../../src/llama/generate.js';
import { STORY_SEPARATOR } from '../../src/llama/split-stories.js';
import { evaluateLlama } from '../../src/kvcache/eval/llama-eval.js';
import { letterTokenizer } from '../_harness/letter-tokenizer.js';

const kernels = await createKernels({ backend: 'wasm' });

/**
 * Starts job(signal), aborts at `afterMs` (default 100 ms), returns ms from the *scheduled*
 * abort to the rejection: a job that blocks the event loop also delays the abort timer, and
 * that delay counts.
 */
async function abortLatency(job: (signal: AbortSignal, arm: () => void) => Promise<unknown>, afterMs = 100,
  { armed = true } = {}): Promise<number> {
  const ac = new AbortController();
  let abortedAt = 0;
  let scheduled = Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The abort is scheduled afterMs after the job arms it (at once unless `armed: false`, when the
  // job calls arm() as it reaches the stage the test is about: timing stays independent of load).
  const arm = () => {
    if (timer !== undefined) return;
    scheduled = performance.now() + afterMs;
    timer = setTimeout(() => { abortedAt = performance.now(); ac.abort(); }, afterMs);
  };
  if (armed) arm();
  let error: unknown = null;
  try {
    await job(ac.signal, arm);
  } catch (e) {
    error = e;
  } finally {
    clearTimeout(timer);
  }
  expect(abortedAt, 'the job finished before the abort: make it longer').toBeGreaterThan(0);
  expect(error).toBeInstanceOf(SparseInferenceError);
  expect((error as SparseInferenceError).code).toBe('ABORTED');
  const latency = performance.now() - scheduled;
  console.log(`abort latency ${expect.getState().currentTestName}: ${latency.toFixed(0)} ms`);
  return latency;
}


/** A random model whose decode step costs a few milliseconds, and text of letter tokens. */
function slowModel() {
  return randomLlama({ dim: 256, hiddenDim: 768, nLayers: 6, nHeads: 8, nKvHeads: 4, vocabSize: 50, seqLen: 512 },
    { kernels, seed: 5 });
}
const rng = new Rng(9);
const TEXT = Array.from({ length: 4000 }, () => String.fromCharCode(0x44 + rng.int(40))).join('');

const LIMIT_MS = 250;

it('kmeans', async () => {
  const n = 30_000, d = 64;
  const points = Float32Array.from({ length: n * d }, () => rng.normal());
  expect(await abortLatency((signal) => kmeans(kernels, points, n, d, { k: 256, maxIterations: 200, tolerance: 0, signal }))).toBeLessThan(LIMIT_MS);
});

// One Lloyd iteration at 16384 × 1024 × 128 is ~2·10⁹ multiply-adds (hundreds of ms): its
// assignment runs in ~2^26-multiply-add blocks, so the abort lands and is seen inside it.
it('kmeans inside one long Lloyd iteration', async () => {
  const n = 16384, d = 128, k = 1024;
  const points = Float32Array.from({ length: n * d }, () => rng.normal());
  const labels: string[] = [];
  expect(await abortLatency((signal) => kmeans(kernels, points, n, d, {
    k, init: points.slice(0, k * d), maxIterations: 5, tolerance: 0, signal, onProgress: (_f, label) => labels.push(label),
  }), 30)).toBeLessThan(LIMIT_MS);
  expect(labels, 'the abort came after the first Lloyd iteration had finished').toEqual([]);
});

// PqCache fits its codebooks (M k-means runs over every key) at its first score, in assignment
// blocks between which the event loop runs and the signal is checked.
it('PqCache.score (codebook fit at the first retrieval step)', async () => {
  const n = 60_000, d = 128;
  const keysPost = Float32Array.from({ length: n * d }, () => rng.normal());
  const pq = new PqCache(kernels, d, 1, 1, { bits: 8 });
  const out = mirrorF32(kernels, n);
  const q = Float32Array.from({ length: d }, () => rng.normal());
  try {
    expect(await abortLatency((signal) => pq.score(0, { keysPre: keysPost, keysPost, values: keysPost, length: n },
      { pre: q, post: q, pos: n - 1 }, 0, n, out, { signal }))).toBeLessThan(LIMIT_MS);
  } finally { pq.dispose(); out.dispose(); }
});

// The synthetic model and sequences are built in ~20 ms slices (SyntheticAttention.create,
// sequenceAsync); at n = 4096 the abort lands while the calibration data is generated.
it('kvcache evaluateSynthetic (calibration data)', async () => {
  expect(await abortLatency((signal) => evaluateSynthetic(kernels, { n: 4096, testSequences: 64, decodeSteps: 64, signal }))).toBeLessThan(LIMIT_MS);
});

// Short sequences and methods without codebooks: the abort is armed when the evaluation sweep
// reports its first step (whose steps take ~15 ms each here) and fires 100 ms later.
it('kvcache evaluateSynthetic (evaluation sweep)', async () => {
  const progress: string[] = [];
  expect(await abortLatency((signal, arm) => evaluateSynthetic(kernels, {
    synthetic: { headDim: 64 }, n: 256, testSequences: 64, decodeSteps: 200, methods: ['full', 'oracle', 'quest'], signal,
    onProgress: (_f, label) => { progress.push(label); if (/^sequence \d+\/64 step/.test(label)) arm(); },
  }), 100, { armed: false })).toBeLessThan(LIMIT_MS);
  expect(progress.at(-1)).toMatch(/^sequence \d+\/64 step/);
});

// The default 512×1408 block: its weights are drawn in ~20 ms slices (createSyntheticSwiGlu).
it('activations evaluateSyntheticSwiGlu (block construction, calibration and evaluation sweep)', async () => {
  expect(await abortLatency((signal) => evaluateSyntheticSwiGlu(kernels, { calibrationTokens: 4096, testTokens: 4096, signal }))).toBeLessThan(LIMIT_MS);
});

it('activations createSyntheticSwiGlu: the same block for the same seed (pauses change nothing), and abortable', async () => {
  const opts = { dim: 64, hidden: 96, seed: 3, gateUpCorrelation: 0.5 };
  const a = await createSyntheticSwiGlu(kernels, opts);
  const b = await createSyntheticSwiGlu(kernels, opts);
  const c = await createSyntheticSwiGlu(kernels, { ...opts, seed: 4 });
  for (const key of ['wGate', 'wUp', 'wDown', 'wDownT'] as const) {
    expect(Array.from(await b[key].read())).toEqual(Array.from(await a[key].read()));
    expect(Array.from(await c[key].read())).not.toEqual(Array.from(await a[key].read()));
  }
  a.dispose(); b.dispose(); c.dispose();
  expect(await abortLatency((signal) => createSyntheticSwiGlu(kernels, { dim: 2048, hidden: 5632 }, { signal }))).toBeLessThan(LIMIT_MS);
});

it('activations calibrateModel', async () => {
  const model = slowModel();
  expect(await abortLatency((signal) => calibrateModel(model, letterTokenizer(50), TEXT, { maxTokens: 4000, signal }))).toBeLessThan(LIMIT_MS);
  model.dispose();
});

// Stories of 500 tokens (a second or more of forwards each): the calibration capture and the
// per-token evaluation loop must yield inside a story, not only between stories.
it('kvcache evaluateLlama (calibration capture, then the per-token evaluation)', async () => {
  const model = slowModel();
  const tok = letterTokenizer(50);
  const text = Array.from({ length: 6 }, (_, s) => TEXT.slice(s * 500, (s + 1) * 500)).join(`\n${STORY_SEPARATOR}\n`);
  const run = (methods: ('full' | 'a2ats' | 'quest' | 'pqcache')[], signal: AbortSignal) =>
    evaluateLlama(kernels, model, tok, text, { calibrationStories: 3, methods, budgets: [0.1], signal, pq: { bits: 8, iterations: 300 } });
  expect(await abortLatency((signal) => run(['full', 'a2ats'], signal))).toBeLessThan(LIMIT_MS);
  expect(await abortLatency((signal) => run(['full', 'quest'], signal))).toBeLessThan(LIMIT_MS);
  // PQCache as the model's KV cache: its codebook fits run inside attend, abortably.
  expect(await abortLatency((signal) => run(['pqcache'], signal))).toBeLessThan(LIMIT_MS);
});

it('llama evaluateNll, and generate on a long prompt (prefill)', async () => {
  const model = slowModel();
  const tok = letterTokenizer(50);
  expect(await abortLatency((signal) => evaluateNll(model, tok, TEXT, { signal }))).toBeLessThan(LIMIT_MS);
  expect(await abortLatency((signal) => generate(model, tok, { prompt: TEXT.slice(0, 500), maxTokens: 10, signal }))).toBeLessThan(LIMIT_MS);
  model.dispose();
});
