/**
 * The per-head far-score estimates a method produced at its last selection (g*m values), for
 * the normalised score-MSE metric; null when the method does not estimate logits.
 */
import { PqCache } from '../methods/pqcache.js';
import type { Retrieval } from '../retrieval.js';
import type { RetrievalMethod } from '../retrieval-method.js';

/** g*m far-score estimates of the last selection, or null. @example await farEstimates(method, retrieval, 4, m) */
export async function farEstimates(method: RetrievalMethod, r: Retrieval, g: number, m: number): Promise<Float32Array | null> {
  if (!method.estimatesScores || m === 0) return null;
  if (method instanceof PqCache) return method.lastHeadScores.subarray(0, g * m);
  if (method.scoring === 'perHead') return r.lastScores(g * m);
  return null;
}
