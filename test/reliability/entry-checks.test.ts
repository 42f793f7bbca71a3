/**
 * Entry checks and robust computations of exports the fuzz suite found misbehaving, beyond
 * what its generated arguments reach: hand-built sampler objects with one field wrong, a
 * LlamaConfig whose derived sizes disagree, and diagnostics on draws near the float64 limits.
 * Each must give BAD_ARGUMENT naming the field, or the documented finite answer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { Rng } from '../../src/core/rng.js';
import { runChain, type ChainProblem } from '../../src/knots/rjmcmc-chain.js';
import { kPosterior, knotDensity, sortedKnotSummary } from '../../src/knots/posterior-summary.js';
import { effectiveSampleSize, splitRhat } from '../../src/knots/mcmc-diagnostics.js';
import { bsplineDerivatives } from '../../src/knots/bspline-derivatives.js';
import { bsplineKnotVector, bsplineRows } from '../../src/knots/bspline-basis.js';
import { birthProbability, deathProbability } from '../../src/knots/move-probabilities.js';
import { djRaw } from '../../src/knots/generators/donoho-johnstone.js';
import { makeConfig, parameterCount } from '../../src/llama/config.js';
import { WeightLayout } from '../../src/llama/weight-layout.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { expectBadArgument } from '../_harness/bad-input.js';

/** BAD_ARGUMENT whose message contains `text` literally (field paths such as `problem.y[7]`). */
function expectNames(fn: () => unknown, text: string): void {
  let thrown: unknown = null;
  try { fn(); } catch (e) { thrown = e; }
  expect(thrown, `expected BAD_ARGUMENT naming ${text}`).toBeInstanceOf(SparseInferenceError);
  expect((thrown as SparseInferenceError).code).toBe('BAD_ARGUMENT');
  expect((thrown as Error).message).toContain(text);
}

let kernels: CpuKernels;
beforeAll(async () => { kernels = await createKernels({ backend: 'reference' }); });

const m = 60;
const rng = new Rng(5);
const x = Float64Array.from({ length: m }, () => rng.uniform());
const y = x.map((v) => Math.abs(v - 0.4) * 3 + rng.normal(0, 0.3));
const problem = (extra: Partial<ChainProblem> = {}): ChainProblem => ({
  xs: [x], y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [8], gamma: 1, c: 0.3,
  fixedK: null, local: null, burnIn: 10, iterations: 200, probes: [], ...extra,
});

describe('sampler objects built by hand', () => {
  it('runChain names the wrong field of the problem (it used to fail deep inside with a TypeError or NaN)', () => {
    const bad: [Partial<ChainProblem>, string][] = [
      [{ y: y.map((v, i) => (i === 7 ? NaN : v)) }, 'problem.y[7]'],
      [{ xs: [x.subarray(1)] }, 'problem.xs[0]'],
      [{ degrees: [9] }, 'problem.degrees[0]'],
      [{ candidates: [0] }, 'problem.candidates[0]'],
      [{ c: 0.9 }, 'problem.c'],
      [{ fixedK: [20] }, 'problem.fixedK[0]'],
      [{ family: 'poisson' }, 'problem.y[0]'], // non-integer counts
      [{ temperatures: [1, 0.5] }, 'problem.temperatures[1]'],
      [{ probes: [new Float64Array(2), new Float64Array(2)] }, 'problem.probes'],
    ];
    for (const [extra, name] of bad) expectNames(() => runChain(problem(extra), 1, kernels), name);
    expectBadArgument(() => runChain(problem(), 1, {} as CpuKernels), 'kernels');
  });

  it('the posterior summaries check the records against the coordinate and grid', () => {
    const rec = runChain(problem(), 1, kernels);
    expect(kPosterior([rec], 0).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expectBadArgument(() => kPosterior([rec], 1), 'j');
    expectBadArgument(() => kPosterior([], 0), 'records');
    expectNames(() => knotDensity([rec], 0, 4), 'records[0].knotIndex[0]['); // indices beyond a grid of 4
    const broken = { ...rec, knotOffsets: [rec.knotOffsets[0].map((o) => o + 1)] };
    expectNames(() => sortedKnotSummary([broken], 0, 8, 1), 'records[0] is inconsistent');
    expectBadArgument(() => kPosterior([{ ...rec, iterations: 0 }], 0), 'records');
  });
});

describe('numerics on valid but extreme input', () => {
  it('split-R̂ and ESS are unchanged by the scale of the draws (1e300 used to overflow to NaN)', () => {
    const r = new Rng(2);
    const chains = [0, 1, 2].map(() => Float64Array.from({ length: 400 }, () => r.normal()));
    const rhat = splitRhat(chains), ess = effectiveSampleSize(chains);
    for (const s of [1e300, 1e-300, -7]) {
      const scaled = chains.map((c) => c.map((v) => v * s));
      expect(splitRhat(scaled)).toBeCloseTo(rhat, 10);
      expect(effectiveSampleSize(scaled)).toBeCloseTo(ess, 6);
    }
    // Constant chains: NaN is the documented "undefined" answer, not an overflow.
    expect(splitRhat([new Float64Array(10).fill(3), new Float64Array(10).fill(3)])).toBeNaN();
    expectBadArgument(() => splitRhat([new Float64Array(10), new Float64Array(9)]), 'chains');
  });

  it('move probabilities, knot vectors and DJ signals check their domains', () => {
    expect(birthProbability(0, 1000, 1, 0.3)).toBeCloseTo(0.3, 15);
    expect(deathProbability(3, 1000, 2, 0.3, 'balanced')).toBe(0.3);
    expectBadArgument(() => birthProbability(5, 4, 1, 0.3), 'k');
    expectBadArgument(() => deathProbability(1, 10, 1, 0.6), 'c');
    const t = bsplineKnotVector([0.5], 3);
    expect(bsplineDerivatives(t, 3, 0.2, 2).ders.every(Number.isFinite)).toBe(true);
    expectBadArgument(() => bsplineDerivatives(Float64Array.of(0, 0, 1, 0.5), 1, 0.2, 1), 't'); // decreasing
    expectBadArgument(() => bsplineRows([0.1], Float64Array.of(0, 0, 0, 1), 1), 't'); // empty last span
    expect(Number.isFinite(djRaw('doppler', 1))).toBe(true);
    expectBadArgument(() => djRaw('doppler', 1.5), 'x'); // √(x(1−x)) was NaN outside [0, 1]
  });
});

describe('LlamaConfig consumers', () => {
  it('re-derive the config and reject derived sizes that disagree', () => {
    const c = makeConfig({ dim: 64, hiddenDim: 172, nLayers: 2, nHeads: 8, nKvHeads: 4, vocabSize: 512, seqLen: 64 });
    expect(parameterCount(c)).toBe(new WeightLayout(c).weightCount);
    expectBadArgument(() => parameterCount({ ...c, kvDim: 7 }), 'config');
    expectBadArgument(() => new WeightLayout({ ...c, nHeads: 3 }), 'config');
    expectNames(() => new WeightLayout(c, { wq: 'Q5_K' as never }), 'formats.wq');
  });
});
