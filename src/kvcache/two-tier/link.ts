/**
 * The shared-memory "link" between the fast tier (caller) and a slow tier running in a worker:
 * one SharedArrayBuffer holding a control block, a staging area for appended tokens, the
 * request (queries, selections) and the results (outputs, log-sum-exps). Only these small
 * arrays cross — the full K/V stays on the slow side, as in A²ATS §4.
 *
 * Control words (Int32): REQ (request sequence number, written by the caller), DONE (last
 * completed request, written by the worker), OP (what to do), STAGED (tokens in staging),
 * ERR (non-zero when the worker failed; the message is posted separately).
 */
import type { SlowTierShape } from './slow-tier.js';

/** Request kinds and control-word indices of the link (see the file header). */
export const OP_APPEND = 1;
export const OP_ATTEND = 2;
export const OP_CLEAR = 3;
export const OP_EXIT = 4;
export const REQ = 0, DONE = 1, OP = 2, STAGED = 3, ERR = 4;

/** Typed views over the link buffer. */
export interface LinkViews {
  ctrl: Int32Array;
  /** stage*nKv*d post-RoPE keys and values of tokens waiting to be stored. */
  stageK: Float32Array;
  stageV: Float32Array;
  qPost: Float32Array;
  /** nKv counts, then nKv*capacity indices. */
  counts: Int32Array;
  selections: Int32Array;
  out: Float32Array;
  lse: Float64Array;
}

/** Bytes needed and the views over a buffer, for a shape and staging size. */
export function linkLayout(s: SlowTierShape, stage: number, buf?: SharedArrayBuffer): { bytes: number; views?: LinkViews } {
  const d = s.headDim;
  const parts: [string, number, 'i32' | 'f32' | 'f64'][] = [
    ['ctrl', 8, 'i32'], ['stageK', stage * s.nKvHeads * d, 'f32'], ['stageV', stage * s.nKvHeads * d, 'f32'],
    ['qPost', s.nHeads * d, 'f32'], ['counts', s.nKvHeads, 'i32'], ['selections', s.nKvHeads * s.capacity, 'i32'],
    ['out', s.nHeads * d, 'f32'], ['lse', s.nHeads, 'f64'],
  ];
  let off = 0;
  const views: Record<string, Int32Array | Float32Array | Float64Array> = {};
  for (const [name, len, type] of parts) {
    off = (off + 7) & ~7;
    if (buf) {
      views[name] = type === 'i32' ? new Int32Array(buf, off, len) : type === 'f32' ? new Float32Array(buf, off, len) : new Float64Array(buf, off, len);
    }
    off += len * (type === 'f64' ? 8 : 4);
  }
  // Built from the `parts` list, which names every LinkViews field with its element type;
  // TypeScript cannot follow a loop's keys, hence the double cast.
  return { bytes: off, views: buf ? (views as unknown as LinkViews) : undefined };
}
