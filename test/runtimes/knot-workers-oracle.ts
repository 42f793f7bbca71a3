/** The knot-worker fixture run on the source tree in Node (worker_threads and in-thread). */
import * as root from '../../src/index.js';
import * as knots from '../../src/knots/index.js';
// @ts-expect-error plain-JS fixture shared with the other runtimes
import { knotWorkers } from './fixtures/knot-workers.mjs';

import { expect } from 'vitest';

export interface Fingerprint { logScore: number[]; k: number[]; probe: number[] }

/**
 * Records from another runtime: the same k trace, and log scores and probe values to 1e-12
 * relative (another V8 may round Math.log or Math.exp differently in the last bit).
 */
export function expectSameChains(got: Fingerprint[], want: Fingerprint[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, c) => {
    expect(g.k).toEqual(want[c].k);
    for (const key of ['logScore', 'probe'] as const) {
      expect(g[key].length).toBe(want[c][key].length);
      g[key].forEach((v, i) => expect(Math.abs(v - want[c][key][i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(want[c][key][i]))));
    }
  });
}

let cached: Promise<{ workers: number; finished: number; parallel: Fingerprint[]; sequential: Fingerprint[] }> | null = null;

export function knotWorkersFromSource(): Promise<{ workers: number; finished: number; parallel: Fingerprint[]; sequential: Fingerprint[] }> {
  return (cached ??= knotWorkers(root, knots));
}
