/**
 * Why single births mix k slowly on knot case 3 data seed 1 at γ = 2: for a knot set ξ the
 * acceptance of a birth, whatever its target distribution q, averages at most
 *     Σ_t q(t)·min{1, π(ξ∪{t})/(π(ξ)·(k+1)·q(t))} ≤ Σ_t π(ξ∪{t}) / ((k+1)·π(ξ)),
 * with equality for q ∝ π(ξ∪{t}) (balanced moves: d_{k+1}/b_k = 1). The script enumerates every
 * birth (and every death) from a few states the chains visit and prints the log of that bound:
 * when it is well below 0, no better birth proposal can raise the rate of k-moves, and only
 * moves that change k and relocate other knots at once can.
 *
 *   npx tsx scripts/knots/birth-bound.ts [dataSeed=1] [gamma=2] ['198,202,510,709;200,201,490,720']
 */
import { createKernels } from '../../src/backends/create-kernels.js';
import { knotCaseData } from '../../src/knots/generators/knot-cases.js';
import { GaussianMarginal } from '../../src/knots/gaussian-marginal.js';
import { KnotSet } from '../../src/knots/knot-set.js';
import { logChoose } from '../../src/knots/special-functions.js';
import { allocRows, SplineDesign } from '../../src/knots/spline-design.js';
import { standardizeResponse } from '../../src/knots/standardize-response.js';

const dataSeed = Number(process.argv[2] ?? 1);
const gamma = Number(process.argv[3] ?? 2);
const states = (process.argv[4] ?? '198,202,510,709;200,201,490,720;198,202,280,520,705').split(';').map((s) => s.split(',').map(Number));
const n = 1000, m = 500;
const kernels = await createKernels({ backend: 'wasm' });
const { x, y } = knotCaseData(3, m, dataSeed);
const design = new SplineDesign(kernels, [x], [1]);
const scorer = new GaussianMarginal(design, standardizeResponse(y).y, 'exact');
const rows = allocRows(m, 1);
const t = new Float64Array(n + 4);
const logPosterior = (indices: number[]): number => {
  const set = new KnotSet(n, indices);
  design.computeRows(0, t, set.knotVector(1, t), rows);
  return scorer.evaluate([rows]) - gamma * logChoose(n, indices.length);
};
const logSumExp = (v: number[]) => { const mx = Math.max(...v); return mx + Math.log(v.reduce((a, b) => a + Math.exp(b - mx), 0)); };
for (const state of states) {
  const base = logPosterior(state);
  const k = state.length;
  const births: number[] = [];
  let best = -Infinity, bestAt = -1;
  for (let i = 0; i < n; i++) {
    if (state.includes(i)) continue;
    const v = logPosterior([...state, i]) - base;
    births.push(v);
    if (v > best) { best = v; bestAt = i; }
  }
  const deaths = state.map((s) => logPosterior(state.filter((v) => v !== s)) - base);
  console.log(`ξ = {${state.join(', ')}}: log π ${base.toFixed(2)}; births: log bound ${(logSumExp(births) - Math.log(k + 1)).toFixed(2)} (best t = ${bestAt}, Δ log π ${best.toFixed(2)}); deaths: log Σ_s π(ξ∖s)/(k·π(ξ)) ${(logSumExp(deaths) - Math.log(k)).toFixed(2)}`);
}
