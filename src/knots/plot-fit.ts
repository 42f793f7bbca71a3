/**
 * SVG figures of a knot fit (no DOM): for one input, the data, posterior mean curve, 95%
 * credible band and predictive band above the posterior density of knot locations; for two
 * inputs, a heat map of the posterior mean surface with the data locations.
 */
import { badArgument } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { describe } from '../core/validate.js';
import { heatMap, stackCharts } from '../plot/index.js';
import { checkText, checkValues } from '../plot/check.js';
import { KnotFit } from './fit-knots.js';

/** Stack SVG documents vertically in one SVG. */
export function stackSvgs(svgs: string[], width: number, heights: number[]): string {
  let y = 0;
  const parts = svgs.map((s, i) => {
    const placed = s.replace('<svg', `<svg x="0" y="${y}"`);
    y += heights[i];
    return placed;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}">${parts.join('')}</svg>`;
}

export interface FitPlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
}

const FIT_PLOT_KEYS = ['title', 'xLabel', 'yLabel', 'width'] as const;

/** The shared checks: a KnotFit of d inputs, two equally long data arrays, known options. */
function checkPlotArguments(fit: unknown, d: number, a: [string, unknown], b: [string, unknown], options: unknown): FitPlotOptions {
  if (!(fit instanceof KnotFit)) throw badArgument(`fit must be a KnotFit (from fitKnots), got ${describe(fit)}`);
  if (fit.d !== d) throw badArgument(`fit must have ${d} input${d === 1 ? '' : 's'} for this plot, got ${fit.d}`);
  const n = checkValues(a[0], a[1]).length;
  checkValues(b[0], b[1], { length: n });
  const o = checkOptions<FitPlotOptions>('plot options', options as FitPlotOptions, FIT_PLOT_KEYS);
  checkText('title', o.title); checkText('xLabel', o.xLabel); checkText('yLabel', o.yLabel);
  return o;
}

/** Figure for a 1-D fit: x, y are the data on the original scale. */
export function plotCurveFit(fit: KnotFit, x: ArrayLike<number>, y: ArrayLike<number>, opts: FitPlotOptions = {}): string {
  opts = checkPlotArguments(fit, 1, ['x', x], ['y', y], opts);
  const width = opts.width ?? 720;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) { lo = Math.min(lo, x[i]); hi = Math.max(hi, x[i]); }
  const grid = Float64Array.from({ length: 300 }, (_, i) => lo + ((hi - lo) * i) / 299);
  const c = fit.curve(grid);
  const xUnit = /\(([^)]+)\)\s*$/.exec(opts.xLabel ?? '')?.[1] ?? 'unit x';
  const dens = fit.knotDensity(0, 100);
  // Stacked with the same x domain and margins, so a knot lines up with the curve above it.
  return stackCharts([{
    title: opts.title ?? 'Posterior mean with 95% credible and predictive bands', xLabel: opts.xLabel ?? 'x', yLabel: opts.yLabel ?? 'y',
    width, height: 420,
    series: [
      { name: 'data', x, y, kind: 'points', color: '#888888' },
      { name: 'posterior mean', x: grid, y: c.mean, color: '#1f77b4' },
    ],
    bands: [
      { name: '95% predictive', x: grid, lo: c.predLower, hi: c.predUpper, color: 'rgba(255,127,14,0.15)' },
      { name: '95% credible', x: grid, lo: c.lower, hi: c.upper, color: 'rgba(31,119,180,0.3)' },
    ],
  }, {
    title: `Knot density: expected number of knots per ${xUnit} (integrates to E[k])`, xLabel: opts.xLabel ?? 'x',
    yLabel: `expected knots per ${xUnit}`, height: 220,
    series: [{ name: 'knot density', x: dens.x, y: dens.density, kind: 'step', color: '#d62728' }],
    xDomain: [lo, hi],
  }], { width });
}

/** Heat map of the posterior mean surface for a 2-D fit (x1, x2 data on the original scale). */
export function plotSurfaceFit(fit: KnotFit, x1: ArrayLike<number>, x2: ArrayLike<number>, opts: FitPlotOptions = {}): string {
  opts = checkPlotArguments(fit, 2, ['x1', x1], ['x2', x2], opts);
  const S = 50;
  const range = (v: ArrayLike<number>) => { let a = Infinity, b = -Infinity; for (let i = 0; i < v.length; i++) { a = Math.min(a, v[i]); b = Math.max(b, v[i]); } return [a, b]; };
  const [a1, b1] = range(x1), [a2, b2] = range(x2);
  const gx = Float64Array.from({ length: S }, (_, i) => a1 + ((b1 - a1) * (i + 0.5)) / S);
  const gy = Float64Array.from({ length: S }, (_, j) => a2 + ((b2 - a2) * (j + 0.5)) / S);
  const p1 = new Float64Array(S * S), p2 = new Float64Array(S * S);
  for (let j = 0; j < S; j++) for (let i = 0; i < S; i++) { p1[j * S + i] = gx[i]; p2[j * S + i] = gy[j]; }
  const z = fit.predict([p1, p2]);
  const points = Array.from({ length: Math.min(x1.length, 400) }, (_, i) => ({ x: x1[i], y: x2[i] }));
  return heatMap({
    title: opts.title ?? 'Posterior mean surface', xLabel: opts.xLabel ?? 'x1', yLabel: opts.yLabel ?? 'x2',
    width: opts.width ?? 640, height: 560, x: gx, y: gy, z, points,
  });
}
