/**
 * Which tokens a decode step at position i treats as sinks, far (retrieval candidates) and
 * window (near), per A²ATS §3.1–3.2. Recomputed at every step from the current position, so a
 * token leaves the window and becomes a retrieval candidate as decoding advances (freezing the
 * split at write time is the classic mistake).
 *
 *   sinks  = [0, sinkEnd)            the first s tokens, always attended
 *   far    = [farStart, farEnd)      s ≤ j and i − j ≥ w: scored by WRoPE + VQ, top-K selected
 *   window = [windowStart, i + 1)    i − j < w: always attended with exact RoPE
 */
import { checkInt } from '../core/validate.js';

export interface NearFarSplit {
  /** End of the sink range [0, sinkEnd). */
  sinkEnd: number;
  /** First far token (= sinkEnd). */
  farStart: number;
  /** One past the last far token (= farStart when there are none). */
  farEnd: number;
  /** First window token (= farEnd, except when sinks and window overlap). */
  windowStart: number;
  /** One past the current token: i + 1. */
  end: number;
}

/**
 * Split of tokens [0, i] for a query at position i.
 *
 * @param pos - decode position i (the current token, already in the cache).
 * @param window - w ≥ 0 (w = 0: every earlier token is far; the current token is then far too).
 * @param sinks - s ≥ 0.
 * @example
 * splitNearFar(1000, 64, 8);  // { sinkEnd: 8, farStart: 8, farEnd: 937, windowStart: 937, end: 1001 }
 */
export function splitNearFar(pos: number, window: number, sinks: number): NearFarSplit {
  checkInt('pos', pos, 0); checkInt('window', window, 0); checkInt('sinks', sinks, 0);
  const end = pos + 1;
  const sinkEnd = Math.min(sinks, end);
  // far: j ≥ s and i − j ≥ w  ⇔  j ≤ i − w.
  const farEnd = Math.max(sinkEnd, pos - window + 1);
  return { sinkEnd, farStart: sinkEnd, farEnd, windowStart: farEnd, end };
}
