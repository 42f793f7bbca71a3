import { beforeAll, describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { Rng } from '../../src/core/rng.js';
import { runChain, type ChainProblem, type ChainRecord } from '../../src/knots/rjmcmc-chain.js';
import { exactKnotPosterior } from '../../src/knots/exact-posterior.js';
import { GaussianMarginal } from '../../src/knots/gaussian-marginal.js';
import { KnotSet } from '../../src/knots/knot-set.js';
import { posteriorMeanBeta } from '../../src/knots/posterior-draws.js';
import { allocRows, SplineDesign } from '../../src/knots/spline-design.js';
import { evaluateSpline } from '../../src/knots/spline-eval.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { knotCaseData } from '../../src/knots/generators/knot-cases.js';
import { standardizeResponse } from '../../src/knots/standardize-response.js';
import { chainSeeds } from '../../src/knots/run-chains.js';
import { QUARANTINE_BUDGET_BYTES } from '../../src/backends/wasm/memory.js';
import { logChoose } from '../../src/knots/special-functions.js';

let kernels: CpuKernels;
beforeAll(async () => { kernels = await createKernels({ backend: 'reference' }); });

// A small problem whose posterior over the 2^8 knot subsets is spread out enough to test.
const m = 120;
const rng = new Rng(3);
const x = new Float64Array(m), y = new Float64Array(m), counts = new Float64Array(m);
for (let i = 0; i < m; i++) {
  x[i] = rng.uniform();
  y[i] = Math.abs(x[i] - 0.4) * 3 + rng.normal(0, 0.4);
  counts[i] = Math.round(Math.exp(1 + Math.sin(6 * x[i])));
}

function problem(extra: Partial<ChainProblem>): ChainProblem {
  return {
    xs: [x], y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [8], gamma: 1, c: 0.3,
    fixedK: null, local: null, burnIn: 1000, iterations: 40000, probes: [], ...extra,
  };
}

/** Empirical distribution of the knot subsets (as bitmasks) over the recorded iterations. */
function subsetFrequencies(rec: ChainRecord, acceptedOnly = false): Float64Array {
  const f = new Float64Array(256);
  let total = 0;
  for (let t = 0; t < rec.iterations; t++) {
    if (acceptedOnly && !rec.accepted[t]) continue;
    let mask = 0;
    for (let o = rec.knotOffsets[0][t]; o < rec.knotOffsets[0][t + 1]; o++) mask |= 1 << rec.knotIndex[0][o];
    f[mask]++; total++;
  }
  return f.map((v) => v / total);
}

function totalVariation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / 2;
}

