/**
 * Real-data experiments: `triceps` (He, Yang & Kang, arXiv 2405.13353, §5: fixed k = 2, linear
 * spline on age vs lntriceps; paper: knots 9.89 [8.54, 11.42] and 19.66 [17.95, 21.97]) and
 * `mcycle` (a free-k cubic fit of the motorcycle data).
 */
import { SparseInferenceError } from '../../core/errors.js';
import { MCYCLE_ACCEL, MCYCLE_TIMES } from '../data/mcycle.js';
import { fitKnots } from '../fit-knots.js';
import { parseNumericCsv } from '../read-csv.js';
import type { Experiment, ExperimentOptions } from './experiment-types.js';
import { importNodeBuiltin } from '../../core/node-builtin.js';

async function readText(path: string): Promise<string> {
  const { readFile } = await importNodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

export const tricepsExperiment: Experiment = {
  name: 'triceps',
  summary: 'two change points in triceps skinfold vs age (fixed k = 2, linear spline); needs triceps.csv',
  async run(opts: ExperimentOptions) {
    const path = opts.dataPath ?? '../shared/data/triceps.csv';
    const table = parseNumericCsv(await readText(path), path, ['age', 'lntriceps'], 10);
    const quick = opts.quick ?? false;
    const burnIn = quick ? 1000 : 5000, iterations = quick ? 1000 : 5000;
    const fit = await fitKnots(table.data.age, table.data.lntriceps, {
      degree: 1, k: 2, candidates: 1000, burnIn, iterations, chains: 2, seed: opts.seed ?? 1, parallel: false, draws: 1,
      kernels: opts.kernels, signal: opts.signal, onProgress: opts.onProgress,
    });
    const s = fit.knotSummary();
    const paper = [[9.89, 8.54, 11.42], [19.66, 17.95, 21.97]];
    const rows = [0, 1].map((a) => [`knot ${a + 1}`, s.mean[a].toFixed(2), `[${s.quantiles[0][a].toFixed(2)}, ${s.quantiles[6][a].toFixed(2)}]`,
      paper[a][0], `[${paper[a][1]}, ${paper[a][2]}]`]);
    return {
      name: 'triceps', title: `Triceps skinfold (m = ${table.rows}): knots with k = 2`,
      headers: ['knot', 'mean ours', '95% ours', 'paper', '95% paper'], rows,
      settings: { m: table.rows, burnIn, iterations, chains: 2, candidates: 1000, degree: 1, rhat: fit.diagnostics.f.map((f) => f.rhat) },
      notes: [],
    };
  },
};

export const mcycleExperiment: Experiment = {
  name: 'mcycle',
  summary: 'free-k cubic fit of the motorcycle data (posterior of k, knot summary, R̂)',
  async run(opts: ExperimentOptions) {
    const quick = opts.quick ?? false;
    const fit = await fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, {
      burnIn: quick ? 1000 : 5000, iterations: quick ? 1000 : 5000, chains: 2, seed: opts.seed ?? 1, parallel: false,
      kernels: opts.kernels, signal: opts.signal, onProgress: opts.onProgress,
    });
    const pk = fit.kPosterior();
    const s = fit.knotSummary();
    const rows: (string | number)[][] = [];
    pk.forEach((p, k) => { if (p >= 0.005) rows.push([`P(k = ${k})`, p.toFixed(3)]); });
    rows.push([`knots at modal k = ${s.k}`, Array.from(s.mean, (v) => v.toFixed(1)).join(', ')]);
    rows.push(['split-R̂ of k', fit.diagnostics.k[0].rhat.toFixed(3)]);
    rows.push(['ESS of k', fit.diagnostics.k[0].ess.toFixed(0)]);
    return {
      name: 'mcycle', title: 'Motorcycle data (133 rows), cubic, γ = 1', headers: ['quantity', 'value'], rows,
      settings: { chains: 2 }, notes: [],
    };
  },
};
