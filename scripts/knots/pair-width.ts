/**
 * Where knot case 3's chains spend their time (m = 500, n = 1000, linear, 5000 + 5000, data seed 1
 * unless given): per chain, the fraction of recorded iterations whose first two knots form a
 * narrow jump pair (width ≤ 5 grid steps; the alternative is a wide pair, a ramp), P(k = 4) given
 * narrow and given wide, how often the width class switches and how often k changes.
 *
 *   npx tsx scripts/knots/pair-width.ts [gamma=2] [chainSeeds=1,...,8] [extra JSON ChainProblem fields] [dataSeed=1]
 */
import { createKernels } from '../../src/backends/create-kernels.js';
import { knotCaseData } from '../../src/knots/generators/knot-cases.js';
import { runChain, type ChainProblem } from '../../src/knots/rjmcmc-chain.js';
import { standardizeResponse } from '../../src/knots/standardize-response.js';

const gamma = Number(process.argv[2] ?? 2);
const seeds = (process.argv[3] ?? '1,2,3,4,5,6,7,8').split(',').map(Number);
const extra = JSON.parse(process.argv[4] ?? '{}') as Partial<ChainProblem>;
const dataSeed = Number(process.argv[5] ?? 1);
const NARROW = 5;
const kernels = await createKernels({ backend: 'wasm' });
const { x, y } = knotCaseData(3, 500, dataSeed);
const problem: ChainProblem = {
  xs: [x], y: standardizeResponse(y).y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [1000], gamma, c: 0.3,
  fixedK: null, local: null, burnIn: 5000, iterations: 5000, probes: [], ...extra,
};
for (const seed of seeds) {
  const rec = runChain(problem, seed, kernels);
  let narrow = 0, narrow4 = 0, wide = 0, wide4 = 0, switches = 0, kChanges = 0, previous = -1;
  for (let t = 0; t < rec.iterations; t++) {
    const o = rec.knotOffsets[0][t], k = rec.k[0][t];
    const isNarrow = k >= 2 && rec.knotIndex[0][o + 1] - rec.knotIndex[0][o] <= NARROW ? 1 : 0;
    if (isNarrow) { narrow++; if (k === 4) narrow4++; } else { wide++; if (k === 4) wide4++; }
    if (previous >= 0 && isNarrow !== previous) switches++;
    previous = isNarrow;
    if (t > 0 && k !== rec.k[0][t - 1]) kChanges++;
  }
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '–');
  console.log(`seed ${seed}: narrow ${ratio(narrow, rec.iterations)}, P(k=4 | narrow) ${ratio(narrow4, narrow)}, P(k=4 | wide) ${ratio(wide4, wide)}, width switches ${switches}, k changes ${kChanges}`);
}
