/**
 * Which functionals of the knot set mix slowest on knot case 3 (m = 500, n = 1000, linear,
 * 5000 + 5000): split-R̂ and ESS over the chains of k and of per-state summaries — whether the
 * first two knots form a narrow jump pair (≤ 5 grid steps), whether a knot lies in 0.23–0.40 (the
 * k = 5 family's extra knot), and the grid positions of the knots nearest 0.5 and 0.7 — plus the
 * lag-50 autocorrelation of each, averaged over chains. The slowest is the one a new move must
 * target.
 *
 *   npx tsx scripts/knots/slow-variables.ts [gamma=2] [chains=8] [dataSeed=1] [extra JSON ChainProblem fields] [firstSeed=1]
 */
import { createKernels } from '../../src/backends/create-kernels.js';
import { knotCaseData } from '../../src/knots/generators/knot-cases.js';
import { effectiveSampleSize, splitRhat } from '../../src/knots/mcmc-diagnostics.js';
import { runChain, type ChainProblem } from '../../src/knots/rjmcmc-chain.js';
import { standardizeResponse } from '../../src/knots/standardize-response.js';

const gamma = Number(process.argv[2] ?? 2);
const nChains = Number(process.argv[3] ?? 8);
const dataSeed = Number(process.argv[4] ?? 1);
const extra = JSON.parse(process.argv[5] ?? '{}') as Partial<ChainProblem>;
const firstSeed = Number(process.argv[6] ?? 1);
const kernels = await createKernels({ backend: 'wasm' });
const { x, y } = knotCaseData(3, 500, dataSeed);
const problem: ChainProblem = {
  xs: [x], y: standardizeResponse(y).y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [1000], gamma, c: 0.3,
  fixedK: null, local: null, burnIn: 5000, iterations: 5000, probes: [], ...extra,
};

/** The grid position of the knot nearest g. */
const nearest = (knots: Int32Array, g: number): number => {
  let best = knots[0];
  for (const s of knots) if (Math.abs(s - g) < Math.abs(best - g)) best = s;
  return best;
};
const summaries: Record<string, (knots: Int32Array) => number> = {
  k: (knots) => knots.length,
  narrowPair: (knots) => (knots.length >= 2 && knots[1] - knots[0] <= 5 ? 1 : 0),
  knotIn023to040: (knots) => (knots.some((s) => s >= 230 && s <= 400) ? 1 : 0),
  knotNear05: (knots) => nearest(knots, 500),
  knotNear07: (knots) => nearest(knots, 700),
};
const traces: Record<string, Float64Array[]> = Object.fromEntries(Object.keys(summaries).map((name) => [name, []]));
for (let seed = firstSeed; seed < firstSeed + nChains; seed++) {
  const rec = runChain(problem, seed, kernels);
  const off = rec.knotOffsets[0], idx = rec.knotIndex[0];
  for (const [name, f] of Object.entries(summaries)) {
    traces[name].push(Float64Array.from({ length: rec.iterations }, (_, t) => f(idx.subarray(off[t], off[t + 1]))));
  }
}
/** Mean over chains of the lag-h autocorrelation. */
const autocorrelation = (chains: Float64Array[], h: number): number => {
  let sum = 0;
  for (const c of chains) {
    const mean = c.reduce((a, v) => a + v, 0) / c.length;
    let num = 0, den = 0;
    for (let t = 0; t < c.length; t++) { den += (c[t] - mean) ** 2; if (t + h < c.length) num += (c[t] - mean) * (c[t + h] - mean); }
    sum += den > 0 ? num / den : 1;
  }
  return sum / chains.length;
};
for (const [name, chains] of Object.entries(traces)) {
  const means = chains.map((c) => (c.reduce((a, v) => a + v, 0) / c.length).toFixed(2)).join(' ');
  console.log(`${name.padEnd(15)} split-R̂ ${splitRhat(chains).toFixed(3)}  ESS ${effectiveSampleSize(chains).toFixed(0).padStart(5)}  acf(50) ${autocorrelation(chains, 50).toFixed(2)}  acf(200) ${autocorrelation(chains, 200).toFixed(2)}  chain means ${means}`);
}
