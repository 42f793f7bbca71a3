/**
 * Parallel tempering (Geyer 1991): replicas sample π(ξ | y)^β_r with β_0 = 1 > β_1 > ...; each
 * iteration proposes to exchange the states of one uniformly chosen pair of neighbouring
 * temperatures, accepted with probability min{1, exp((β_a − β_b)·(log π(ξ_b) − log π(ξ_a)))}.
 */
import type { Rng } from '../../core/rng.js';
import type { Replica } from './move-context.js';

/** Propose one exchange; returns true when the cold replica (index 0) received a new state. */
export function exchangeReplicas(rng: Rng, replicas: Replica[], betas: readonly number[]): boolean {
  const a = rng.int(replicas.length - 1), b = a + 1;
  const A = replicas[a], B = replicas[b];
  const logAlpha = (betas[a] - betas[b]) * (B.current + B.logPrior - A.current - A.logPrior);
  if (!(Math.log(rng.uniformOpen()) < logAlpha)) return false;
  replicas[a] = B; replicas[b] = A;
  return a === 0;
}
