/**
 * Log posterior (flat-intercept marginal + the C(n, k)^(−γ) prior) of given knot sets on knot
 * case 3 (m = 500, n = 1000, linear, data seed 1), and the local maximum that coordinate ascent
 * reaches from each (every knot in turn moved to its best position between its neighbours, six
 * sweeps): which family of states a set belongs to.
 *
 *   npx tsx scripts/knots/knot-set-ascent.ts GAMMA SET [SET ...]     # SET = grid indices, e.g. 200,201,490,720
 */
import { createKernels } from '../../src/backends/create-kernels.js';
import { knotCaseData } from '../../src/knots/generators/knot-cases.js';
import { GaussianMarginal } from '../../src/knots/gaussian-marginal.js';
import { KnotSet } from '../../src/knots/knot-set.js';
import { logChoose } from '../../src/knots/special-functions.js';
import { allocRows, SplineDesign } from '../../src/knots/spline-design.js';
import { standardizeResponse } from '../../src/knots/standardize-response.js';
const n = 1000, m = 500, gamma = Number(process.argv[2] ?? 2);
const kernels = await createKernels({ backend: 'wasm' });
const { x, y } = knotCaseData(3, m, 1);
const design = new SplineDesign(kernels, [x], [1]);
const scorer = new GaussianMarginal(design, standardizeResponse(y).y, 'exact');
const rows = allocRows(m, 1);
const t = new Float64Array(n + 4);
const lp = (indices: number[]): number => { const set = new KnotSet(n, indices); design.computeRows(0, t, set.knotVector(1, t), rows); return scorer.evaluate([rows]) - gamma * logChoose(n, indices.length); };
// Best k=5 state reachable by coordinate ascent from a start, and the best k=4.
const ascend = (s: number[], sweeps = 6): number[] => {
  s = s.slice();
  for (let sw = 0; sw < sweeps; sw++) for (let p = 0; p < s.length; p++) {
    let best = lp(s), bestAt = s[p];
    const lo = p > 0 ? s[p - 1] : -1, hi = p + 1 < s.length ? s[p + 1] : n;
    for (let w = lo + 1; w < hi; w++) { s[p] = w; const v = lp(s); if (v > best) { best = v; bestAt = w; } }
    s[p] = bestAt;
  }
  return s;
};
for (const st of process.argv.slice(3)) { const s = st.split(',').map(Number); const a = ascend(s); console.log(`${st}: ${lp(s).toFixed(2)}  ascent -> ${a.join(',')} ${lp(a).toFixed(2)}`); }
