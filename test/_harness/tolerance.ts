/**
 * Float comparison for differential tests. A kernel that sums terms t_i may reorder the sum
 * (SIMD lanes, blocking) and accumulate in float32, so its error is bounded by a small
 * multiple of Σ|t_i| — not of the result, which can cancel to ~0.
 */

/** |a − b| ≤ 1e-5·Σ|terms| + 1e-6. */
export function closeRel(a: number, b: number, sumAbsTerms: number): boolean {
  return Math.abs(a - b) <= 1e-5 * sumAbsTerms + 1e-6;
}

/** Throws (so fast-check reports and shrinks) when closeRel fails; `what` names the element. */
export function assertClose(actual: number, expected: number, sumAbsTerms: number, what: string): void {
  if (!closeRel(actual, expected, sumAbsTerms)) {
    throw new Error(`${what}: got ${actual}, reference ${expected} (Σ|terms| = ${sumAbsTerms}, `
      + `|diff| = ${Math.abs(actual - expected)}, allowed ${1e-5 * sumAbsTerms + 1e-6})`);
  }
}
