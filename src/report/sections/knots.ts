/**
 * Report section "Bayesian knot inference": the motorcycle data fitted with free knots
 * (posterior mean, 95% credible and predictive bands, posterior of k, knot density) and the
 * paper's jump curve (a natural spline with a quadruple knot at 0.4) recovered from noisy data.
 */
import type { SectionBuilder } from '../section.js';
import { barChart, htmlTable, lineChart } from '../../plot/index.js';
import { throwIfAborted } from '../../core/errors.js';
import { fitKnots } from '../../knots/fit-knots.js';
import { MCYCLE_ACCEL, MCYCLE_TIMES } from '../../knots/data/mcycle.js';
import { plotCurveFit } from '../../knots/plot-fit.js';
import { curveData, curveTruth, trimmedMse } from '../../knots/generators/curves.js';

export const knotsSection: SectionBuilder = async (ctx) => {
  throwIfAborted(ctx.signal, 'knots section');
  const iters = ctx.quick ? 2000 : 5000;
  const mc = await fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, {
    burnIn: iters, iterations: iters, chains: 2, seed: ctx.seed ?? 1, parallel: false, kernels: ctx.kernels, signal: ctx.signal,
    draws: ctx.quick ? 200 : 1000, onProgress: (f) => ctx.onProgress?.(0.5 * f, 'mcycle'),
  });
  const pk = mc.kPosterior();
  const kBars = Array.from(pk).map((p, k) => ({ label: String(k), value: p })).filter((b) => b.value >= 0.002);
  const mcSvg = plotCurveFit(mc, MCYCLE_TIMES, MCYCLE_ACCEL, { title: 'mcycle: acceleration vs time', xLabel: 'time (ms)', yLabel: 'acceleration (g)' });
  const kSvg = barChart({ title: 'mcycle: posterior of the number of knots', xLabel: 'number of knots k', yLabel: 'posterior probability', bars: kBars, width: 480, height: 300 });

  const m = 500; // the paper's sample size, so the MSE compares with its table
  const PAPER_MSE = 0.361;
  const jump = curveData('jump', m, 200, 4);
  const jf = await fitKnots(jump.x, jump.y, {
    burnIn: iters, iterations: iters, chains: 2, seed: (ctx.seed ?? 1) + 1, parallel: false, kernels: ctx.kernels, signal: ctx.signal,
    draws: ctx.quick ? 300 : 500, onProgress: (f) => ctx.onProgress?.(0.5 + 0.5 * f, 'jump curve'),
  });
  const grid = Float64Array.from({ length: 400 }, (_, i) => i / 399);
  const jc = jf.curve(grid);
  const jumpSvg = lineChart({
    title: `Jump curve (m = ${m}, σ = 4): truth, posterior mean and 95% band`, xLabel: 'x (dimensionless)', yLabel: 'f(x)', width: 720, height: 420,
    series: [
      { name: 'data', x: jump.x, y: jump.y, kind: 'points', color: '#bbbbbb' },
      { name: 'truth', x: grid, y: curveTruth('jump', grid), color: '#222222', dashed: true },
      { name: 'posterior mean', x: grid, y: jc.mean, color: '#1f77b4' },
    ],
    bands: [{ name: '95% credible', x: grid, lo: jc.lower, hi: jc.upper, color: 'rgba(31,119,180,0.3)' }],
    vlines: [{ x: 0.4, label: 'jump' }, { x: 0.7, label: 'knot' }],
  });
  const jumpMse = trimmedMse(jf.predict(jump.xTest), jump.fTest);
  const dens = jf.knotDensity(0, 200);
  let peak = 0;
  for (let b = 1; b < dens.density.length; b++) if (dens.density[b] > dens.density[peak]) peak = b;
  ctx.onProgress?.(1, 'done');

  const d = mc.diagnostics;
  const table = htmlTable(['data', 'modal k', 'P(modal k)', 'split-R̂ of k', 'ESS of k', 'acceptance'], [
    ['mcycle (m = 133)', mc.kMode(), pk[mc.kMode()].toFixed(3), d.k[0].rhat.toFixed(3), d.k[0].ess.toFixed(0), d.acceptance.toFixed(3)],
    [`jump curve (m = ${m})`, jf.kMode(), jf.kPosterior()[jf.kMode()].toFixed(3), jf.diagnostics.k[0].rhat.toFixed(3), jf.diagnostics.k[0].ess.toFixed(0), jf.diagnostics.acceptance.toFixed(3)],
  ]);
  const html = `<p>Reversible-jump MCMC over knot sets on a grid of ⌊2m⌋ candidates with the EBIC prior
C(n,k)<sup>−γ</sup>, γ = 1, and the g-prior marginal likelihood (He, Yang &amp; Kang, arXiv 2405.13353).
Two chains per data set, ${iters} burn-in + ${iters} recorded iterations each; curves from β draws of recorded states.</p>
${mcSvg}
${kSvg}
${jumpSvg}
<p>Jump curve: trimmed test MSE ${jumpMse.toFixed(3)} (paper, γ = 1: ${PAPER_MSE} at m = 500); the knot density peaks at
x = ${dens.x[peak].toFixed(3)} (true jump at 0.4).</p>
${table}`;
  const rhat = Math.max(d.k[0].rhat, jf.diagnostics.k[0].rhat);
  const ratio = jumpMse / PAPER_MSE;
  const conclusion = `Free-knot inference finds the structure of both curves: on mcycle the posterior puts ${pk[mc.kMode()].toFixed(2)} on
k = ${mc.kMode()} knots (split-R̂ of k ${d.k[0].rhat.toFixed(2)}), and on the jump curve the expected-knots density peaks at
x = ${dens.x[peak].toFixed(3)}, next to the true jump at 0.4. The jump curve's trimmed test MSE is ${jumpMse.toFixed(3)} against the paper's
${PAPER_MSE} (γ = 1, m = 500)${ratio > 1.15
    ? ` — <strong>worse by ${((ratio - 1) * 100).toFixed(0)}% in this run</strong>: ${ctx.quick ? `the quiet default's chains (${iters} + ${iters} iterations)` : 'two chains'}
explore fewer knot sets around the jump than the paper's runs, and one simulated data set varies where the paper averages 100
replicates${ctx.quick ? '; <code>demo --full</code> runs 5000 + 5000' : ''}.`
    : ratio < 0.85 ? ' — better than the paper on this one data set (the paper averages 100 replicates).' : ' — in line with the paper.'}`
    + (rhat > 1.05 ? ` Split-R̂ up to ${rhat.toFixed(2)}: the chains have not fully mixed; treat the k posterior as rough.` : '');
  return {
    id: 'knots', title: 'Bayesian knot inference (splines)', html, conclusion,
    settings: `2 chains × (${iters} burn-in + ${iters} recorded iterations) per data set, seeds ${ctx.seed ?? 1} and ${(ctx.seed ?? 1) + 1}; jump curve m = ${m}, σ = 4; `
      + `${ctx.quick ? '200/300' : '1000/500'} posterior curve draws${ctx.quick ? ' (quiet default; demo --full: 5000 + 5000)' : ' (--full)'}`,
    summary: `knots: mcycle modal k = ${mc.kMode()} (P = ${pk[mc.kMode()].toFixed(2)}, R̂ ${d.k[0].rhat.toFixed(2)}); jump curve trimmed MSE ${jumpMse.toFixed(3)}, knot density peak at ${dens.x[peak].toFixed(3)}`,
  };
};