describe('RJMCMC against the exact posterior over all 2^8 knot subsets', () => {
  const configs: [string, Partial<ChainProblem>][] = [
    ['linear, γ = 1', {}],
    ['cubic, γ = 0 (BIC)', { degrees: [3], gamma: 0 }],
    ['linear, γ = 2, large-m marginal', { gamma: 2, marginal: 'large-m' }],
    ['quadratic, fixed k = 2, local proposals', { degrees: [2], fixedK: [2], local: { probability: 0.6, nu: 10 } }],
    ['linear, γ = 0.5, local proposals', { gamma: 0.5, local: { probability: 0.5, nu: 10 } }],
    ['Poisson EBIC, γ = 1', { family: 'poisson', y: counts, iterations: 15000 }],
    ['linear, γ = 2, near proposals (the default sampler)', { gamma: 2, near: { probability: 0.3, radius: 2 } }],
    ['cubic, γ = 1.5, near + BARS proposals', { degrees: [3], gamma: 1.5, near: { probability: 0.3, radius: 1 }, local: { probability: 0.3, nu: 10 } }],
    ["linear, γ = 1.5, the authors' prior-free moves", { gamma: 1.5, moves: 'prior-free' }],
    ['linear, γ = 2, parallel tempering over 3 temperatures', { gamma: 2, near: { probability: 0.3, radius: 2 }, temperatures: [1, 2, 4], iterations: 20000 }],
    ['Poisson EBIC, γ = 1.5, parallel tempering', { family: 'poisson', y: counts, gamma: 1.5, temperatures: [1, 3], iterations: 30000 }],
    ['linear, γ = 2, near + pair moves', { gamma: 2, near: { probability: 0.3, radius: 2 }, pair: { probability: 0.3, maxWidth: 3, block: 3 } }],
    ['cubic, fixed k = 3, relocations + pair moves', { degrees: [3], fixedK: [3], pair: { probability: 0.6, maxWidth: 4, block: 2 } }],
    ['linear, γ = 0.5, mostly twin births/deaths (r = 3)', { gamma: 0.5, twins: { probability: 0.8, radius: 3 }, iterations: 200000 }],
    ['linear, γ = 2, near + twin births/deaths', { gamma: 2, near: { probability: 0.3, radius: 2 }, twins: { probability: 0.3, radius: 2 } }],
    ['cubic, γ = 1, twin births/deaths r = 3 + pair moves + tempering', { degrees: [3], twins: { probability: 0.25, radius: 3 }, pair: { probability: 0.1, maxWidth: 3, block: 3 }, temperatures: [1, 2], iterations: 20000 }],
    ['linear, γ = 2, near + neighbour births/deaths', { gamma: 2, near: { probability: 0.3, radius: 2 }, neighbour: { probability: 0.3, offsets: [1, 2] } }],
    ['linear, γ = 0.5, mostly neighbour births/deaths (depth 2)', { gamma: 0.5, neighbour: { probability: 0.9, offsets: [1, 2, 4], depth: 2 }, iterations: 30000 }],
    ['cubic, γ = 1, neighbour moves (offset 2) + twins + tempering', { degrees: [3], neighbour: { probability: 0.3, offsets: [2] }, twins: { probability: 0.1, radius: 2 }, temperatures: [1, 2], iterations: 20000 }],
    ['Poisson EBIC, γ = 1.5, neighbour moves', { family: 'poisson', y: counts, gamma: 1.5, neighbour: { probability: 0.15, offsets: [1] }, iterations: 40000 }],
    ['linear, γ = 2, near + twins + mode jumps (r = 2)', { gamma: 2, near: { probability: 0.3, radius: 2 }, twins: { probability: 0.05, radius: 2 }, jumps: { probability: 0.3, radius: 2 } }],
    ['linear, γ = 2, the default move mix at γ = 2 (c 0.15, near 0.6, jumps 0.3)', { gamma: 2, c: 0.15, near: { probability: 0.6, radius: 2 }, twins: { probability: 0.05, radius: 2 }, jumps: { probability: 0.3, radius: 2 } }],
    ['cubic, γ = 0.5, mostly mode jumps (r = 1) + tempering', { degrees: [3], gamma: 0.5, jumps: { probability: 0.7, radius: 1 }, temperatures: [1, 2], iterations: 30000 }],
    ['linear, γ = 1, mode jumps with anchors per narrow-gap pattern (w = 1)', { near: { probability: 0.3, radius: 2 }, jumps: { probability: 0.5, radius: 2, pairWidth: 1 } }],
    ['Poisson EBIC, γ = 1.5, mode jumps (r = 3)', { family: 'poisson', y: counts, gamma: 1.5, jumps: { probability: 0.3, radius: 3 } }],
    ['linear, γ = 1, greedy start', { start: 'greedy', near: { probability: 0.3, radius: 2 } }],
    ['cubic, γ = 2, greedy start + tempering', { degrees: [3], gamma: 2, start: 'greedy', temperatures: [1, 2], iterations: 20000 }],
    ['linear, γ = 1.5, pair moves + parallel tempering', { gamma: 1.5, pair: { probability: 0.2, maxWidth: 5, block: 4 }, temperatures: [1, 2.5], iterations: 20000 }],
  ];
  for (const [name, extra] of configs) {
    it(name, () => {
      const pr = problem(extra);
      const exact = exactKnotPosterior(pr, kernels);
      const rec = runChain(pr, 11, kernels);
      const emp = subsetFrequencies(rec);
      // Monte Carlo error of the TV distance here is ≈ 0.01–0.02 (autocorrelated chain).
      expect(totalVariation(emp, exact.prob)).toBeLessThan(0.05);
      const empK = new Float64Array(9);
      for (const k of rec.k[0]) empK[k] += 1 / rec.iterations;
      for (let k = 0; k <= 8; k++) expect(Math.abs(empK[k] - exact.probK[k])).toBeLessThan(0.04);
    });
  }

  it('a sampler that kept only accepted moves would fail the same bound', () => {
    const pr = problem({});
    const exact = exactKnotPosterior(pr, kernels);
    const rec = runChain(pr, 11, kernels);
    expect(totalVariation(subsetFrequencies(rec, true), exact.prob)).toBeGreaterThan(0.2);
  });

  it('is deterministic given the seed and differs across seeds', () => {
    const pr = problem({ iterations: 2000 });
    const a = runChain(pr, 5, kernels), b = runChain(pr, 5, kernels), c = runChain(pr, 6, kernels);
    expect(Array.from(a.logScore)).toEqual(Array.from(b.logScore));
    expect(Array.from(a.knotIndex[0])).toEqual(Array.from(b.knotIndex[0]));
    expect(Array.from(a.logScore)).not.toEqual(Array.from(c.logScore));
  });

  it('rejects malformed pair-move, twin, neighbour-move and mode-jump options with BAD_ARGUMENT naming the field', () => {
    for (const [pair, field] of [[{ probability: 1.5, maxWidth: 3, block: 2 }, 'pair.probability'], [{ probability: 0.1, maxWidth: 0, block: 2 }, 'pair.maxWidth'],
      [{ probability: 0.1, maxWidth: 3, block: 2.5 }, 'pair.block'], ['often', 'pair']] as [unknown, string][]) {
      expectBadArgument(() => runChain(problem({ pair: pair as ChainProblem['pair'] }), 1, kernels), field);
    }
    for (const [twins, field] of [[{ probability: -0.1, radius: 2 }, 'twins.probability'], [{ probability: 0.1, radius: 0 }, 'twins.radius'], [7, 'twins']] as [unknown, string][]) {
      expectBadArgument(() => runChain(problem({ twins: twins as ChainProblem['twins'] }), 1, kernels), field);
    }
    for (const [neighbour, field] of [[{ probability: 2, offsets: [1] }, 'neighbour.probability'], [{ probability: 0.1, offsets: [0, 1] }, 'neighbour.offsets'],
      [{ probability: 0.1, offsets: [2, 2] }, 'neighbour.offsets'], [{ probability: 0.1, offsets: 3 }, 'neighbour.offsets'], [{ probability: 0.1, offsets: [1], depth: 0 }, 'neighbour.depth'], ['yes', 'neighbour']] as [unknown, string][]) {
      expectBadArgument(() => runChain(problem({ neighbour: neighbour as ChainProblem['neighbour'] }), 1, kernels), field);
    }
    for (const [jumps, field] of [[{ probability: 1.2, radius: 2 }, 'jumps.probability'], [{ probability: 0.1, radius: -1 }, 'jumps.radius'], [{ probability: 0.1, radius: 1.5 }, 'jumps.radius'], [{ probability: 0.1, radius: 1, pairWidth: -1 }, 'jumps.pairWidth'], [true, 'jumps']] as [unknown, string][]) {
      expectBadArgument(() => runChain(problem({ jumps: jumps as ChainProblem['jumps'] }), 1, kernels), field);
    }
    expectBadArgument(() => runChain(problem({ twins: { probability: 0.5, radius: 2 }, jumps: { probability: 0.6, radius: 2 } }), 1, kernels), 'jumps.probability');
    expectBadArgument(() => runChain(problem({ twins: { probability: 0.6, radius: 2 }, neighbour: { probability: 0.6, offsets: [1] } }), 1, kernels), 'neighbour.probability');
    expectBadArgument(() => runChain(problem({ start: 'best' as never }), 1, kernels), 'start');
  });

  it('a greedy start lands on the k = 4 mode of knot case 3 (data seed 1, γ = 2) that coordinate ascent finds', async () => {
    const wasm = await createKernels({ backend: 'wasm' });
    const { x: cx, y: cy } = knotCaseData(3, 500, 1);
    const pr: ChainProblem = {
      xs: [cx], y: standardizeResponse(cy).y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [1000], gamma: 2, c: 0.3,
      fixedK: null, local: null, moves: 'prior-free', burnIn: 0, iterations: 1, probes: [], start: 'greedy',
    };
    // The authors' prior-free moves at γ = 2 almost never propose a birth, so the first recorded
    // state is (almost surely) the start itself: the mode {200, 201, 492, 720} (grid indices).
    const rec = runChain(pr, 1, wasm);
    expect(Array.from(rec.knotIndex[0])).toEqual([200, 201, 492, 720]);
    const random = runChain({ ...pr, start: 'random' }, 1, wasm);
    expect(random.k[0][0]).toBe(1);
    expect(rec.logScore[0] - 2 * logChoose(1000, 4)).toBeGreaterThan(random.logScore[0] - 2 * logChoose(1000, 1) + 50);
  }, 60_000);

  it('twin births free a chain that sits at one knot (knot case 3, data seed 5023, γ = 2)', async () => {
    const wasm = await createKernels({ backend: 'wasm' });
    const { x: cx, y: cy } = knotCaseData(3, 500, 5023);
    const pr: ChainProblem = {
      xs: [cx], y: standardizeResponse(cy).y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [1000], gamma: 2, c: 0.3,
      fixedK: null, local: null, near: { probability: 0.3, radius: 10 }, burnIn: 5000, iterations: 5000, probes: [],
    };
    const seed = chainSeeds(24, 2)[1];
    const share4 = (rec: ChainRecord) => rec.k[0].filter((k) => k === 4).length / rec.iterations;
    const without = runChain(pr, seed, wasm);
    expect(Math.max(...without.k[0])).toBeLessThanOrEqual(2); // the truth has 4 knots (a jump pair, 0.5, 0.7)
    const withTwins = runChain({ ...pr, twins: { probability: 0.05, radius: 10 } }, seed, wasm);
    expect(share4(withTwins)).toBeGreaterThan(0.5);
  }, 30_000);

  it('on wasm (resident kernel arguments) gives the same chain when memory grows mid-run, and frees its arrays', async () => {
    const wasm = await createKernels({ backend: 'wasm' });
    if (wasm.backend !== 'wasm') return;
    const pr = problem({ degrees: [3], candidates: [30], iterations: 3000, near: { probability: 0.3, radius: 2 } });
    const plain = runChain(pr, 9, wasm);
    let big: { dispose(): void } | null = null;
    // The first progress call comes after start-up: growing memory then detaches every view the chain holds.
    const grown = runChain(pr, 9, wasm, { onProgress: () => { big ??= wasm.allocF32(1 << 23); } });
    expect(Array.from(grown.logScore)).toEqual(Array.from(plain.logScore));
    expect(Array.from(grown.knotIndex[0])).toEqual(Array.from(plain.knotIndex[0]));
    // An aborted chain frees its arrays too: a fresh allocation then reuses the same memory. Freed
    // blocks that were viewed wait in the heap's quarantine until their views detach; filling it
    // past its budget makes the next allocation detach them all and free the blocks.
    const settle = () => {
      const filler = wasm.allocF64!(QUARANTINE_BUDGET_BYTES / 8 + 1024); filler.view(); filler.dispose();
      wasm.allocF64!(1).dispose();
    };
    settle();
    const probe1 = wasm.allocF64!(1000); const at = probe1.view().byteOffset; probe1.dispose();
    settle();
    const ctl = new AbortController();
    expect(() => runChain(pr, 9, wasm, { signal: ctl.signal, onProgress: (f) => { if (f > 0.2) ctl.abort(); } })).toThrow();
    settle();
    const probe2 = wasm.allocF64!(1000);
    expect(probe2.view().byteOffset).toBe(at);
    probe2.dispose();
    big!.dispose();
  });
});

