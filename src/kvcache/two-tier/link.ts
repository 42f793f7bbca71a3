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

/**
 * Lays the link's arrays out one after another, each 8-byte aligned, as views over `buf`; with no
 * buffer it only counts the bytes (and hands out empty arrays).
 */
class LinkCursor {
  bytes = 0;
  constructor(private readonly buf?: SharedArrayBuffer) {}

  private next(length: number, elementBytes: number): number {
    const at = (this.bytes + 7) & ~7;
    this.bytes = at + length * elementBytes;
    return at;
  }

  i32(length: number): Int32Array {
    const at = this.next(length, 4);
    return this.buf ? new Int32Array(this.buf, at, length) : new Int32Array(0);
  }

  f32(length: number): Float32Array {
    const at = this.next(length, 4);
    return this.buf ? new Float32Array(this.buf, at, length) : new Float32Array(0);
  }

  f64(length: number): Float64Array {
    const at = this.next(length, 8);
    return this.buf ? new Float64Array(this.buf, at, length) : new Float64Array(0);
  }
}

/** Bytes needed and the views over a buffer, for a shape and staging size. */
export function linkLayout(s: SlowTierShape, stage: number, buf?: SharedArrayBuffer): { bytes: number; views?: LinkViews } {
  const d = s.headDim;
  const at = new LinkCursor(buf);
  // Fields are laid out in the order written (object literal properties evaluate in order).
  const views: LinkViews = {
    ctrl: at.i32(8), stageK: at.f32(stage * s.nKvHeads * d), stageV: at.f32(stage * s.nKvHeads * d),
    qPost: at.f32(s.nHeads * d), counts: at.i32(s.nKvHeads), selections: at.i32(s.nKvHeads * s.capacity),
    out: at.f32(s.nHeads * d), lse: at.f64(s.nHeads),
  };
  return { bytes: at.bytes, views: buf ? views : undefined };
}
