/**
 * One coordinate's knot set on the candidate grid T_n = {i/(n+1) : i = 1..n}: the sorted grid
 * indices of the current knots plus a membership table, so that a uniformly chosen unused
 * candidate is found by rejection in O(n/(n−k)) expected draws (knots never coincide).
 */
import type { Rng } from '../core/rng.js';

export class KnotSet {
  /** Sorted 0-based grid indices; knot value = (index + 1)/(n + 1). */
  indices: number[] = [];
  private readonly used: Uint8Array;

  constructor(readonly n: number, initial: ArrayLike<number> = []) {
    this.used = new Uint8Array(n);
    for (let i = 0; i < initial.length; i++) this.add(initial[i]);
  }

  get k(): number { return this.indices.length; }

  /** Grid value of index i. */
  value(i: number): number { return (i + 1) / (this.n + 1); }

  isUsed(i: number): boolean { return this.used[i] === 1; }

  /** A uniformly chosen unused grid index (requires k < n). */
  randomUnused(rng: Rng): number {
    for (;;) {
      const i = rng.int(this.n);
      if (this.used[i] === 0) return i;
    }
  }

  add(i: number): void {
    this.used[i] = 1;
    let pos = this.indices.length;
    while (pos > 0 && this.indices[pos - 1] > i) pos--;
    this.indices.splice(pos, 0, i);
  }

  remove(i: number): void {
    this.used[i] = 0;
    this.indices.splice(this.indices.indexOf(i), 1);
  }

  /**
   * Write the full knot vector (boundary 0 and 1 repeated degree+1 times) into t and return its
   * length; `extra` (a grid index to add) and `skip` (one to leave out) describe a proposal without
   * changing the set.
   */
  knotVector(degree: number, t: Float64Array, extra = -1, skip = -1): number {
    let o = 0;
    for (let r = 0; r <= degree; r++) t[o++] = 0;
    let pendingExtra = extra;
    for (const i of this.indices) {
      if (i === skip) continue;
      if (pendingExtra >= 0 && pendingExtra < i) { t[o++] = this.value(pendingExtra); pendingExtra = -1; }
      t[o++] = this.value(i);
    }
    if (pendingExtra >= 0) t[o++] = this.value(pendingExtra);
    for (let r = 0; r <= degree; r++) t[o++] = 1;
    return o;
  }
}