describe('the knot posterior does not depend on the units of y', () => {
  for (const [name, extra] of [['linear, γ = 1', {}], ['cubic, γ = 2', { degrees: [3], gamma: 2 }], ['large-m marginal', { marginal: 'large-m' }]] as [string, Partial<ChainProblem>][]) {
    it(`${name}: exact posterior over 2^8 subsets unchanged by y ↦ a + b·y (to 1e-9)`, () => {
      const base = exactKnotPosterior(problem(extra), kernels);
      // Triceps-like shift (log mm → log cm is a shift of −log 10), large shifts and scales.
      for (const [a, b] of [[20, 1], [-Math.log(10), 1], [1e5, 1], [0, 1e-3], [-3, 250]]) {
        const moved = exactKnotPosterior(problem({ ...extra, y: y.map((v) => a + b * v) }), kernels);
        for (let i = 0; i < 256; i++) expect(Math.abs(moved.prob[i] - base.prob[i])).toBeLessThan(1e-9);
      }
    });
  }
});

describe('recorded f at the probe points is the posterior mean given the recorded knots', () => {
  for (const [name, extra] of [['one chain', {}], ['parallel tempering (states exchanged into the cold chain)', { temperatures: [1, 1.5, 3] }],
    ['greedy start (the fit after the search is of the start state)', { start: 'greedy', burnIn: 0 }]] as [string, Partial<ChainProblem>][]) {
    it(name, () => {
      const probes = [Float64Array.of(0.1, 0.45, 0.8)];
      const pr = problem({ degrees: [3], candidates: [30], iterations: 3000, burnIn: 200, probes, near: { probability: 0.3, radius: 2 }, ...extra });
      const rec = runChain(pr, 4, kernels);
      const design = new SplineDesign(kernels, pr.xs, pr.degrees);
      const scorer = new GaussianMarginal(design, pr.y);
      const rows = [allocRows(m, 3)];
      const out = new Float64Array(3);
      let changes = 0;
      for (let t = 0; t < rec.iterations; t += 97) {
        const idx = rec.knotIndex[0].subarray(rec.knotOffsets[0][t], rec.knotOffsets[0][t + 1]);
        const tv = new Float64Array(idx.length + 8);
        new KnotSet(30, idx).knotVector(3, tv);
        design.computeRows(0, tv, tv.length, rows[0]);
        expect(scorer.evaluate(rows)).toBeCloseTo(rec.logScore[t], 9);
        evaluateSpline(probes, [tv], [3], posteriorMeanBeta(scorer.fitState(), m), out, 3);
        for (let i = 0; i < 3; i++) expect(Math.abs(out[i] - rec.probe[t * 3 + i])).toBeLessThan(1e-9);
        if (t > 0 && rec.probe[t * 3] !== rec.probe[(t - 97) * 3]) changes++;
      }
      expect(changes).toBeGreaterThan(3);
    });
  }
});

