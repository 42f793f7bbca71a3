import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { birthProbability, deathProbability } from '../../src/knots/move-probabilities.js';
import { birthTargetProbability, relocateTargetProbability } from '../../src/knots/local-proposal.js';
import { KnotSet } from '../../src/knots/knot-set.js';
import { logChoose } from '../../src/knots/special-functions.js';

describe('b_k / d_k cancel the knot-set prior C(n,k)^(−γ)', () => {
  for (const n of [8, 1000]) {
    for (const gamma of [0, 0.5, 0.8, 1, 1.2, 1.5, 2]) {
      it(`n = ${n}, γ = ${gamma}: π(ξ)·b_k/(n−k) = π(ξ∪{t})·d_{k+1}/(k+1) for every k`, () => {
        for (let k = 0; k < n; k++) {
          const lhs = -gamma * logChoose(n, k) + Math.log(birthProbability(k, n, gamma, 0.3) / (n - k));
          const rhs = -gamma * logChoose(n, k + 1) + Math.log(deathProbability(k + 1, n, gamma, 0.3) / (k + 1));
          expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * (1 + Math.abs(lhs)));
        }
        expect(birthProbability(n, n, gamma, 0.3)).toBe(0);
        expect(deathProbability(0, n, gamma, 0.3)).toBe(0);
        for (let k = 0; k <= n; k++) {
          expect(birthProbability(k, n, gamma, 0.3) + deathProbability(k, n, gamma, 0.3)).toBeLessThanOrEqual(0.6 + 1e-12);
        }
      });
    }
  }
});

/**
 * The full transition matrix of the sampler on all 2^n knot subsets, built from the move
 * probabilities, the proposal-target probabilities and the acceptance rule the chain uses,
 * with an arbitrary log-likelihood per subset. Detailed balance π_i P_ij = π_j P_ji must hold.
 */
function transitionMatrix(n: number, gamma: number, rho: number, nu: number, logLik: Float64Array): Float64Array {
  const N = 1 << n;
  const P = new Float64Array(N * N);
  const setOf = (mask: number) => {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) idx.push(i);
    return new KnotSet(n, idx);
  };
  for (let mask = 0; mask < N; mask++) {
    const s = setOf(mask);
    const k = s.k;
    const b = birthProbability(k, n, gamma, 0.3), d = deathProbability(k, n, gamma, 0.3);
    const accept = (to: number, logRatio: number) => Math.min(1, Math.exp(logLik[to] - logLik[mask] + logRatio));
    for (let i = 0; i < n; i++) {
      if (s.isUsed(i)) {
        // death of i; the reverse birth from the smaller set proposes i with birthTargetProbability.
        const to = mask & ~(1 << i);
        const lr = rho > 0 ? Math.log((n - k + 1) * birthTargetProbability(s, i, i, rho, nu)) : 0;
        P[mask * N + to] += (d / k) * accept(to, lr);
        // relocation of i to every unused j
        for (let j = 0; j < n; j++) {
          if (s.isUsed(j)) continue;
          const to2 = (mask & ~(1 << i)) | (1 << j);
          const q = relocateTargetProbability(s, j, i, rho, nu);
          const lr2 = rho > 0 ? Math.log(relocateTargetProbability(s, i, j, rho, nu)) - Math.log(q) : 0;
          P[mask * N + to2] += ((1 - b - d) / k) * q * accept(to2, lr2);
        }
      } else {
        const to = mask | (1 << i);
        const q = birthTargetProbability(s, i, -1, rho, nu);
        const lr = rho > 0 ? -Math.log((n - k) * q) : 0;
        P[mask * N + to] += b * q * accept(to, lr);
      }
    }
    let out = 0;
    for (let j = 0; j < N; j++) out += P[mask * N + j];
    P[mask * N + mask] += 1 - out;
  }
  return P;
}

describe('detailed balance of the full transition kernel (n = 6, random likelihood)', () => {
  for (const [gamma, rho] of [[0, 0], [1, 0], [2, 0], [0.5, 0.5], [1.5, 0.7]]) {
    it(`γ = ${gamma}, local proposal probability ρ = ${rho}`, () => {
      const n = 6, N = 1 << n;
      const rng = new Rng(17);
      const logLik = new Float64Array(N).map(() => 3 * rng.normal());
      const P = transitionMatrix(n, gamma, rho, 8, logLik);
      const logPi = new Float64Array(N);
      for (let mask = 0; mask < N; mask++) {
        let k = 0;
        for (let i = 0; i < n; i++) if (mask & (1 << i)) k++;
        logPi[mask] = logLik[mask] - gamma * logChoose(n, k);
      }
      let worst = 0;
      for (let a = 0; a < N; a++) {
        expect(P[a * N + a]).toBeGreaterThanOrEqual(-1e-12);
        for (let c = a + 1; c < N; c++) {
          const fwd = Math.exp(logPi[a]) * P[a * N + c], bwd = Math.exp(logPi[c]) * P[c * N + a];
          worst = Math.max(worst, Math.abs(fwd - bwd) / Math.max(fwd, bwd, 1e-300));
        }
      }
      expect(worst).toBeLessThan(1e-9);
    });
  }
});
