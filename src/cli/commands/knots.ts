/**
 * `sparse-inference knots`: Bayesian knot inference for spline regression (He, Yang & Kang,
 * arXiv 2405.13353). Sub-commands: `fit` a CSV, `denoise` points on a manifold, run an
 * `experiment` from the paper.
 */
import type { CliCommand, CliContext } from '../command.js';
import { CliUsageError, VOCABULARY, parseArgs } from '../args.js';
import { createProgressBar } from '../progress.js';
import { SparseInferenceError } from '../../core/errors.js';
import { fitKnots, type KnotFit } from '../../knots/fit-knots.js';
import { defaultMoveMix } from '../../knots/default-move-mix.js';
import { parseNumericCsv } from '../../knots/read-csv.js';
import { plotCurveFit, plotSurfaceFit } from '../../knots/plot-fit.js';
import { denoiseManifold } from '../../knots/manifold/denoise-manifold.js';
import { KNOT_EXPERIMENTS, findKnotExperiment, type ExperimentResult } from '../../knots/experiments/index.js';
import { writeSvg } from '../../plot/index.js';
import { KNOT_QUANTILE_LEVELS } from '../../knots/posterior-summary.js';

const USAGE = `Usage: sparse-inference knots <fit|denoise|experiment> [options]

Bayesian knot inference for (multivariate) spline regression: reversible-jump MCMC over knot
sets on a candidate grid, with the EBIC prior C(n,k)^(−γ) (He, Yang & Kang, arXiv 2405.13353).

  knots fit DATA.csv --x COL[,COL] --y COL [options]
      --family gaussian|poisson|binomial   response family (default gaussian)
      --degree q          spline degree (default 3; 1 for change points)
      --k K               fix the number of knots per coordinate (relocation only)
      --gamma g           prior exponent γ (default 1)
      --times t           candidate grid n = ⌊t·m⌋ (default 2), or
      --candidates n      a fixed grid size
      --iterations N      recorded iterations per chain (default 5000)
      --burn-in B         burn-in per chain (default 5000)
      --chains C          chains from different seeds, run in parallel (default 2)
      --threads N         run at most N chains at once on worker threads (default: one per chain)
      --seed s            random seed (default 1)
      --moves balanced|prior-free   birth/death scheme (default balanced; prior-free: the authors')
      --temperatures 1,T1,...       parallel tempering over these temperatures (default 1: off)
      --neighbour-moves P births/deaths that also redraw the neighbouring knots, with probability P
                          per iteration (default off; about 4.6x the time per iteration at P = 0.05)
      --mode-jumps P      mode jumps (k ± 1 with the other knots carried to the best state of that
                          k seen in burn-in) with probability P per iteration (default 0.2 at γ ≤ 1,
                          rising to 0.3 at γ ≥ 2; 0: off)
      --mode-jump-radius R  how far (grid steps) a knot may sit from its remembered state for a
                          mode jump (default max(1, round(0.06·n)): 60 at n = 1000)
                          Twin moves (0.05), --neighbour-moves and --mode-jumps take their shares of
                          each iteration first (sum below 1); births, deaths and relocations share the rest.
      --start random|greedy         chain start (default random; greedy: stepwise search first)
      --predict X,X,...   posterior mean and 95% bands at these x (2-D: A:B,A:B,...)
      --out FILE.svg|DIR  plot: data, posterior mean, 95% band and knot density (2-D: heat map);
                          a directory (existing, or a path not ending in .svg) gets knots-fit-Y.svg
      --json              print the summary as JSON (with convergence fields and timing)
      Convergence warnings (split-R̂ > 1.05, ESS < 100, a chain that never moved) go to stderr,
      and the knot summary of an unconverged fit is marked UNCONVERGED.
  knots denoise POINTS.csv --dim 1|2 [--embedding pca|isomap] [--neighbors k] [--graph symmetric|mutual] [--cols A,B,...]
                          [--iterations N] [--burn-in B] [--seed s] [--out FILE.csv] [--json]
      Embed, fit each coordinate as a spline of the embedding, project onto the fitted manifold.
  knots experiment NAME [--replicates R] [--quick] [--seed s] [--data FILE] [--json]
      Reproduce a table of the paper. NAME: ${KNOT_EXPERIMENTS.map((e) => e.name).join(', ')}

Options common to all: --backend auto|reference|wasm, -h/--help.
`;

