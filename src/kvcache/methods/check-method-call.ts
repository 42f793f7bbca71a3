/**
 * Argument checks of the RetrievalMethod calls (observe, score, indexBytes) for methods used
 * directly rather than through Retrieval: the KV head, the token ranges against the keys
 * present, the query and output sizes. O(1) per call, so the per-step cost is nil.
 */
import { badArgument } from '../../core/errors.js';
import { checkFloat32, checkInt, describe } from '../../core/validate.js';
import type { HeadKeys } from '../kv-store.js';
import type { GroupQuery } from '../retrieval-method.js';

/** The call's shape: KV heads of the method (undefined: not tracked), head size, group size. */
export interface MethodShape { nKvHeads?: number; headDim: number; groupSize: number }

function checkKeys(keys: unknown, headDim: number): HeadKeys {
  const k = keys as HeadKeys | null;
  if (k === null || typeof k !== 'object') throw badArgument(`keys must be a KV head's keys (KvStore.head(h)), got ${describe(keys)}`);
  const n = checkInt('keys.length', k.length, 0);
  checkFloat32('keys.keysPost', k.keysPost, n * headDim);
  return k;
}

function checkKvHead(kvHead: unknown, s: MethodShape): void {
  checkInt('kvHead', kvHead, 0, s.nKvHeads === undefined ? 2 ** 31 - 1 : s.nKvHeads - 1);
}

/** observe(kvHead, keys, from, to): 0 ≤ from ≤ to ≤ keys.length. */
export function checkObserveCall(s: MethodShape, kvHead: unknown, keys: unknown, from: unknown, to: unknown): void {
  checkKvHead(kvHead, s);
  const k = checkKeys(keys, s.headDim);
  checkInt('to', to, 0, k.length);
  checkInt('from', from, 0, to as number);
}

/**
 * score(kvHead, keys, query, farStart, farEnd, out): 0 ≤ farStart ≤ farEnd ≤ keys.length, a
 * query of g·d post-RoPE values, and an output of `rows`·m floats (rows = g per-head, 1 group).
 */
export function checkScoreCall(s: MethodShape, rows: number, kvHead: unknown, keys: unknown, query: unknown,
  farStart: unknown, farEnd: unknown, out: unknown): void {
  checkKvHead(kvHead, s);
  const k = checkKeys(keys, s.headDim);
  const q = query as GroupQuery | null;
  if (q === null || typeof q !== 'object') throw badArgument(`query must be { pre, post, pos }, got ${describe(query)}`);
  checkFloat32('query.post', q.post, s.groupSize * s.headDim);
  checkInt('farEnd', farEnd, 0, k.length);
  checkInt('farStart', farStart, 0, farEnd as number);
  const o = out as { host?: unknown; arg?: unknown; push?: unknown; length?: unknown } | null;
  if (o === null || typeof o !== 'object' || typeof o.host !== 'function' || typeof o.arg !== 'function' || typeof o.push !== 'function') {
    throw badArgument(`out must be a ScoreBuffer (length, host(), arg(), push()), got ${describe(out)}`);
  }
  const m = (farEnd as number) - (farStart as number);
  if (typeof o.length !== 'number' || o.length < rows * m) throw badArgument(`out must hold ${rows * m} scores, got ${String(o.length)}`);
}

/** indexBytes(n, m): 0 ≤ m ≤ n tokens. */
export function checkIndexBytesCall(n: unknown, m: unknown): void {
  checkInt('n', n, 0);
  checkInt('m', m, 0, n as number);
}
