/**
 * In-place selection of order statistics (internal): Floyd–Rivest SELECT and a multi-rank
 * variant. Expected O(n) comparisons for one rank, O(n log r) for r ranks; no full sort.
 *
 * Floyd & Rivest, "Algorithm 489: The algorithm SELECT — for finding the ith smallest of n
 * elements", CACM 18(3), 1975; Kiwiel, "On Floyd and Rivest's SELECT algorithm", TCS 347, 2005.
 */

/** Writable numeric array that selection may reorder. */
export interface Reorderable { [i: number]: number; readonly length: number }

function swap(a: Reorderable, i: number, j: number): void {
  const t = a[i]; a[i] = a[j]; a[j] = t;
}

/**
 * Reorders a[left..right] so that a[k] holds the value it would have after sorting, every
 * element before it is ≤ a[k] and every element after it is ≥ a[k]. Values must not be NaN.
 */
export function select(a: Reorderable, k: number, left: number, right: number): void {
  while (right > left) {
    if (right - left > 600) {
      // Floyd–Rivest step: narrow to a window that contains the k-th value with high
      // probability (size ~ n^(2/3)) and select there first, so the pivot below is excellent.
      const n = right - left + 1;
      const i = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (i < n / 2 ? -1 : 1);
      const newLeft = Math.max(left, Math.floor(k - (i * s) / n + sd));
      const newRight = Math.min(right, Math.floor(k + ((n - i) * s) / n + sd));
      select(a, k, newLeft, newRight);
    }
    // Hoare partition around t = a[k], with sentinels at both ends so the scans stop.
    const t = a[k];
    let i = left;
    let j = right;
    swap(a, left, k);
    if (a[right] > t) swap(a, left, right);
    while (i < j) {
      swap(a, i, j);
      i++; j--;
      while (a[i] < t) i++;
      while (a[j] > t) j--;
    }
    if (a[left] === t) swap(a, left, j);
    else { j++; swap(a, j, right); }
    // t now sits at its sorted position j.
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

/**
 * Places every rank in `ranks` (sorted ascending, distinct, within [0, a.length)) at its sorted
 * position: select the middle rank, then recurse on the two sides with the remaining ranks.
 */
export function selectMany(a: Reorderable, ranks: ArrayLike<number>): void {
  const go = (lo: number, hi: number, rlo: number, rhi: number): void => {
    if (rlo > rhi || lo > hi) return;
    const mid = (rlo + rhi) >>> 1;
    const k = ranks[mid];
    select(a, k, lo, hi);
    go(lo, k - 1, rlo, mid - 1);
    go(k + 1, hi, mid + 1, rhi);
  };
  go(0, a.length - 1, 0, ranks.length - 1);
}
