import { createKernels } from '../../src/kernels/create.js';
import { knotCaseData } from '../../src/knots/generators/knot-cases.js';
import { runChain, type ChainProblem } from '../../src/knots/rjmcmc-chain.js';
import { logChoose } from '../../src/knots/special-functions.js';
import { standardizeResponse } from '../../src/knots/standardize-response.js';
const kernels = await createKernels({ backend: 'wasm' });
const { x, y } = knotCaseData(3, 500, 1);
const problem: ChainProblem = { xs: [x], y: standardizeResponse(y).y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [1000], gamma: 2, c: 0.3,
  fixedK: null, local: null, burnIn: 5000, iterations: 20000, probes: [], near: { probability: 0.3, radius: 10 } };
const rec = runChain(problem, 3, kernels);
const st = (t: number) => Array.from(rec.knotIndex[0].subarray(rec.knotOffsets[0][t], rec.knotOffsets[0][t + 1])).join(',') + ' lp ' + (rec.logScore[t] - 2 * logChoose(1000, rec.k[0][t])).toFixed(1);
let n = 0;
for (let t = 1; t < rec.iterations && n < 25; t++) if (rec.k[0][t] !== rec.k[0][t - 1]) { console.log(t, st(t - 1), '->', st(t)); n++; }
