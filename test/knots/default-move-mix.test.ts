/**
 * The γ-dependent default move mix: the earlier defaults at γ ≤ 1, the relocation-leaning mix at
 * γ ≥ 2, monotone in between, and what fitKnots actually hands the chains.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { defaultMoveMix } from '../../src/knots/default-move-mix.js';
import { fitKnots } from '../../src/knots/fit-knots.js';
import { knotCaseData } from '../../src/knots/generators/knot-cases.js';

let kernels: CpuKernels;
beforeAll(async () => { kernels = await createKernels({ backend: 'reference' }); });

describe('defaultMoveMix', () => {
  it('is the earlier default at γ ≤ 1 and c = 0.15, near 0.6, jumps 0.3 at γ ≥ 2', () => {
    for (const g of [0, 0.5, 1]) expect(defaultMoveMix(g)).toEqual({ c: 0.3, near: 0.3, modeJumps: 0.2, twinMoves: 0.05, neighbourMoves: 0.05 });
    expect(defaultMoveMix(2)).toEqual({ c: 0.15, near: 0.6, modeJumps: 0.3, twinMoves: 0.05, neighbourMoves: 0.05 });
    expect(defaultMoveMix(1.5)).toEqual({ c: 0.2, near: 0.45, modeJumps: 0.25, twinMoves: 0.05, neighbourMoves: 0.05 });
    expect(defaultMoveMix(4)).toMatchObject({ c: 0.075, near: 0.6, modeJumps: 0.3 });
  });

  it('moves monotonically with γ and always leaves births, deaths and relocations a share', () => {
    let previous = defaultMoveMix(0);
    for (let g = 0.05; g <= 6; g += 0.05) {
      const mix = defaultMoveMix(g);
      expect(mix.c).toBeLessThanOrEqual(previous.c);
      expect(mix.near).toBeGreaterThanOrEqual(previous.near);
      expect(mix.modeJumps).toBeGreaterThanOrEqual(previous.modeJumps);
      expect(mix.twinMoves + mix.neighbourMoves + mix.modeJumps).toBeLessThan(1);
      expect(2 * mix.c).toBeLessThanOrEqual(1);
      previous = mix;
    }
  });
});

describe('fitKnots uses the mix', () => {
  const { x, y } = knotCaseData(3, 60, 1);
  const run = (opts: Parameters<typeof fitKnots>[2]) => fitKnots(x, y, { kernels, degree: 1, iterations: 20, burnIn: 10, chains: 1, draws: 5, ...opts });

  it('hands the chains c, near and jump probabilities of its γ; explicit options win; fixed k and prior-free keep theirs', async () => {
    const at2 = (await run({ gamma: 2 })).problem;
    expect([at2.c, at2.near?.probability, at2.jumps?.probability]).toEqual([0.15, 0.6, 0.3]);
    const at1 = (await run({ gamma: 1 })).problem;
    expect([at1.c, at1.near?.probability, at1.jumps?.probability]).toEqual([0.3, 0.3, 0.2]);
    const explicit = (await run({ gamma: 2, c: 0.25, nearProposals: { probability: 0.1 }, modeJumps: { probability: 0.05 } })).problem;
    expect([explicit.c, explicit.near?.probability, explicit.jumps?.probability]).toEqual([0.25, 0.1, 0.05]);
    const fixed = (await run({ gamma: 2, k: 3 })).problem;
    expect([fixed.near?.probability, fixed.jumps ?? null]).toEqual([0.3, null]);
    expect((await run({ gamma: 2, moves: 'prior-free' })).problem.c).toBe(0.3);
  });
});
