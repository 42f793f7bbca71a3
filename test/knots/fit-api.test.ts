/**
 * The public fitKnots API: input validation, original-scale outputs, posterior draws and bands,
 * parallel = sequential, progress, abort; and the MCMC diagnostics.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { Rng } from '../../src/core/rng.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { fitKnots } from '../../src/knots/fit-knots.js';
import { MOVE_MODE_JUMP, MOVE_NEIGHBOUR_BIRTH, MOVE_NEIGHBOUR_DEATH } from '../../src/knots/rjmcmc-chain.js';
import { effectiveSampleSize, splitRhat } from '../../src/knots/mcmc-diagnostics.js';
import { convergenceWarnings } from '../../src/knots/convergence.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { knotCaseData } from '../../src/knots/generators/knot-cases.js';
import { MCYCLE_ACCEL, MCYCLE_TIMES } from '../../src/knots/data/mcycle.js';
import { parseNumericCsv } from '../../src/knots/read-csv.js';

let kernels: CpuKernels;
beforeAll(async () => { kernels = await createKernels({ backend: 'reference' }); });

const quick = { iterations: 400, burnIn: 200, chains: 1, parallel: false as const, draws: 50 };

describe('fitKnots input validation', () => {
  const x = Array.from({ length: 30 }, (_, i) => i / 29), y = x.map((v) => v * v);
  it('names the bad argument', async () => {
    const bad = async (fn: () => Promise<unknown>, name: string) => {
      let err: unknown = null;
      try { await fn(); } catch (e) { err = e; }
      expectBadArgument(() => { if (err) throw err; }, name);
    };
    await bad(() => fitKnots(x, y.slice(0, 20), { kernels }), 'x');
    await bad(() => fitKnots([...x.slice(0, 29), NaN], y, { kernels }), 'x');
    await bad(() => fitKnots(x, [...y.slice(0, 29), Infinity], { kernels }), 'y');
    await bad(() => fitKnots(x.map(() => 0.5), y, { kernels }), 'x');            // constant column
    await bad(() => fitKnots(x.slice(0, 4), y.slice(0, 4), { kernels }), 'observations');
    await bad(() => fitKnots(x, y, { kernels, degree: 9 }), 'degree');
    await bad(() => fitKnots(x, y, { kernels, gamma: -1 }), 'gamma');
    await bad(() => fitKnots(x, y, { kernels, c: 0.7 }), 'c');
    await bad(() => fitKnots(x, y, { kernels, chains: 0 }), 'chains');
    await bad(() => fitKnots(x, y, { kernels, iterations: 1.5 }), 'iterations');
    await bad(() => fitKnots(x, y, { kernels, k: 40 }), 'k');
    await bad(() => fitKnots(x, y, { kernels, family: 'gamma' as never }), 'family');
    await bad(() => fitKnots(x, y, { kernels, family: 'poisson' }), 'y');        // non-integer counts
    await bad(() => fitKnots(x, y.map(() => 2), { kernels, family: 'binomial' }), 'y');
    await bad(() => fitKnots(x, y, { kernels, times: 0 }), 'times');
    await bad(() => fitKnots([x, x.slice(0, 10)], y, { kernels }), 'x');
    await bad(() => fitKnots('abc' as never, y, { kernels }), 'x');
    await bad(() => fitKnots(x, y, { kernels, marginal: 'bic' as never }), 'marginal');
    await bad(() => fitKnots(x, y, 'fast' as never), 'fitKnots options');
    await bad(() => fitKnots(x, y, { kernels, temperatures: [2, 3] }), 'temperatures');
    await bad(() => fitKnots(x, y, { kernels, temperatures: [1, 3, 2] }), 'temperatures');
    await bad(() => fitKnots(x, y, { kernels, iteratons: 10 } as never), 'iteratons');
    await bad(() => fitKnots(x, y, { kernels, twinMoves: { probability: 1 } }), 'twinMoves.probability');
    await bad(() => fitKnots(x, y, { kernels, twinMoves: { radius: 0 } }), 'twinMoves.radius');
    await bad(() => fitKnots(x, y, { kernels, twinMoves: 'yes' as never }), 'twinMoves');
    await bad(() => fitKnots(x, y, { kernels, neighbourMoves: { probability: 1 } }), 'neighbourMoves.probability');
    await bad(() => fitKnots(x, y, { kernels, neighbourMoves: { offsets: [3, 2] } }), 'neighbourMoves.offsets');
    await bad(() => fitKnots(x, y, { kernels, neighbourMoves: { depth: 0 } }), 'neighbourMoves.depth');
    await bad(() => fitKnots(x, y, { kernels, neighbourMoves: 7 as never }), 'neighbourMoves');
    await bad(() => fitKnots(x, y, { kernels, start: 'mode' as never }), 'start');
    await bad(() => fitKnots(x, y, { kernels, modeJumps: { probability: 1 } }), 'modeJumps.probability');
    await bad(() => fitKnots(x, y, { kernels, modeJumps: { radius: -2 } }), 'modeJumps.radius');
    await bad(() => fitKnots(x, y, { kernels, modeJumps: 3 as never }), 'modeJumps');
    await bad(() => fitKnots(x, y, { kernels, modeJumps: { pairWidth: 2.5 } }), 'modeJumps.pairWidth');
    await bad(() => fitKnots(x, y, { kernels, twinMoves: { probability: 0.5 }, modeJumps: { probability: 0.5 } }), 'modeJumps.probability');
    await bad(() => fitKnots(x, y, { kernels, twinMoves: { probability: 0.5 }, neighbourMoves: { probability: 0.5 } }), 'neighbourMoves.probability');
    // The sum check says how the moves share an iteration and by how much to lower one.
    await expect(fitKnots(x, y, { kernels, neighbourMoves: { probability: 0.8 } })).rejects.toThrow(
      /twinMoves\.probability 0\.05 \+ neighbourMoves\.probability 0\.8 \+ modeJumps\.probability 0\.2 = 1\.05: each iteration makes one move.*lower one of them by more than 0\.05/);
  });
  it('neighbourMoves reaches the chains (its move types are recorded) and is off by default', async () => {
    const opts = { kernels, iterations: 400, burnIn: 100, chains: 1, draws: 10 };
    const types = (fit: { records: { moveType: Uint8Array }[] }) => new Set(fit.records.flatMap((r) => Array.from(r.moveType)));
    const on = await fitKnots(x, y, { ...opts, neighbourMoves: { probability: 0.2 } });
    const off = await fitKnots(x, y, opts);
    expect(types(on).has(MOVE_NEIGHBOUR_BIRTH) && types(on).has(MOVE_NEIGHBOUR_DEATH)).toBe(true);
    expect(types(off).has(MOVE_NEIGHBOUR_BIRTH) || types(off).has(MOVE_NEIGHBOUR_DEATH)).toBe(false);
  }, 60000);
  it('mode jumps reach the chains (their move type is recorded) and are on by default; false turns them off', async () => {
    const opts = { kernels, iterations: 400, burnIn: 100, chains: 1, draws: 10 };
    const types = (fit: { records: { moveType: Uint8Array }[] }) => new Set(fit.records.flatMap((r) => Array.from(r.moveType)));
    expect(types(await fitKnots(x, y, opts)).has(MOVE_MODE_JUMP)).toBe(true);
    expect(types(await fitKnots(x, y, { ...opts, modeJumps: false })).has(MOVE_MODE_JUMP)).toBe(false);
  }, 60000);
  it('treats null and undefined options as the defaults', async () => {
    const a = await fitKnots(x, y, null), b = await fitKnots(x, y);
    expect(Array.from(a.kPosterior())).toEqual(Array.from(b.kPosterior()));
  }, 60000);
});

describe('fitKnots results', () => {
  it('reports knots and predictions on the original x scale (affine invariance)', async () => {
    const { x, y } = knotCaseData(1, 200, 3);
    const a = await fitKnots(x, y, { ...quick, kernels, degree: 1, k: 1, candidates: 200, seed: 4 });
    const x2 = x.map((v) => 10 * v + 3);
    const b = await fitKnots(x2, y, { ...quick, kernels, degree: 1, k: 1, candidates: 200, seed: 4 });
    const ka = a.knotSummary().mean[0], kb = b.knotSummary().mean[0];
    // min/max of the sample differ from 0/1, so compare on the scaled axes through each scaler.
    expect(Math.abs(kb - (10 * ka + 3))).toBeLessThan(1e-9);
    expect(Math.abs(ka - 0.5)).toBeLessThan(0.05);
    const pa = a.predict([0.25, 0.75]), pb = b.predict([5.5, 10.5]);
    expect(Math.abs(pa[0] - pb[0])).toBeLessThan(1e-9);
    expect(Math.abs(pa[1] - pb[1])).toBeLessThan(1e-9);
  });

  it('gives bands that contain the mean, predictive intervals wider than credible ones', async () => {
    const fit = await fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, { ...quick, kernels, seed: 2 });
    const c = fit.curve([5, 15, 25, 40, 55]);
    for (let i = 0; i < 5; i++) {
      expect(c.lower[i]).toBeLessThanOrEqual(c.mean[i]);
      expect(c.mean[i]).toBeLessThanOrEqual(c.upper[i]);
      expect(c.predUpper[i] - c.predLower[i]).toBeGreaterThan(c.upper[i] - c.lower[i]);
    }
    // The crash dip: acceleration near 20 ms is strongly negative.
    expect(fit.predict([21])[0]).toBeLessThan(-80);
    const s = fit.summary() as { kPosterior: number[][] };
    expect(s.kPosterior[0].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const dens = fit.knotDensity(0, 50);
    let area = 0;
    for (let b = 0; b < 50; b++) area += dens.density[b] * (dens.x[1] - dens.x[0]);
    const ek = fit.kPosterior().reduce((a, p, k) => a + p * k, 0);
    expect(Math.abs(area - ek)).toBeLessThan(1e-9 * (1 + ek));
  });

  it('fits Poisson counts and a two-coordinate surface', async () => {
    const rng = new Rng(8);
    const x = Array.from({ length: 200 }, () => rng.uniform());
    const counts = x.map((v) => {
      const lam = Math.exp(1 + Math.sin(5 * v));
      let k = 0, p = Math.exp(-lam), s = p;
      const u = rng.uniform();
      while (u > s) { k++; p *= lam / k; s += p; }
      return k;
    });
    const pf = await fitKnots(x, counts, { ...quick, kernels, family: 'poisson', seed: 1 });
    expect(Math.abs(pf.predict([0.3])[0] - Math.exp(1 + Math.sin(1.5)))).toBeLessThan(1.5);
    const x1 = Array.from({ length: 300 }, () => rng.uniform()), x2 = Array.from({ length: 300 }, () => rng.uniform());
    const z = x1.map((v, i) => Math.sin(3 * v) + x2[i] ** 2 + rng.normal(0, 0.05));
    const sf = await fitKnots([x1, x2], z, { ...quick, kernels, seed: 1 });
    expect(sf.d).toBe(2);
    expect(Math.abs(sf.predict([[0.5], [0.5]])[0] - (Math.sin(1.5) + 0.25))).toBeLessThan(0.1);
  });

  it('runs chains in worker_threads with the same records as sequentially', async () => {
    const { x, y } = knotCaseData(2, 150, 1);
    const opts = { iterations: 300, burnIn: 100, chains: 2, draws: 20, seed: 6, degree: 1, candidates: 300, backend: 'reference' as const };
    const seq = await fitKnots(x, y, { ...opts, parallel: false });
    const par = await fitKnots(x, y, { ...opts, parallel: true });
    for (let c = 0; c < 2; c++) {
      expect(Array.from(par.records[c].logScore)).toEqual(Array.from(seq.records[c].logScore));
      expect(Array.from(par.records[c].knotIndex[0])).toEqual(Array.from(seq.records[c].knotIndex[0]));
    }
    expect(Array.from(seq.records[0].logScore)).not.toEqual(Array.from(seq.records[1].logScore));
  }, 60_000);

  it('threads caps the workers: three chains on one or two threads give the sequential records', async () => {
    const { x, y } = knotCaseData(2, 120, 1);
    const opts = { iterations: 200, burnIn: 100, chains: 3, draws: 20, seed: 8, degree: 1, candidates: 240, backend: 'reference' as const };
    const seq = await fitKnots(x, y, { ...opts, parallel: false });
    for (const threads of [1, 2]) {
      const capped = await fitKnots(x, y, { ...opts, parallel: true, threads });
      for (let c = 0; c < 3; c++) expect(Array.from(capped.records[c].logScore)).toEqual(Array.from(seq.records[c].logScore));
    }
    await expect(fitKnots(x, y, { ...opts, threads: 0 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/threads/) });
  }, 60_000);

  it('reports progress up to 1 and stops with ABORTED on an aborted signal', async () => {
    const fr: number[] = [];
    await fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, { ...quick, kernels, onProgress: (f) => fr.push(f) });
    expect(fr.length).toBeGreaterThan(5);
    for (let i = 1; i < fr.length; i++) expect(fr[i]).toBeGreaterThanOrEqual(fr[i - 1]);
    expect(fr[fr.length - 1]).toBe(1);
    const ctl = new AbortController();
    ctl.abort();
    await expect(fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, { ...quick, kernels, signal: ctl.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    const ctl2 = new AbortController();
    const p = fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, { ...quick, iterations: 1e6, kernels, signal: ctl2.signal, onProgress: (f) => { if (f > 0.001) ctl2.abort(); } });
    await expect(p).rejects.toBeInstanceOf(SparseInferenceError);
  });

  for (const [name, extra] of [
    ['one in-thread chain', { chains: 1, parallel: false }],
    ['two in-thread chains', { chains: 2, parallel: false }],
    ['two worker chains', { chains: 2, parallel: true }],
  ] as const) {
    it(`${name}: an abort at 100 ms rejects within 250 ms, and the event loop keeps running`, async () => {
      const ctl = new AbortController();
      let abortedAt = 0;
      setTimeout(() => { abortedAt = performance.now(); ctl.abort(); }, 100);
      let ticks = 0;
      const timer = setInterval(() => { ticks++; }, 10);
      const err = await fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, { kernels, iterations: 60000, burnIn: 0, ...extra, signal: ctl.signal })
        .then(() => null, (e: unknown) => e);
      const lag = performance.now() - abortedAt;
      clearInterval(timer);
      expect(err).toMatchObject({ code: 'ABORTED' });
      expect(abortedAt).toBeGreaterThan(0);
      expect(lag).toBeLessThan(250);
      // The 10 ms timer ran while the chains sampled (a blocked event loop gives 0; under heavy
      // load the loop turns only every ~20 ms slice, so a few ticks, not ten).
      expect(ticks).toBeGreaterThanOrEqual(1);
    }, 20000);
  }
});

describe('fitKnots is equivariant in y and robust to its scale', () => {
  const { x, y } = knotCaseData(2, 150, 8);
  const settings = { ...quick, kernels, degree: 1, candidates: 100, seed: 3 };
  it('y ↦ a + b·y moves the curve to a + b·f and leaves the knots unchanged', async () => {
    const base = await fitKnots(x, y, settings);
    const probe = [0.1, 0.35, 0.62, 0.9];
    const f0 = base.predict(probe);
    for (const [a, b] of [[20, 1], [-5, 0.01], [3, 1e160], [0, 1e-300]]) {
      const fit = await fitKnots(x, y.map((v) => a + b * v), settings);
      expect(Array.from(fit.kPosterior())).toEqual(Array.from(base.kPosterior()));
      const f = fit.predict(probe);
      for (let i = 0; i < probe.length; i++) {
        expect(Number.isFinite(f[i])).toBe(true);
        expect(Math.abs(f[i] - (a + b * f0[i]))).toBeLessThan(1e-6 * (Math.abs(a) + Math.abs(b) * (1 + Math.abs(f0[i]))));
      }
      const band = fit.curve(probe);
      for (let i = 0; i < probe.length; i++) expect(band.upper[i] - band.lower[i]).toBeGreaterThan(0);
    }
  });
  it('a constant y is a clear error, not a chain that never moves', async () => {
    for (const v of [0, 3, 1e-300]) {
      await expect(fitKnots(x, y.map(() => v), settings)).rejects.toThrow(/y is (identically 0|constant)/);
    }
  });
});

describe('convergence is reported, and sizes are limited', () => {
  it('warns when a chain never moves (k = n: nothing can be relocated)', async () => {
    const { x, y } = knotCaseData(1, 100, 2);
    const fit = await fitKnots(x, y, { ...quick, kernels, degree: 1, k: 3, candidates: 3 });
    expect(fit.diagnostics.converged).toBe(false);
    expect(fit.diagnostics.acceptedPerChain).toEqual([0]);
    expect(fit.diagnostics.warnings.join('\n')).toMatch(/chain 1 never moved/);
    expect(fit.summary()).toMatchObject({ converged: false });
  });
  it("warns about split-R̂ and ESS of k when the authors' prior-free moves stall at γ = 2", async () => {
    const { x, y } = knotCaseData(3, 500, 1);
    const fit = await fitKnots(x, y, { kernels, degree: 1, candidates: 1000, gamma: 2, moves: 'prior-free', chains: 4, parallel: false, iterations: 1500, burnIn: 500, draws: 10 });
    expect(fit.diagnostics.converged).toBe(false);
    expect(fit.diagnostics.warnings.some((w) => /split-R̂ of k|ESS of k/.test(w))).toBe(true);
    expect(fit.timing.iterationsPerSecond).toBeGreaterThan(0);
  }, 60000);
  it('convergenceWarnings applies the 1.05 / 100 thresholds and ignores NaN', () => {
    const ok = { k: [{ rhat: 1.01, ess: 400 }], f: [{ point: [1], rhat: NaN, ess: NaN }], acceptedPerChain: [5, 7] };
    expect(convergenceWarnings(ok)).toEqual([]);
    expect(convergenceWarnings({ ...ok, k: [{ rhat: 1.06, ess: 400 }] })).toHaveLength(1);
    expect(convergenceWarnings({ ...ok, f: [{ point: [0.5], rhat: 1.0, ess: 99 }] })[0]).toMatch(/ESS of f\(0.5000\) is 99/);
  });
  it('rejects sizes that would exhaust memory or time, naming the argument', async () => {
    const { x, y } = knotCaseData(1, 60, 2);
    const fit = await fitKnots(x, y, { ...quick, kernels, degree: 1 });
    expectBadArgument(() => fit.knotDensity(0, 2 ** 31), 'bins');
    expectBadArgument(() => fit.knotSummary(0, 1e9), 'k');
    expectBadArgument(() => fit.predict(new Float64Array(1.1e6)), "points");
    await expect(fitKnots(x, y, { kernels, chains: 8, iterations: 5e6 })).rejects.toThrow(/chains × iterations/);
    await expect(fitKnots(x, y, { kernels, iterations: 2e7 })).rejects.toThrow(/iterations/);
  });
});

describe('MCMC diagnostics', () => {
  const ar1 = (phi: number, n: number, seed: number, shift = 0) => {
    const rng = new Rng(seed);
    const out = new Float64Array(n);
    let v = 0;
    for (let i = 0; i < n; i++) { v = phi * v + rng.normal(); out[i] = v + shift; }
    return out;
  };
  it('ESS of AR(1) chains is close to N(1−φ)/(1+φ)', () => {
    for (const phi of [0, 0.5, 0.9]) {
      const chains = [1, 2, 3, 4].map((s) => ar1(phi, 20000, s));
      const expected = (4 * 20000 * (1 - phi)) / (1 + phi);
      expect(Math.abs(effectiveSampleSize(chains) / expected - 1)).toBeLessThan(0.15);
      expect(Math.abs(splitRhat(chains) - 1)).toBeLessThan(0.01);
    }
  });
  it('split-R̂ flags chains stuck in different places and trends within a chain', () => {
    expect(splitRhat([ar1(0.5, 2000, 1), ar1(0.5, 2000, 2, 3)])).toBeGreaterThan(1.1);
    const trend = Float64Array.from({ length: 2000 }, (_, i) => i / 200 + Math.sin(i));
    expect(splitRhat([trend])).toBeGreaterThan(1.1);
    expect(Number.isNaN(splitRhat([new Float64Array(100).fill(3), new Float64Array(100).fill(3)]))).toBe(true);
  });
});

describe('CSV reading', () => {
  const bad = (text: string, pattern: RegExp, cols = ['x', 'y'], minRows = 1) => {
    let err: unknown = null;
    try { parseNumericCsv(text, 'data.csv', cols, minRows); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SparseInferenceError);
    expect((err as SparseInferenceError).code).toBe('BAD_FILE');
    expect((err as Error).message).toMatch(pattern);
  };
  it('reads quoted headers and numbers', () => {
    const t = parseNumericCsv('"x","y","note"\n1,2,a\n3,4e1,b\n', 'f.csv', ['y', 'x']);
    expect(Array.from(t.data.y)).toEqual([2, 40]);
    expect(t.rows).toBe(2);
  });
  it('names the file, row and column of every problem', () => {
    bad('', /data.csv: the file is empty/);
    bad('x,z\n1,2\n', /column 'y' not found \(columns: x, z\)/);
    bad('x,y\n1,2\n3,abc\n', /row 3, column 'y' is not a finite number: 'abc'/);
    bad('x,y\n1,NaN\n', /row 2, column 'y' is not a finite number/);
    bad('x,y\n1\n', /row 2, column 'y' is missing/);
    bad('x,y\n1,2\n', /needs at least 5 data rows, found 1/, ['x', 'y'], 5);
  });
});
