/**
 * Where births and relocations put a knot: a mixture of target distributions on the candidate
 * grid, each with an exactly computable probability so that the Metropolis–Hastings ratio can
 * use it.
 *
 *   uniform  an unused grid point, uniformly (the EBARS sampler's only proposal);
 *   near     a grid point 1..r steps from an existing knot (births) or from the moving knot
 *            (relocations), offset uniform in {−r..−1, 1..r}: it finds the second knot of a jump
 *            (two adjacent knots in a linear spline) and fine-tunes locations, which uniform
 *            targets on a grid of 1000 almost never do;
 *   bars     BARS-style Beta(ν·s, ν·(1−s)) around an existing knot s (local-proposal.ts;
 *            DiMatteo, Genovese & Kass 2001).
 * A birth picks its reference knot uniformly among the k knots; with k = 0 only the uniform
 * component exists. A near or bars draw that lands outside the grid or on a knot is a null move
 * (the chain stays), so the stated probabilities are exact without renormalising.
 */
import type { Rng } from '../core/rng.js';
import type { KnotSet } from './knot-set.js';
import { drawLocalIndex, localIndexProbability } from './local-proposal.js';

export interface ProposalMixture {
  /** Probability and radius r (grid steps) of the near component, or null. */
  near: { probability: number; radius: number } | null;
  /** Probability and concentration ν of the BARS component, or null. */
  bars: { probability: number; nu: number } | null;
}

type SetView = Pick<KnotSet, 'n' | 'k' | 'indices' | 'value' | 'isUsed'>;

export class KnotProposals {
  private readonly pNear: number;
  private readonly pBars: number;
  private readonly r: number;
  private readonly nu: number;
  constructor(mix: ProposalMixture) {
    this.pNear = mix.near?.probability ?? 0;
    this.pBars = mix.bars?.probability ?? 0;
    this.r = mix.near?.radius ?? 1;
    this.nu = mix.bars?.nu ?? 50;
    if (this.pNear + this.pBars > 1) throw new RangeError('proposal mixture probabilities exceed 1');
  }

  /** A birth target for the set, or −1 (null move: off the grid or occupied). */
  drawBirth(rng: Rng, set: KnotSet): number {
    const k = set.k, n = set.n;
    if (k > 0 && (this.pNear > 0 || this.pBars > 0)) {
      const u = rng.uniform();
      if (u < this.pNear) return this.free(set, set.indices[rng.int(k)] + this.offset(rng));
      if (u < this.pNear + this.pBars) return this.free(set, drawLocalIndex(rng, set.value(set.indices[rng.int(k)]), n, this.nu));
    }
    return set.randomUnused(rng);
  }

  /**
   * P(drawBirth = i) for the set with the knot `skip` left out (−1: none; a death's reverse
   * birth uses skip = the dying knot). i must be free in that set.
   */
  birthProbability(set: SetView, i: number, skip: number): number {
    const k = set.k - (skip >= 0 ? 1 : 0);
    const global = 1 / (set.n - k);
    if (k === 0 || (this.pNear === 0 && this.pBars === 0)) return global;
    let near = 0, bars = 0;
    for (const s of set.indices) {
      if (s === skip) continue;
      if (this.pNear > 0) { const dist = Math.abs(i - s); if (dist >= 1 && dist <= this.r) near++; }
      if (this.pBars > 0) bars += localIndexProbability(i, set.value(s), set.n, this.nu);
    }
    return (1 - this.pNear - this.pBars) * global + (this.pNear * near) / (2 * this.r * k) + (this.pBars * bars) / k;
  }

  /** A new position for the knot at `from`, or −1 (null move). Requires k < n. */
  drawRelocation(rng: Rng, set: KnotSet, from: number): number {
    if (this.pNear === 0 && this.pBars === 0) return set.randomUnused(rng);
    const u = rng.uniform();
    if (u < this.pNear) return this.free(set, from + this.offset(rng));
    if (u < this.pNear + this.pBars) return this.free(set, drawLocalIndex(rng, set.value(from), set.n, this.nu));
    return set.randomUnused(rng);
  }

  /**
   * P(drawRelocation(from) = to) for a set of k knots. It depends on the set only through k, so
   * the reverse move's probability is relocationProbability(set, from, to) on the same set.
   */
  relocationProbability(set: SetView, to: number, from: number): number {
    let q = (1 - this.pNear - this.pBars) / (set.n - set.k);
    if (this.pNear > 0) { const dist = Math.abs(to - from); if (dist >= 1 && dist <= this.r) q += this.pNear / (2 * this.r); }
    if (this.pBars > 0) q += this.pBars * localIndexProbability(to, set.value(from), set.n, this.nu);
    return q;
  }

  /** Uniform in {−r..−1, 1..r}. */
  private offset(rng: Rng): number {
    const o = 1 + rng.int(this.r);
    return rng.uniform() < 0.5 ? -o : o;
  }

  private free(set: KnotSet, i: number): number {
    return i >= 0 && i < set.n && !set.isUsed(i) ? i : -1;
  }
}
