/**
 * Where a slowly mixing chain spends its time: for knot case 3 (m = 500, n = 1000, linear,
 * 5000 + 5000) prints, per chain, the runs of constant k in order ("k5×570" = 570 iterations at
 * k = 5), with the knot grid indices at the middle of every run of 50 iterations or more.
 *
 *   npx tsx scripts/knots/k-run-lengths.ts [extra JSON ChainProblem fields] [chain seeds=1,7,8] [gamma=2] [dataSeed=1]
 */
import { createKernels } from '../../src/backends/create-kernels.js';
import { knotCaseData } from '../../src/knots/generators/knot-cases.js';
import { runChain, type ChainProblem } from '../../src/knots/rjmcmc-chain.js';
import { standardizeResponse } from '../../src/knots/standardize-response.js';
const extra = JSON.parse(process.argv[2] ?? '{}') as Partial<ChainProblem>;
const seeds = (process.argv[3] ?? '1,7,8').split(',').map(Number);
const gamma = Number(process.argv[4] ?? 2);
const dataSeed = Number(process.argv[5] ?? 1);
const kernels = await createKernels({ backend: 'wasm' });
const { x, y } = knotCaseData(3, 500, dataSeed);
const problem: ChainProblem = { xs: [x], y: standardizeResponse(y).y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [1000], gamma, c: 0.3, fixedK: null, local: null, burnIn: 5000, iterations: 5000, probes: [], ...extra };
for (const seed of seeds) {
  const rec = runChain(problem, seed, kernels);
  const runs: string[] = [];
  let start = 0;
  for (let t = 1; t <= rec.iterations; t++) {
    if (t === rec.iterations || rec.k[0][t] !== rec.k[0][start]) {
      if (t - start >= 50) {
        const ks = Array.from(rec.knotIndex[0].subarray(rec.knotOffsets[0][start + Math.floor((t - start) / 2)], rec.knotOffsets[0][start + Math.floor((t - start) / 2) + 1]));
        runs.push(`k${rec.k[0][start]}×${t - start}[${ks.join(',')}]`);
      } else runs.push(`k${rec.k[0][start]}×${t - start}`);
      start = t;
    }
  }
  console.log(`seed ${seed}: ${runs.join(' ')}`);
}