async function readFileText(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

const fmt = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '—');

/** The text summary printed by `knots fit`. */
export function formatFitSummary(fit: KnotFit, names: string[]): string {
  const lines: string[] = [];
  const converged = fit.diagnostics.converged;
  lines.push(`m = ${fit.m}, family ${fit.family}, degrees ${fit.problem.degrees.join(',')}, candidates ${fit.candidates.join(',')}, γ = ${fit.problem.gamma}`);
  lines.push(`${fit.records.length} chain(s) × ${fit.records[0].iterations} iterations after ${fit.problem.burnIn} burn-in; acceptance ${fmt(fit.diagnostics.acceptance)}`);
  const { seconds, iterationsPerSecond } = fit.timing;
  if (Number.isFinite(seconds)) lines.push(`sampling: ${seconds.toFixed(2)} s wall, ${Math.round(iterationsPerSecond).toLocaleString('en-US')} it/s (all chains, burn-in included)`);
  if (!converged) lines.push(`UNCONVERGED: ${fit.diagnostics.warnings.length} convergence warning(s) (see stderr); do not trust the summary below`);
  for (let j = 0; j < fit.d; j++) {
    const pk = fit.kPosterior(j);
    const shown = Array.from(pk).map((p, k) => [k, p] as const).filter(([, p]) => p >= 0.01);
    lines.push(`${names[j]}: posterior of k: ${shown.map(([k, p]) => `${k}:${p.toFixed(3)}`).join('  ')}`);
    const s = fit.knotSummary(j);
    const mark = converged ? '' : ' [UNCONVERGED]';
    lines.push(`  knots${mark} (k = ${s.k}, ${s.iterations} iterations): mean ${Array.from(s.mean, (v) => v.toPrecision(5)).join(', ')}`);
    KNOT_QUANTILE_LEVELS.forEach((lv, l) => {
      if (lv === 0.025 || lv === 0.975) lines.push(`    ${(lv * 100).toFixed(1)}%: ${Array.from(s.quantiles[l], (v) => v.toPrecision(5)).join(', ')}`);
    });
    const dk = fit.diagnostics.k[j];
    lines.push(`  k: split-R̂ ${fmt(dk.rhat)}, ESS ${fmt(dk.ess, 0)}`);
  }
  for (const f of fit.diagnostics.f) lines.push(`f(${f.point.map((v) => v.toPrecision(4)).join(', ')}): split-R̂ ${fmt(f.rhat)}, ESS ${fmt(f.ess, 0)}`);
  return lines.join('\n') + '\n';
}

/** The fit quality line: residual SD and R² of the posterior mean at the data. */
function fitQuality(fit: KnotFit, xs: Float64Array[], y: Float64Array): string {
  const pred = fit.predict(xs.length === 1 ? xs[0] : xs);
  let rss = 0, mean = 0, tss = 0;
  for (let i = 0; i < y.length; i++) mean += y[i] / y.length;
  for (let i = 0; i < y.length; i++) { rss += (y[i] - pred[i]) ** 2; tss += (y[i] - mean) ** 2; }
  return `fit: residual SD ${fmt(Math.sqrt(rss / y.length), 4)}, R² ${fmt(1 - rss / tss, 4)}\n`;
}

const backendOpt = { type: 'string', choices: ['auto', 'reference', 'wasm'], default: 'auto' } as const;

