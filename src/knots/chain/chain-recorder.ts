/**
 * The record of a chain: every post-burn-in iteration's k, knots (CSR), score, acceptance, move
 * type and f at the probe points, grown as the chain runs.
 */
import type { ChainRecord } from '../rjmcmc-chain.js';
import type { Replica } from './move-context.js';

export class ChainRecorder {
  private readonly rec: ChainRecord;
  private readonly knotLists: number[][];

  constructor(seed: number, iterations: number, coordinates: number, private readonly nProbe: number) {
    this.rec = {
      seed, iterations, nProbe,
      k: Array.from({ length: coordinates }, () => new Int32Array(iterations)),
      knotOffsets: Array.from({ length: coordinates }, () => new Int32Array(iterations + 1)),
      knotIndex: Array.from({ length: coordinates }, () => new Int32Array(0)),
      logScore: new Float64Array(iterations),
      accepted: new Uint8Array(iterations),
      moveType: new Uint8Array(iterations),
      probe: new Float64Array(iterations * nProbe),
    };
    this.knotLists = Array.from({ length: coordinates }, () => []);
  }

  /** Record recorded iteration t: the cold replica's state after the iteration's move. */
  record(t: number, cold: Replica, accepted: number, moveType: number, probeValues: Float64Array): void {
    const rec = this.rec;
    rec.logScore[t] = cold.current;
    rec.accepted[t] = accepted;
    rec.moveType[t] = moveType;
    for (let j = 0; j < cold.sets.length; j++) {
      rec.k[j][t] = cold.sets[j].k;
      const list = this.knotLists[j];
      for (const idx of cold.sets[j].indices) list.push(idx);
      rec.knotOffsets[j][t + 1] = list.length;
    }
    rec.probe.set(probeValues, t * this.nProbe);
  }

  finish(): ChainRecord {
    this.rec.knotIndex = this.knotLists.map((l) => Int32Array.from(l));
    return this.rec;
  }
}
