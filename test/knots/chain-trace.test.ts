import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { Rng } from '../../src/core/rng.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { MOVE_MODE_JUMP, runChain, type ChainProblem, type ChainRecord } from '../../src/knots/rjmcmc-chain.js';

/**
 * Recorded traces of the sampler, one per move type and mode, hashed (SHA-256 over every recorded
 * array's bytes). The hashes were recorded from the single-file sampler before it was split into
 * one file per move: a refactor that changes the order of random draws, a proposal probability or
 * an acceptance by one ulp changes the hash. A deliberate change to a move's behaviour must
 * re-record the hashes it affects (and say why in the commit).
 */
let kernels: CpuKernels;
beforeAll(async () => { kernels = await createKernels({ backend: 'reference' }); });

const m = 150;
const rng = new Rng(29);
const x1 = new Float64Array(m), x2 = new Float64Array(m), y = new Float64Array(m), counts = new Float64Array(m);
for (let i = 0; i < m; i++) {
  x1[i] = rng.uniform();
  x2[i] = rng.uniform();
  y[i] = Math.abs(x1[i] - 0.4) * 3 + (x1[i] > 0.7 ? 1 : 0) + rng.normal(0, 0.3);
  counts[i] = Math.round(Math.exp(1 + Math.sin(6 * x1[i])));
}
const probes = [Float64Array.of(0.1, 0.5, 0.9)];

function problem(extra: Partial<ChainProblem>): ChainProblem {
  return {
    xs: [x1], y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [40], gamma: 1, c: 0.3,
    fixedK: null, local: null, burnIn: 300, iterations: 1500, probes, ...extra,
  };
}

function traceHash(rec: ChainRecord): string {
  const h = createHash('sha256');
  const add = (a: ArrayBufferView) => h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  rec.k.forEach(add); rec.knotOffsets.forEach(add); rec.knotIndex.forEach(add);
  add(rec.logScore); add(rec.accepted); add(rec.moveType); add(rec.probe);
  return h.digest('hex').slice(0, 16);
}

const near = { probability: 0.3, radius: 2 };
const traces: [string, Partial<ChainProblem>, string][] = [
  ['birth/death/relocate, uniform targets', {}, 'f5dd96fa2e6ce5f3'],
  ["the authors' prior-free moves, γ = 1.5", { moves: 'prior-free', gamma: 1.5 }, '17e67edffc5b4a7d'],
  ['near + BARS targets, cubic, γ = 2', { degrees: [3], gamma: 2, near, local: { probability: 0.3, nu: 20 } }, '680f6fc0ac01ea7a'],
  ['near + twins (the fitKnots default before mode jumps)', { near, twins: { probability: 0.05, radius: 3 } }, 'fbd5f06ec98f19e1'],
  ['near + twins + mode jumps (the fitKnots default)', { near, twins: { probability: 0.05, radius: 3 }, jumps: { probability: 0.2, radius: 3 } }, '69200685682eff75'],
  ['pair moves + twins + tempering', { near, twins: { probability: 0.1, radius: 3 }, pair: { probability: 0.1, maxWidth: 4, block: 3 }, temperatures: [1, 2, 4] }, '0feb61ff5d08cfce'],
  ['fixed k = 3, relocations + pair moves', { fixedK: [3], degrees: [2], pair: { probability: 0.2, maxWidth: 5, block: 2 }, near }, 'bebb7f20a155519d'],
  ['Poisson EBIC, tempering', { family: 'poisson', y: counts, temperatures: [1, 3], near }, '5db5a61caf3db220'],
  ['two coordinates (tensor product), twins', { xs: [x1, x2], degrees: [1, 1], candidates: [15, 12], probes: [Float64Array.of(0.2, 0.7), Float64Array.of(0.3, 0.6)], twins: { probability: 0.1, radius: 2 } }, '73fc6c3be3b760c4'],
  ['two coordinates, mode jumps + tempering', { xs: [x1, x2], degrees: [1, 1], candidates: [15, 12], probes: [Float64Array.of(0.2, 0.7), Float64Array.of(0.3, 0.6)], jumps: { probability: 0.3, radius: 2 }, temperatures: [1, 2] }, '8895178b7acd36da'],
];

describe('recorded chain traces are unchanged (seed 3, reference kernels)', () => {
  for (const [name, extra, expected] of traces) {
    it(name, () => {
      const rec = runChain(problem(extra), 3, kernels);
      if (extra.jumps) expect(rec.moveType.some((t, i) => t === MOVE_MODE_JUMP && rec.accepted[i] === 1)).toBe(true); // the trace covers accepted jumps
      expect(traceHash(rec)).toBe(expected);
    });
  }
});
