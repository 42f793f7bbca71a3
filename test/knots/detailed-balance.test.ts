import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { birthProbability, deathProbability, logPriorRatio, type MoveScheme } from '../../src/knots/move-probabilities.js';
import { KnotProposals, type ProposalMixture } from '../../src/knots/knot-proposals.js';
import { KnotSet } from '../../src/knots/knot-set.js';
import { drawGibbs, pairCandidates } from '../../src/knots/chain/pair-move.js';
import { neighbourWindow } from '../../src/knots/chain/neighbour-move.js';
import { ModeAnchors, modeJumpLogProposal, modeJumpTarget, unpairedPosition } from '../../src/knots/chain/mode-jump-move.js';
import type { Replica } from '../../src/knots/chain/move-context.js';
import { logChoose } from '../../src/knots/special-functions.js';

describe("the authors' prior-free b_k / d_k cancel the knot-set prior C(n,k)^(−γ)", () => {
  for (const n of [8, 1000]) {
    for (const gamma of [0, 0.5, 0.8, 1, 1.2, 1.5, 2]) {
      it(`n = ${n}, γ = ${gamma}: π(ξ)·b_k/(n−k) = π(ξ∪{t})·d_{k+1}/(k+1) for every k`, () => {
        for (let k = 0; k < n; k++) {
          const lhs = -gamma * logChoose(n, k) + Math.log(birthProbability(k, n, gamma, 0.3) / (n - k));
          const rhs = -gamma * logChoose(n, k + 1) + Math.log(deathProbability(k + 1, n, gamma, 0.3) / (k + 1));
          expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * (1 + Math.abs(lhs)));
        }
        for (const scheme of ['prior-free', 'balanced'] as const) {
          expect(birthProbability(n, n, gamma, 0.3, scheme)).toBe(0);
          expect(deathProbability(0, n, gamma, 0.3, scheme)).toBe(0);
          for (let k = 0; k <= n; k++) {
            expect(birthProbability(k, n, gamma, 0.3, scheme) + deathProbability(k, n, gamma, 0.3, scheme)).toBeLessThanOrEqual(0.6 + 1e-12);
          }
        }
      });
    }
  }
  it('balanced moves propose a birth at γ = 2 as often as at γ = 1; prior-free ones almost never', () => {
    expect(birthProbability(1, 1000, 2, 0.3, 'balanced')).toBe(0.3);
    expect(birthProbability(1, 1000, 2, 0.3, 'prior-free')).toBeLessThan(0.001);
    expect(Math.abs(logPriorRatio(1, 2, 1000, 2) - 2 * Math.log(2 / 999))).toBeLessThan(1e-12);
  });
});

/**
 * The full transition matrix of the sampler on all 2^n knot subsets, built from the move
 * probabilities, the proposal-target probabilities and the acceptance rule the chain uses
 * (prior ratio + proposal ratio), with an arbitrary log-likelihood per subset. Detailed balance
 * π_i P_ij = π_j P_ji must hold. Null moves (near/bars draws off the grid or on a knot) only add
 * to the diagonal.
 */
function transitionMatrix(n: number, gamma: number, scheme: MoveScheme, mix: ProposalMixture, logLik: Float64Array): Float64Array {
  const N = 1 << n;
  const P = new Float64Array(N * N);
  const props = new KnotProposals(mix);
  const setOf = (mask: number) => {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) idx.push(i);
    return new KnotSet(n, idx);
  };
  const c = 0.3;
  for (let mask = 0; mask < N; mask++) {
    const s = setOf(mask);
    const k = s.k;
    const b = birthProbability(k, n, gamma, c, scheme), d = deathProbability(k, n, gamma, c, scheme);
    const accept = (to: number, logRatio: number) => Math.min(1, Math.exp(logLik[to] - logLik[mask] + logRatio));
    for (let i = 0; i < n; i++) {
      if (s.isUsed(i)) {
        // death of i; the reverse birth from the smaller set proposes i with birthProbability(s, i, i).
        const to = mask & ~(1 << i);
        const lr = logPriorRatio(k, k - 1, n, gamma) + Math.log(birthProbability(k - 1, n, gamma, c, scheme) * props.birthProbability(s, i, i)) - Math.log(d / k);
        P[mask * N + to] += (d / k) * accept(to, lr);
        // relocation of i to every unused j
        for (let j = 0; j < n; j++) {
          if (s.isUsed(j)) continue;
          const to2 = (mask & ~(1 << i)) | (1 << j);
          const q = props.relocationProbability(s, j, i);
          const lr2 = Math.log(props.relocationProbability(s, i, j)) - Math.log(q);
          P[mask * N + to2] += ((1 - b - d) / k) * q * accept(to2, lr2);
        }
      } else {
        const to = mask | (1 << i);
        const q = props.birthProbability(s, i, -1);
        const lr = logPriorRatio(k, k + 1, n, gamma) + Math.log(deathProbability(k + 1, n, gamma, c, scheme) / (k + 1)) - Math.log(b * q);
        P[mask * N + to] += b * q * accept(to, lr);
      }
    }
    let out = 0;
    for (let j = 0; j < N; j++) out += P[mask * N + j];
    P[mask * N + mask] += 1 - out;
  }
  return P;
}

