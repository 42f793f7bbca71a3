/**
 * Mixing check of the knot sampler on knot case 3 (He, Yang & Kang, arXiv 2405.13353, §5):
 * m = 500, n = 1000 candidates, linear, 5000 burn-in + 5000 recorded, chains from seeds 1..8.
 * Prints per chain the modal k, P(k = 4), the best log posterior reached, and over all chains
 * split-R̂ and ESS of k, the modal k of each chain, how many chains visited k = 4, and the
 * iterations per second (wall clock), and the pooled posterior of k over all chains.
 *
 *   npx tsx scripts/knots/mixing-check.ts [gamma=2] [chains=8] [dataSeed=1] [backend=wasm] [extra JSON ChainProblem fields] [firstSeed=1]
 */
import { createKernels } from '../../src/backends/create-kernels.js';
import { knotCaseData } from '../../src/knots/generators/knot-cases.js';
import { runChain, type ChainProblem } from '../../src/knots/rjmcmc-chain.js';
import { effectiveSampleSize, splitRhat } from '../../src/knots/mcmc-diagnostics.js';
import { logChoose } from '../../src/knots/special-functions.js';
import { standardizeResponse } from '../../src/knots/standardize-response.js';

const gamma = Number(process.argv[2] ?? 2);
const nChains = Number(process.argv[3] ?? 8);
const dataSeed = Number(process.argv[4] ?? 1);
const backend = (process.argv[5] ?? 'wasm') as 'wasm' | 'reference';
const extra = JSON.parse(process.argv[6] ?? '{}') as Partial<ChainProblem>;
const firstSeed = Number(process.argv[7] ?? 1);
const kernels = await createKernels({ backend });
const { x, y } = knotCaseData(3, 500, dataSeed);
const problem: ChainProblem = {
  xs: [x], y: standardizeResponse(y).y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [1000], gamma, c: 0.3,
  fixedK: null, local: null, burnIn: 5000, iterations: 5000, probes: [], ...extra,
};
const ks: Int32Array[] = [];
let its = 0, secs = 0;
const modes: number[] = [];
let visiting4 = 0;
for (let seed = firstSeed; seed < firstSeed + nChains; seed++) {
  const t0 = performance.now();
  const rec = runChain(problem, seed, kernels);
  secs += (performance.now() - t0) / 1000;
  its += problem.burnIn + problem.iterations;
  const counts = new Map<number, number>();
  let best = -Infinity;
  for (let t = 0; t < rec.iterations; t++) {
    counts.set(rec.k[0][t], (counts.get(rec.k[0][t]) ?? 0) + 1);
    best = Math.max(best, rec.logScore[t] - gamma * logChoose(1000, rec.k[0][t]));
  }
  const mode = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  modes.push(mode);
  if (counts.has(4)) visiting4++;
  console.log(`seed ${seed}: modal k ${mode}, P(k=4) ${((counts.get(4) ?? 0) / rec.iterations).toFixed(3)}, best log posterior ${best.toFixed(1)}`);
  ks.push(rec.k[0]);
}
const modeList = [...new Set(modes)].sort((a, b) => a - b).map((k) => `${k} ×${modes.filter((v) => v === k).length}`).join(', ');
const pooled = new Map<number, number>();
for (const k of ks) for (const v of k) pooled.set(v, (pooled.get(v) ?? 0) + 1);
const total = ks.reduce((a, k) => a + k.length, 0);
console.log(`pooled P(k): ${[...pooled.entries()].sort((a, b) => a[0] - b[0]).filter(([, c]) => c / total >= 0.005).map(([k, c]) => `${k}: ${(c / total).toFixed(3)}`).join(', ')}`);
console.log(`γ = ${gamma}, data seed ${dataSeed}, chains ${firstSeed}–${firstSeed + nChains - 1}: modal k ${modeList}; ${visiting4} chains visit k = 4; split-R̂(k) ${splitRhat(ks).toFixed(3)}, ESS(k) ${effectiveSampleSize(ks).toFixed(0)}, ${(its / secs).toFixed(0)} it/s (${backend})`);
