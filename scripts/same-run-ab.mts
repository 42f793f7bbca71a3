/**
 * Same-run before/after comparison of two checkouts of this repository on the CPU workloads a
 * kernel-layer change must not slow down: llama decode (stories260K, llama2.c file; SmolLM2-135M
 * Q4_1 GGUF), knot-sampler iterations, and one A²ATS decode step (TwoTierKvCache.attend).
 * Both trees are loaded into one process and their tasks alternate round by round, timed with
 * the process CPU clock, so machine load hits both alike; the ratio before/after of medians is
 * what to report (≥ 1: no slowdown).
 *
 *   npx tsx scripts/same-run-ab.mts /path/to/before-tree /path/to/after-tree [rounds]
 *
 * Each tree needs its generated src/backends/wasm/binary.ts; models come from ../shared/models
 * (stories260K.bin) and models/ (SmolLM2-135M-Instruct.Q4_1.gguf) of the working directory (the repo root). SmolLM2
 * runs with float32 activations in both trees (a tree that has int8 activations is told so).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const [beforeRoot, afterRoot, roundsArg] = process.argv.slice(2);
if (!beforeRoot || !afterRoot) throw new Error('usage: same-run-ab.mts BEFORE_TREE AFTER_TREE [rounds]');
const rounds = Number(roundsArg ?? 7);
const stories = path.resolve('..', 'shared', 'models', 'stories260K.bin');
const gguf = path.resolve('models', 'SmolLM2-135M-Instruct.Q4_1.gguf');

let sinkValue = 0;
const sink = (v: number) => { sinkValue += Number.isFinite(v) ? 0 : 1; };

/** CPU milliseconds of fn, run reps times (awaited when it returns a Promise: an asynchronous forward). */
async function cpuMs(fn: () => unknown, reps: number): Promise<number> {
  const t0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) {
    const r = fn();
    if (r instanceof Promise) await r;
  }
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000 / reps;
}

interface Workload { name: string; reps: number; fn: () => unknown }

async function workloads(root: string): Promise<Workload[]> {
  const src = (p: string) => import(path.join(root, 'src', p));
  const { createKernels } = await src('backends/create-kernels.ts').catch(() => src('kernels/create.ts'));
  const kernels = await createKernels({ backend: 'wasm' });
  const { loadLlama2c } = await src('llama/load-llama2c.ts');
  const { readGgufModel } = await src('node/gguf-file.ts');
  const { runChain } = await src('knots/rjmcmc-chain.ts');
  const { Rng } = await src('core/rng.ts');
  const { TwoTierKvCache } = await src('kvcache/two-tier/two-tier-cache.ts');
  const { decodeStepSetup } = await import(path.join(root, 'bench', 'lib', 'suites', 'kvcache.ts'));

  // A tree's forward is synchronous (returns the logits) or asynchronous (a Promise of them).
  const decoder = (model: { forward(t: number, p: number): Float32Array | Promise<Float32Array>; reset(): void }, cycle: number) => {
    let pos = 0, token = 1;
    return () => {
      if (pos === cycle) { model.reset(); pos = 0; }
      const r = model.forward(token, pos++);
      token = (token * 7 + 3) % 500;
      if (r instanceof Promise) return r.then((l) => sink(l[0]));
      sink(r[0]);
      return undefined;
    };
  };
  const small = loadLlama2c(new Uint8Array(readFileSync(stories)), { kernels, name: stories });
  // Trees with int8 activations default to them; float32 activations in both keep the
  // comparison about the kernel layer, not about the numerics chosen.
  const loader = path.join(root, 'src', 'llama', 'gguf', 'load-gguf.ts');
  const int8Tree = existsSync(loader) && /activations\?:/.test(readFileSync(loader, 'utf8'));
  const smol = await readGgufModel(gguf, { kernels, maxSeqLen: 128, ...(int8Tree ? { activations: 'f32' } : {}) });

  // The knots suite's chain: 500 points, 1000 candidate knots, k = 10, 200 iterations per call.
  const rng = new Rng(500);
  const x = Float64Array.from({ length: 500 }, (_, i) => i / 499);
  const y = x.map((v) => 10 * Math.sin(2 * Math.PI * v) + rng.normal(0, 2));
  const problem = {
    xs: [x], y, family: 'gaussian', marginal: 'exact', degrees: [3], candidates: [1000], gamma: 1, c: 0.3,
    fixedK: [10], local: null, burnIn: 0, iterations: 200, probes: [],
  };
  let seed = 1;

  // The kvcache suite's decode step at n = 8192 (its quick shape).
  const setup = decodeStepSetup(8192);
  const cache = await TwoTierKvCache.create(kernels, setup.options);
  const kRow = new Float32Array(setup.nKv * setup.d), vRow = new Float32Array(setup.nKv * setup.d);
  for (let t = 0; t < setup.n; t++) { setup.token(t, kRow, vRow); await cache.append(kRow, vRow); } // a Promise in trees with async appends
  const out = new Float32Array(setup.nH * setup.d);

  return [
    { name: 'llama decode stories260K (ms/token)', reps: 640, fn: decoder(small, 64) },
    { name: 'llama decode SmolLM2-135M Q4_1 (ms/token)', reps: 4, fn: decoder(smol, 32) },
    { name: 'knots rjmcmc k=10 (ms per 200 iterations)', reps: 6, fn: () => sink(runChain(problem, seed++, kernels).logScore[199]) },
    { name: 'A²ATS decode step 32x8x128 n=8192 (ms)', reps: 20, fn: () => {
      const r = cache.attend(setup.qPre, out); // synchronous stats, or a Promise of them
      if (r instanceof Promise) return r.then(() => sink(out[0]));
      sink(out[0]);
      return undefined;
    } },
  ];
}

const trees = { before: await workloads(beforeRoot), after: await workloads(afterRoot) };
const times = trees.before.map(() => ({ before: [] as number[], after: [] as number[] }));
for (let w = 0; w < 3; w++) for (const side of ['before', 'after'] as const) for (const t of trees[side]) await cpuMs(t.fn, t.reps); // warm-up
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < times.length; i++) {
    const order = r % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    for (const side of order) times[i][side].push(await cpuMs(trees[side][i].fn, trees[side][i].reps));
  }
}
const median = (a: number[]) => { const s = [...a].sort((p, q) => p - q); return s[s.length >> 1]; };
for (let i = 0; i < times.length; i++) {
  const b = median(times[i].before), a = median(times[i].after);
  // Paired: each round's two samples ran back to back, so their ratio shares the machine's load.
  const paired = median(times[i].before.map((t, r) => t / times[i].after[r]));
  console.log(`${trees.before[i].name}: before ${b.toFixed(3)}, after ${a.toFixed(3)}, before/after ${(b / a).toFixed(3)} (median of paired ratios ${paired.toFixed(3)})`);
}
if (sinkValue < 0) console.log(sinkValue);