const NONE: ProposalMixture = { near: null, bars: null };
const configs: [string, number, MoveScheme, ProposalMixture][] = [
  ['prior-free, uniform targets', 0, 'prior-free', NONE],
  ['prior-free, uniform targets', 1, 'prior-free', NONE],
  ['prior-free, uniform targets', 2, 'prior-free', NONE],
  ['prior-free, BARS ρ = 0.5', 0.5, 'prior-free', { near: null, bars: { probability: 0.5, nu: 8 } }],
  ['prior-free, BARS ρ = 0.7', 1.5, 'prior-free', { near: null, bars: { probability: 0.7, nu: 8 } }],
  ['balanced, uniform targets', 2, 'balanced', NONE],
  ['balanced, near r = 2', 2, 'balanced', { near: { probability: 0.4, radius: 2 }, bars: null }],
  ['balanced, near r = 1 + BARS', 0.5, 'balanced', { near: { probability: 0.3, radius: 1 }, bars: { probability: 0.3, nu: 8 } }],
  ['balanced, near r = 3', 1, 'balanced', { near: { probability: 0.6, radius: 3 }, bars: null }],
];

describe('detailed balance of the full transition kernel (n = 6, random likelihood)', () => {
  for (const [name, gamma, scheme, mix] of configs) {
    it(`${name}, γ = ${gamma}`, () => {
      const n = 6, N = 1 << n;
      const rng = new Rng(17);
      const logLik = new Float64Array(N).map(() => 3 * rng.normal());
      const P = transitionMatrix(n, gamma, scheme, mix, logLik);
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

describe('proposal draws follow the probabilities the acceptance ratio uses', () => {
  const mix: ProposalMixture = { near: { probability: 0.4, radius: 3 }, bars: { probability: 0.2, nu: 30 } };
  const n = 40, draws = 200000;
  const set = new KnotSet(n, [2, 3, 17, 30, 39]);
  const props = new KnotProposals(mix);
  const check = (freq: Float64Array, prob: (i: number) => number) => {
    let nullMass = 1;
    for (let i = 0; i < n; i++) {
      if (set.isUsed(i)) { expect(freq[i]).toBe(0); continue; }
      const q = prob(i);
      nullMass -= q;
      expect(Math.abs(freq[i] / draws - q)).toBeLessThan(5 * Math.sqrt(q / draws) + 1e-4);
    }
    expect(Math.abs(freq[n] / draws - nullMass)).toBeLessThan(5 * Math.sqrt(Math.max(nullMass, 1e-6) / draws) + 1e-4);
  };
  it('births (near a knot, BARS, uniform; off-grid or occupied draws are null moves)', () => {
    const rng = new Rng(5);
    const freq = new Float64Array(n + 1);
    for (let t = 0; t < draws; t++) { const i = props.drawBirth(rng, set); freq[i < 0 ? n : i]++; }
    check(freq, (i) => props.birthProbability(set, i, -1));
  });
  it('relocations of the knot at 17 and at the grid edge 39', () => {
    for (const from of [17, 39]) {
      const rng = new Rng(6 + from);
      const freq = new Float64Array(n + 1);
      for (let t = 0; t < draws; t++) { const i = props.drawRelocation(rng, set, from); freq[i < 0 ? n : i]++; }
      check(freq, (i) => props.relocationProbability(set, i, from));
    }
  });
});

describe('pair moves: the Gibbs kernel over candidate pairs is reversible (n = 9, random posterior)', () => {
  for (const [maxWidth, block] of [[1, 3], [2, 3], [3, 2], [8, 5], [4, 16]]) {
    it(`maxWidth ${maxWidth}, block ${block}`, () => {
      const n = 9, N = 1 << n;
      const rng = new Rng(23 + maxWidth);
      const logPi = new Float64Array(N).map(() => 2 * rng.normal());
      const P = new Float64Array(N * N);
      const list: number[] = [];
      for (let mask = 0; mask < N; mask++) {
        const idx: number[] = [];
        for (let i = 0; i < n; i++) if (mask & (1 << i)) idx.push(i);
        if (idx.length < 2) continue;
        for (let pi = 0; pi < idx.length - 1; pi++) {
          for (let o = 0; o < block; o++) {
            const count = pairCandidates(idx, n, pi, o, { maxWidth, block }, list);
            if (count === 0) continue;
            const targets = Array.from({ length: count }, (_, c) => (mask & ~(1 << idx[pi]) & ~(1 << idx[pi + 1])) | (1 << list[2 * c]) | (1 << list[2 * c + 1]));
            expect(targets).toContain(mask);
            let z = 0;
            for (const t of targets) z += Math.exp(logPi[t]);
            for (const t of targets) P[mask * N + t] += Math.exp(logPi[t]) / z / (idx.length - 1) / block;
          }
        }
      }
      let worst = 0, moves = 0;
      for (let a = 0; a < N; a++) {
        for (let c = a + 1; c < N; c++) {
          const fwd = Math.exp(logPi[a]) * P[a * N + c], bwd = Math.exp(logPi[c]) * P[c * N + a];
          if (fwd > 0) moves++;
          worst = Math.max(worst, Math.abs(fwd - bwd) / Math.max(fwd, bwd, 1e-300));
        }
      }
      expect(moves).toBeGreaterThan(50);
      expect(worst).toBeLessThan(1e-9);
    });
  }
  it('drawGibbs draws index c with probability ∝ exp(β·logp[c]) (−Infinity: never)', () => {
    const logp = [0.3, -Infinity, 1.2, -0.5, 0.9], beta = 0.7, draws = 200000;
    const rng = new Rng(4);
    const freq = new Float64Array(logp.length);
    for (let t = 0; t < draws; t++) freq[drawGibbs(logp, logp.length, beta, rng.uniform())]++;
    const w = logp.map((v) => Math.exp(beta * v));
    const z = w.reduce((a, b) => a + b, 0);
    w.forEach((wi, c) => expect(Math.abs(freq[c] / draws - wi / z)).toBeLessThan(5 * Math.sqrt(wi / z / draws) + 1e-4));
  });
});

/**
 * Births and deaths with neighbour relocation, enumerated path by path on all 2^n knot subsets:
 * every birth target t, every window draw of the left and then the right neighbour, each path
 * accepted with min{1, π(y)·q(reverse path) / (π(x)·q(path))}, where the reverse path removes (or
 * adds) the same t and redraws the neighbours back; a death path that leaves t occupied or
 * outside its redrawn neighbours has no reverse and is rejected. Written from the definition
 * (windows from neighbourWindow), independently of the chain's implementation.
 */
describe('neighbour births and deaths: the path-wise kernel is reversible (n = 7, random posterior)', () => {
  type Path = { prob: number; list: number[] };
  /** Every way of redrawing the knots at positions ps (in order) of list, with probabilities ∝ π. */
  const redraws = (list: number[], ps: number[], logPi: (l: number[]) => number, opts: number[], n: number): Path[] => {
    let paths: Path[] = [{ prob: 1, list }];
    for (const p of ps) {
      const nextPaths: Path[] = [];
      for (const path of paths) {
        const window = neighbourWindow(path.list, p, n, opts);
        const options = window.map((w) => { const l = path.list.slice(); l[p] = w; return l; });
        const weights = options.map((l) => Math.exp(logPi(l)));
        const z = weights.reduce((a, b) => a + b, 0);
        options.forEach((l, c) => nextPaths.push({ prob: path.prob * weights[c] / z, list: l }));
      }
      paths = nextPaths;
    }
    return paths;
  };
  /** The probability of redrawing positions ps of list to the values `to`, in order. */
  const redrawProbability = (list: number[], ps: number[], to: number[], logPi: (l: number[]) => number, opts: number[], n: number): number => {
    const paths = redraws(list, ps, logPi, opts, n);
    return paths.filter((p) => ps.every((pos, i) => p.list[pos] === to[i])).reduce((a, p) => a + p.prob, 0);
  };
  /** Positions redrawn around the knot (or gap) at `at`: depth each side, nearest first, left side first. */
  const around = (at: number, length: number, gap: boolean, depth = currentDepth): number[] => {
    const left = Array.from({ length: depth }, (_, i) => at - 1 - i).filter((p) => p >= 0);
    const right = Array.from({ length: depth }, (_, i) => (gap ? at : at + 1) + i).filter((p) => p < length);
    return [...left, ...right];
  };
  let currentDepth = 1;
  for (const [offsets, gamma, depth] of [[[1], 1, 1], [[1, 2], 2, 1], [[2], 0.5, 1], [[1, 3, 4], 1.5, 1], [[1], 1, 2], [[1, 2], 0.5, 2], [[2, 3], 2, 3]] as [number[], number, number][]) {
    it(`offsets ${offsets.join(',')}, γ = ${gamma}, depth ${depth}`, () => {
      currentDepth = depth;
      const n = 7, N = 1 << n;
      const rng = new Rng(31 + offsets.length + 10 * offsets[0] + depth);
      const logLik = new Float64Array(N).map(() => 2 * rng.normal());
      const maskOf = (l: number[]) => l.reduce((m, i) => m | (1 << i), 0);
      const logPi = (l: number[]) => logLik[maskOf(l)] - gamma * logChoose(n, l.length);
      const opts = offsets;
      const P = new Float64Array(N * N);
      let accepted = 0;
      for (let mask = 0; mask < N; mask++) {
        const list: number[] = [];
        for (let i = 0; i < n; i++) if (mask & (1 << i)) list.push(i);
        const k = list.length;
        // Births (½): t uniform among the free points, then the left and right neighbours.
        for (let t = 0; t < n && k < n; t++) {
          if (list.includes(t)) continue;
          const withT = [...list, t].sort((a, b) => a - b);
          const at = withT.indexOf(t);
          const ps = around(at, withT.length, false);
          for (const path of redraws(withT, ps, logPi, opts, n)) {
            const y = path.list;
            const back = y.filter((i) => i !== t);
            const rev = redrawProbability(back, around(at, back.length, true), ps.map((p) => withT[p]), logPi, opts, n);
            const fwd = (0.5 / (n - k)) * path.prob;
            const alpha = Math.min(1, Math.exp(logPi(y) - logPi(list)) * ((0.5 / (k + 1)) * rev) / fwd);
            P[mask * N + maskOf(y)] += fwd * alpha;
            if (alpha > 0) accepted++;
          }
        }
        // Deaths (½): a uniformly chosen knot, then its former left and right neighbours.
        for (let at = 0; at < k; at++) {
          const t = list[at];
          const without = list.filter((i) => i !== t);
          const ps = around(at, without.length, true);
          for (const path of redraws(without, ps, logPi, opts, n)) {
            const y = path.list;
            const left = at > 0 ? y[at - 1] : -1, right = at < y.length ? y[at] : n;
            if (!(left < t && t < right)) continue; // no reverse birth: rejected (stays)
            const withT = [...y.slice(0, at), t, ...y.slice(at)];
            const rev = redrawProbability(withT, around(at, withT.length, false), ps.map((p) => without[p]), logPi, opts, n);
            const fwd = (0.5 / k) * path.prob;
            const alpha = Math.min(1, Math.exp(logPi(y) - logPi(list)) * ((0.5 / (n - k + 1)) * rev) / fwd);
            P[mask * N + maskOf(y)] += fwd * alpha;
            if (alpha > 0) accepted++;
          }
        }
      }
      let worst = 0, moves = 0;
      for (let a = 0; a < N; a++) {
        for (let c = a + 1; c < N; c++) {
          const fwd = Math.exp(logPi(lists[a])) * P[a * N + c], bwd = Math.exp(logPi(lists[c])) * P[c * N + a];
          if (fwd > 0) moves++;
          worst = Math.max(worst, Math.abs(fwd - bwd) / Math.max(fwd, bwd, 1e-300));
        }
      }
      expect(accepted).toBeGreaterThan(100);
      expect(moves).toBeGreaterThan(200);
      expect(worst).toBeLessThan(1e-9);
    });
  }
  const lists = Array.from({ length: 1 << 7 }, (_, mask) => [0, 1, 2, 3, 4, 5, 6].filter((i) => mask & (1 << i)));
});

/**
 * The mode-jump kernel for fixed anchors: from every subset of a grid of n = 8, every target
 * anchor (k − 1 or k + 1 knots, ½ each where both exist) and every offset u of a new knot, the
 * jump accepted with min{1, π(ξ')/π(ξ)·q(reverse)/q(forward)}. Detailed balance must hold for any
 * anchors, so they are drawn at random (some k without an anchor).
 */
describe('mode jumps: the kernel is reversible for any fixed anchors (n = 8, random posterior)', () => {
  const n = 8, N = 1 << n;
  const listOf = (mask: number) => Array.from({ length: n }, (_, i) => i).filter((i) => mask & (1 << i));
  const maskOf = (l: readonly number[]) => l.reduce((m, i) => m | (1 << i), 0);
  for (const [r, gamma, seed, pairWidth] of [[1, 1, 5, 0], [2, 2, 6, 0], [3, 0.5, 7, 0], [0, 1.5, 8, 0], [2, 1, 9, 1], [3, 2, 10, 2]] as [number, number, number, number][]) {
    it(`radius ${r}, γ = ${gamma}${pairWidth > 0 ? `, anchors per narrow-gap pattern (w = ${pairWidth})` : ''}`, () => {
      const rng = new Rng(seed);
      const logLik = new Float64Array(N).map(() => 2 * rng.normal());
      const logPi = (l: readonly number[]) => logLik[maskOf(l)] - gamma * logChoose(n, l.length);
      // Anchors: the best of a few random states per k, as burn-in would find them; k = 6 left out.
      const anchors = new ModeAnchors(1, pairWidth);
      for (let draw = 0; draw < (pairWidth > 0 ? 120 : 40); draw++) {
        const list = listOf(rng.int(N));
        if (list.length === 6) continue;
        anchors.observe({ sets: [new KnotSet(n, list)], current: logLik[maskOf(list)], logPrior: -gamma * logChoose(n, list.length) } as unknown as Replica);
      }
      anchors.freeze();
      const P = new Float64Array(N * N);
      let proposals = 0, sameK = 0;
      for (let mask = 0; mask < N; mask++) {
        const xi = listOf(mask), k = xi.length;
        const from = anchors.source(0, xi);
        if (from === undefined) continue;
        const targets = anchors.targets(0, from);
        for (const to of targets) {
          const us = to.k > k ? Array.from({ length: 2 * r + 1 }, (_, i) => i - r) : [0];
          for (const u of us) {
            const next = modeJumpTarget(xi, from.indices, to.indices, u, n, r);
            if (next === null || anchors.keyOf(next) !== to.key) continue; // the reverse must start from `to`
            proposals++;
            if (next.length === k) sameK++;
            const q = 1 / targets.length / us.length;
            const logQ = modeJumpLogProposal(k, next.length, targets.length, anchors.targets(0, to).length, r);
            P[mask * N + maskOf(next)] += q * Math.min(1, Math.exp(logPi(next) - logPi(xi) + logQ));
          }
        }
      }
      let worst = 0, moves = 0;
      for (let a = 0; a < N; a++) {
        for (let c = a + 1; c < N; c++) {
          const fwd = Math.exp(logPi(listOf(a))) * P[a * N + c], bwd = Math.exp(logPi(listOf(c))) * P[c * N + a];
          if (fwd > 0) moves++;
          worst = Math.max(worst, Math.abs(fwd - bwd) / Math.max(fwd, bwd, 1e-300));
        }
      }
      // With r = 0 only the anchors themselves jump.
      expect(proposals).toBeGreaterThan(r === 0 ? 5 : 20);
      if (pairWidth > 0) expect(sameK).toBeGreaterThan(5); // jumps between patterns of one k happen
      expect(moves).toBeGreaterThan(r === 0 ? 2 : 10);
      expect(worst).toBeLessThan(1e-9);
    });
  }

  it('a jump up and the jump back down are inverse maps (offsets kept, the new knot at the unpaired anchor knot)', () => {
    const from = [10, 40, 70], to = [12, 38, 55, 71], n = 100, r = 4;
    expect(unpairedPosition(to, from)).toBe(2);
    const up = modeJumpTarget([11, 37, 73], from, to, -3, n, r);
    expect(up).toEqual([13, 35, 52, 74]);
    expect(modeJumpTarget(up!, to, from, 0, n, r)).toEqual([11, 37, 73]);
    expect(modeJumpTarget([11, 37, 75], from, to, 0, n, r)).toBeNull(); // 75 is 5 > r from 70
    expect(modeJumpTarget([11, 37, 73], from, [12, 38, 55, 71, 90], 0, n, r)).toBeNull(); // k + 2
  });
});
