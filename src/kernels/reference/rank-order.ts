/**
 * The order top-K kernels rank by: larger value first, NaN below −Infinity, −0 equal to +0, and
 * ties to the lower index. A total order, so a NaN in the scores can neither break the sort nor
 * leave an output slot unwritten: it is chosen only when fewer than k other values exist.
 * @example indices.sort(byValueDescending(x)) // best first
 */
export function byValueDescending(x: ArrayLike<number>): (a: number, b: number) => number {
  return (a, b) => {
    const va = x[a], vb = x[b];
    const nanA = va !== va, nanB = vb !== vb;
    if (nanA || nanB) return nanA === nanB ? a - b : nanA ? 1 : -1;
    return (vb - va) || (a - b); // ∞ − ∞ is NaN, which || treats as a tie
  };
}
