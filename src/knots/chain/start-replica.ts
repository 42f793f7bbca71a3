/**
 * The chain's start: k = 1 (or the fixed k) knots per coordinate at uniformly drawn grid points,
 * redrawn (up to 200 times) while the design is singular.
 */
import { SparseInferenceError } from '../../core/errors.js';
import { KnotSet } from '../knot-set.js';
import { logPriorRatio } from '../move-probabilities.js';
import type { CoordinateRows } from '../spline-design.js';
import type { MoveContext, Replica } from './move-context.js';

export function startReplica(ctx: MoveContext, candidates: readonly number[], fixedK: readonly number[] | null): Replica {
  const { rng, design, degrees, t } = ctx;
  const sets = candidates.map((n) => new KnotSet(n));
  const rows: CoordinateRows[] = degrees.map((q) => design.allocRows(q));
  let current = -Infinity;
  for (let attempt = 0; attempt < 200 && current === -Infinity; attempt++) {
    sets.forEach((s, j) => {
      for (const i of s.indices.slice()) s.remove(i);
      const k0 = fixedK ? fixedK[j] : 1;
      for (const i of rng.sampleWithoutReplacement(s.n, Math.min(k0, s.n))) s.add(i);
      design.computeRows(j, t, s.knotVector(degrees[j], t), rows[j]);
    });
    current = ctx.scorer.evaluate(rows);
  }
  if (current === -Infinity) {
    throw new SparseInferenceError('NOT_CONVERGED', 'no starting knot set gives a full-rank design (too few distinct x values for this degree and k?)');
  }
  let logPrior = 0;
  sets.forEach((s) => { logPrior += logPriorRatio(0, s.k, s.n, ctx.gamma); });
  return { sets, rows, spare: degrees.map((q) => design.allocRows(q)), view: rows.slice(), current, logPrior };
}