async function runFit(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs(args, {
    options: {
      x: { type: 'string' }, y: { type: 'string' },
      family: { type: 'string', choices: ['gaussian', 'poisson', 'binomial'], default: 'gaussian' },
      degree: { type: 'number', integer: true, min: 0, max: 5, default: 3 },
      k: { type: 'number', integer: true, min: 0 },
      gamma: { type: 'number', min: 0, default: 1 },
      times: { type: 'number', min: 0 },
      candidates: { type: 'number', integer: true, min: 1 },
      iterations: { type: 'number', integer: true, min: 1, default: 5000 },
      'burn-in': { type: 'number', integer: true, min: 0, default: 5000 },
      chains: { type: 'number', integer: true, min: 1, max: 64, default: 2 },
      // The shared --threads, without its default of 1: unset, every chain gets its own thread.
      threads: { ...VOCABULARY.threads.threads, default: undefined },
      seed: { type: 'number', integer: true, min: 0, default: 1 },
      moves: { type: 'string', choices: ['balanced', 'prior-free'], default: 'balanced' },
      predict: { type: 'string' }, temperatures: { type: 'string' },
      'neighbour-moves': { type: 'number', min: 0, max: 0.95 },
      'mode-jumps': { type: 'number', min: 0, max: 0.95 },
      'mode-jump-radius': { type: 'number', integer: true, min: 0 },
      start: { type: 'string', choices: ['random', 'greedy'], default: 'random' },
      ...VOCABULARY.out, plot: { type: 'renamed', to: 'out' }, json: { type: 'boolean' }, backend: backendOpt,
    },
    positionals: { min: 1, max: 1 },
  });
  if (values.x === undefined) throw new CliUsageError('--x COL[,COL] is required');
  if (values.y === undefined) throw new CliUsageError('--y COL is required');
  if (values.times !== undefined && values.candidates !== undefined) throw new CliUsageError('give --times or --candidates, not both');
  const xNames = values.x.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (xNames.length === 0 || xNames.length > 3) throw new CliUsageError('--x takes 1 to 3 column names');
  const predictAt = values.predict === undefined ? null : parsePredictPoints(values.predict, xNames.length);
  const temperatures = values.temperatures?.split(',').map((v) => {
    const t = Number(v.trim());
    if (v.trim() === '' || !Number.isFinite(t)) throw new CliUsageError(`--temperatures takes comma-separated numbers, got '${v}'`);
    return t;
  });
  const neighbourMoves = values['neighbour-moves'] ?? 0;
  const mix = defaultMoveMix(values.gamma);
  const modeJumps = values['mode-jumps'] ?? mix.modeJumps;
  if (modeJumps === 0 && values['mode-jump-radius'] !== undefined) throw new CliUsageError('--mode-jump-radius needs mode jumps on (--mode-jumps > 0)');
  if (values.k === undefined && mix.twinMoves + neighbourMoves + modeJumps >= 1) {
    const excess = +(mix.twinMoves + neighbourMoves + modeJumps - 1).toFixed(6);
    throw new CliUsageError(`twin moves (${mix.twinMoves}) + --neighbour-moves ${neighbourMoves} + --mode-jumps ${modeJumps} must sum below 1: `
      + `each iteration makes one move, these take their shares first and births, deaths and relocations share the rest; lower --neighbour-moves or --mode-jumps by more than ${excess}`);
  }
  const path = positionals[0];
  const table = parseNumericCsv(await readFileText(path), path, [...xNames, values.y], 5);
  const xs = xNames.map((n) => table.data[n]);
  const y = table.data[values.y];
  const bar = createProgressBar(ctx, 'knots fit');
  let fit: KnotFit;
  try {
    fit = await fitKnots(xs.length === 1 ? xs[0] : xs, y, {
      family: values.family as 'gaussian' | 'poisson' | 'binomial', degree: values.degree, k: values.k, gamma: values.gamma,
      times: values.times, candidates: values.candidates, iterations: values.iterations, burnIn: values['burn-in'],
      chains: values.chains, threads: values.threads, seed: values.seed, backend: values.backend as 'auto' | 'reference' | 'wasm',
      moves: values.moves as 'balanced' | 'prior-free', temperatures,
      neighbourMoves: neighbourMoves === 0 ? false : { probability: neighbourMoves },
      modeJumps: modeJumps === 0 ? false : { probability: modeJumps, ...(values['mode-jump-radius'] === undefined ? {} : { radius: values['mode-jump-radius'] }) },
      start: values.start as 'random' | 'greedy',
      onProgress: (f) => bar(f), signal: ctx.signal,
    });
  } finally {
    bar.done();
  }
  let plotPath: string | null = null;
  if (values.out !== undefined) {
    const svg = xs.length === 1 ? plotCurveFit(fit, xs[0], y, { xLabel: xNames[0], yLabel: values.y })
      : xs.length === 2 ? plotSurfaceFit(fit, xs[0], xs[1], { xLabel: xNames[0], yLabel: xNames[1] }) : null;
    if (svg === null) throw new CliUsageError('--out (the plot) supports one or two x columns');
    plotPath = await writePlot(values.out, `knots-fit-${values.y}.svg`, svg);
  }
  for (const w of fit.diagnostics.warnings) ctx.stderr(`warning: ${w}\n`);
  const predictions = predictAt === null ? null : predictTable(fit, predictAt);
  if (values.json) {
    ctx.stdout(JSON.stringify({ file: path, x: xNames, y: values.y, ...fit.summary(), predictions, plot: plotPath }, null, 2) + '\n');
  } else {
    ctx.stdout(formatFitSummary(fit, xNames) + fitQuality(fit, xs, y));
    if (predictions !== null) {
      for (const p of predictions) {
        ctx.stdout(`predict ${p.x.join(', ')}: mean ${p.mean.toPrecision(5)}, 95% credible [${p.lower.toPrecision(5)}, ${p.upper.toPrecision(5)}], predictive [${p.predLower.toPrecision(5)}, ${p.predUpper.toPrecision(5)}]\n`);
      }
    }
    if (plotPath !== null) ctx.stdout(`plot written to ${plotPath}\n`);
  }
  return 0;
}

