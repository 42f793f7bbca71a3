/**
 * Posterior of the number of knots (He, Yang & Kang, arXiv 2405.13353, §5): linear splines,
 * n = 1000 candidates, k inferred, γ ∈ {1, 1.5, 2}, m ∈ {200, 500}; reported: the posterior
 * probability of the true k (averaged over replicates) and how often the posterior mode is right.
 */
import { fitKnots } from '../fit-knots.js';
import { KNOT_CASES, knotCaseData } from '../generators/knot-cases.js';
import { meanSd, type Experiment, type ExperimentOptions } from './experiment-types.js';

export const knotCountExperiment: Experiment = {
  name: 'knot-count',
  summary: 'posterior of k on the linear-spline truths for γ = 1, 1.5, 2 and m = 200, 500',
  async run(opts: ExperimentOptions) {
    const quick = opts.quick ?? false;
    const replicates = opts.replicates ?? (quick ? 1 : 10);
    const burnIn = quick ? 1000 : 5000, iterations = quick ? 1000 : 5000;
    const seed = opts.seed ?? 5;
    const gammas = [1, 1.5, 2], ms = quick ? [200] : [200, 500];
    const rows: (string | number)[][] = [];
    let done = 0;
    const total = 3 * gammas.length * ms.length * replicates;
    for (const id of [1, 2, 3] as const) {
      // The double knot of case 3 counts as two knots (two neighbouring grid points).
      const trueK = KNOT_CASES[id].knots.length;
      for (const m of ms) {
        for (const gamma of gammas) {
          const pTrue: number[] = [];
          let modeRight = 0;
          for (let r = 0; r < replicates; r++) {
            const data = knotCaseData(id, m, seed + 1000 * id + r);
            const fit = await fitKnots(data.x, data.y, {
              degree: 1, gamma, candidates: 1000, burnIn, iterations, chains: 1, seed: seed + r, parallel: false, draws: 1,
              kernels: opts.kernels, signal: opts.signal,
            });
            const pk = fit.kPosterior();
            pTrue.push(pk[trueK] ?? 0);
            if (fit.kMode() === trueK) modeRight++;
            opts.onProgress?.(++done / total, `case ${id} m=${m} γ=${gamma}`);
          }
          rows.push([`case ${id}`, trueK, m, gamma, meanSd(pTrue).mean.toFixed(3), `${modeRight}/${replicates}`]);
        }
      }
    }
    return {
      name: 'knot-count', title: 'Posterior of the number of knots (linear splines, n = 1000)',
      headers: ['truth', 'true k', 'm', 'γ', 'mean P(k = true k)', 'mode = true k'], rows,
      settings: { replicates, burnIn, iterations, candidates: 1000, degree: 1 },
      notes: ['The paper shows these posteriors as bar charts for single data sets (no table to compare numerically).'],
    };
  },
};
