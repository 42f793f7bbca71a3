/**
 * Birth and death probabilities of the reversible-jump sampler (He, Yang & Kang, arXiv
 * 2405.13353, §3):
 *     b_k = c·min{1, [(n−k)/(k+1)]^{1−γ}},   d_k = c·min{1, [k/(n−k+1)]^{1−γ}},
 * with b_n = 0 and d_0 = 0 set explicitly (the formula gives 0^0 = 1 at γ = 1, which would
 * propose impossible moves). Relocation takes the rest, 1 − b_k − d_k (needs c ≤ 1/2).
 *
 * Why these: with the knot-set prior π(ξ) ∝ C(n, k)^{−γ} and uniform choice of the knot to add
 * or remove, b_k·π(ξ)/(n−k) = d_{k+1}·π(ξ')/(k+1) for every ξ' = ξ ∪ {t}, so the prior and the
 * proposal cancel and a uniform birth/death is accepted with the likelihood ratio alone.
 *
 * @example birthProbability(0, 1000, 1, 0.3) // 0.3
 */
export function birthProbability(k: number, n: number, gamma: number, c: number): number {
  if (k >= n) return 0;
  return c * Math.min(1, Math.pow((n - k) / (k + 1), 1 - gamma));
}

/** d_k (see birthProbability). @example deathProbability(0, 1000, 1, 0.3) // 0 */
export function deathProbability(k: number, n: number, gamma: number, c: number): number {
  if (k <= 0) return 0;
  return c * Math.min(1, Math.pow(k / (n - k + 1), 1 - gamma));
}