/** `--predict 1,2.5,3` (d = 1) or `--predict 0.1:0.2,0.5:0.5` (d = 2): one array per point. */
function parsePredictPoints(text: string, d: number): number[][] {
  const points = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (points.length === 0 || points.length > 10000) throw new CliUsageError('--predict takes 1 to 10000 comma-separated points');
  return points.map((p) => {
    const v = p.split(':').map((s) => Number(s));
    if (v.length !== d || v.some((u) => !Number.isFinite(u)) || p.split(':').some((s) => s.trim() === '')) {
      throw new CliUsageError(`--predict point '${p}' must be ${d === 1 ? 'a number' : `${d} numbers joined by ':'`}`);
    }
    return v;
  });
}

function predictTable(fit: KnotFit, points: number[][]) {
  const cols = points[0].map((_, j) => points.map((p) => p[j]));
  const c = fit.curve(cols.length === 1 ? cols[0] : cols);
  return points.map((x, i) => ({
    x, mean: c.mean[i], lower: c.lower[i], upper: c.upper[i], predLower: c.predLower[i], predUpper: c.predUpper[i],
  }));
}

/**
 * Write the plot to `target`: a file when it ends in .svg, otherwise a directory (created if
 * missing) that receives `fileName`. File-system failures become BAD_FILE errors naming the path.
 */
async function writePlot(target: string, fileName: string, svg: string): Promise<string> {
  const { stat } = await import('node:fs/promises');
  const { join } = await import('node:path');
  let isDir = false;
  try { isDir = (await stat(target)).isDirectory(); } catch { isDir = false; }
  const file = isDir || !/\.svg$/i.test(target) ? join(target, fileName) : target;
  try {
    await writeSvg(file, svg);
  } catch (e) {
    if (e instanceof SparseInferenceError) throw e;
    throw new SparseInferenceError('BAD_FILE', `cannot write the plot to ${file}: ${(e as Error).message}`, { cause: e });
  }
  return file;
}

