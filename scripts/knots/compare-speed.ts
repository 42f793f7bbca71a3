/**
 * Iterations per second of two samplers on knot case 3 (m = 500, n = 1000, linear, 5000 + 5000),
 * measured in one process, alternating A and B chain by chain (this machine's load varies by the
 * minute; only the ratio of one run means anything).
 *
 *   npx tsx scripts/knots/compare-speed.ts [gamma=2] [dataSeed=1] [rounds=6] [A JSON ChainProblem fields] [B JSON ChainProblem fields]
 */
import { createKernels } from '../../src/backends/create-kernels.js';
import { knotCaseData } from '../../src/knots/generators/knot-cases.js';
import { runChain, type ChainProblem } from '../../src/knots/rjmcmc-chain.js';
import { standardizeResponse } from '../../src/knots/standardize-response.js';

const gamma = Number(process.argv[2] ?? 2);
const dataSeed = Number(process.argv[3] ?? 1);
const rounds = Number(process.argv[4] ?? 6);
const variants = [process.argv[5] ?? '{}', process.argv[6] ?? '{}'].map((s) => JSON.parse(s) as Partial<ChainProblem>);
const kernels = await createKernels({ backend: 'wasm' });
const { x, y } = knotCaseData(3, 500, dataSeed);
const base: ChainProblem = {
  xs: [x], y: standardizeResponse(y).y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [1000], gamma, c: 0.3,
  fixedK: null, local: null, burnIn: 5000, iterations: 5000, probes: [],
};
const secs = [0, 0];
for (let round = 0; round < rounds; round++) {
  for (let v = 0; v < 2; v++) {
    const t0 = performance.now();
    runChain({ ...base, ...variants[v] }, round + 1, kernels);
    secs[v] += (performance.now() - t0) / 1000;
  }
}
const its = rounds * (base.burnIn + base.iterations);
const [a, b] = secs.map((s) => its / s);
console.log(`A ${a.toFixed(0)} it/s, B ${b.toFixed(0)} it/s, B/A ${(b / a).toFixed(3)} (${rounds} chains each, alternating; γ = ${gamma}, data seed ${dataSeed})`);