async function runDenoise(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs(args, {
    options: {
      dim: { type: 'number', integer: true, min: 1, max: 2 },
      embedding: { type: 'string', choices: ['pca', 'isomap'], default: 'isomap' },
      neighbors: { type: 'number', integer: true, min: 1, default: 7 },
      graph: { type: 'string', choices: ['symmetric', 'mutual'], default: 'symmetric' },
      cols: { type: 'string' },
      iterations: { type: 'number', integer: true, min: 1, default: 3000 },
      'burn-in': { type: 'number', integer: true, min: 0, default: 3000 },
      seed: { type: 'number', integer: true, min: 0, default: 1 },
      out: { type: 'string' }, json: { type: 'boolean' }, backend: backendOpt,
    },
    positionals: { min: 1, max: 1 },
  });
  if (values.dim === undefined) throw new CliUsageError('--dim 1|2 is required');
  const path = positionals[0];
  const cols = values.cols?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const table = parseNumericCsv(await readFileText(path), path, cols, 10);
  const D = table.columns.length;
  if (D < values.dim) throw new CliUsageError(`--dim ${values.dim} needs at least ${values.dim} columns, the file has ${D}`);
  const n = table.rows;
  const pts = new Float64Array(n * D);
  table.columns.forEach((c, a) => { for (let i = 0; i < n; i++) pts[i * D + a] = table.data[c][i]; });
  const bar = createProgressBar(ctx, 'knots denoise');
  let res;
  try {
    res = await denoiseManifold(pts, D, {
      dim: values.dim as 1 | 2, embedding: values.embedding as 'pca' | 'isomap', neighbors: values.neighbors,
      graph: values.graph as 'symmetric' | 'mutual',
      iterations: values.iterations, burnIn: values['burn-in'], chains: 1, parallel: false, seed: values.seed,
      backend: values.backend as 'auto' | 'reference' | 'wasm', signal: ctx.signal, onProgress: (f) => bar(f),
    });
  } finally {
    bar.done();
  }
  const csv = [table.columns.join(','), ...Array.from({ length: n }, (_, i) => Array.from({ length: D }, (_, a) => res.denoised[i * D + a]).join(','))].join('\n') + '\n';
  let moved = 0;
  for (let i = 0; i < n * D; i++) moved += (pts[i] - res.denoised[i]) ** 2;
  if (values.out !== undefined) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(values.out, csv);
  }
  if (values.json) {
    ctx.stdout(JSON.stringify({ file: path, columns: table.columns, n, dim: values.dim, embedding: values.embedding, meanSquaredShift: moved / n,
      denoised: values.out === undefined ? Array.from({ length: n }, (_, i) => Array.from(res.denoised.subarray(i * D, i * D + D))) : values.out }) + '\n');
  } else if (values.out !== undefined) {
    ctx.stdout(`denoised ${n} points (${D}-D, intrinsic dimension ${values.dim}); mean squared shift ${fmt(moved / n, 5)}; written to ${values.out}\n`);
  } else {
    ctx.stdout(csv);
  }
  return 0;
}

/** Render an experiment result as an aligned text table. */
export function formatExperiment(r: ExperimentResult): string {
  const cells = [r.headers, ...r.rows.map((row) => row.map(String))];
  const widths = r.headers.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) => row.map((v, c) => v.padEnd(widths[c])).join('  ').trimEnd();
  return [r.title, line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line),
    `settings: ${JSON.stringify(r.settings)}`, ...r.notes.map((n) => `note: ${n}`)].join('\n') + '\n';
}

async function runExperiment(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs(args, {
    options: {
      replicates: { type: 'number', integer: true, min: 1 }, quick: { type: 'boolean' },
      seed: { type: 'number', integer: true, min: 0 }, data: { type: 'string' }, json: { type: 'boolean' }, backend: backendOpt,
    },
    positionals: { min: 1, max: 1 },
  });
  const exp = findKnotExperiment(positionals[0]);
  if (exp === undefined) throw new CliUsageError(`unknown experiment '${positionals[0]}' (experiments: ${KNOT_EXPERIMENTS.map((e) => e.name).join(', ')})`);
  const { createKernels } = await import('../../backends/create-kernels.js');
  const kernels = await createKernels({ backend: values.backend as 'auto' | 'reference' | 'wasm' });
  const bar = createProgressBar(ctx, `knots ${exp.name}`);
  const t0 = Date.now();
  let r: ExperimentResult;
  try {
    r = await exp.run({ replicates: values.replicates, quick: values.quick, seed: values.seed, dataPath: values.data, kernels, signal: ctx.signal, onProgress: (f, l) => bar(f, l) });
  } finally {
    bar.done();
  }
  const seconds = (Date.now() - t0) / 1000;
  if (values.json) ctx.stdout(JSON.stringify({ ...r, seconds }, null, 2) + '\n');
  else ctx.stdout(formatExperiment(r) + `time: ${seconds.toFixed(1)} s\n`);
  return 0;
}

export const knotsCommand: CliCommand = {
  name: 'knots',
  summary: 'Bayesian spline knot inference: fit a CSV, denoise a manifold, run paper experiments',
  usage: USAGE,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'fit': return runFit(rest, ctx);
      case 'denoise': return runDenoise(rest, ctx);
      case 'experiment': return runExperiment(rest, ctx);
      case undefined: throw new CliUsageError('knots needs a sub-command: fit, denoise or experiment (see knots --help)');
      default: throw new CliUsageError(`unknown knots sub-command '${sub}' (fit, denoise, experiment)`);
    }
  },
};
