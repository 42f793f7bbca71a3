/**
 * Line charts stacked vertically in one SVG with aligned x axes: every panel gets the same
 * width, the same x domain and the same left and right margins, so a given x lies at the same
 * pixel in each (a fitted curve above the posterior density of its knots, say).
 */
import { badArgument } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { el, escapeXml, px } from './svg.js';
import { axisTicks } from './scale.js';
import { lineChartMargins, planLineChart, renderLineChart } from './line-chart.js';
import { checkSize, checkText } from './check.js';
import { checkOptions as checkKnownKeys } from '../core/options.js';
import type { ChartOptions } from './types.js';

export interface StackChartsOptions {
  /** Width of every panel in pixels (default 640; a panel's own width is ignored). */
  width?: number;
  /** Accessible title of the whole figure (each panel keeps its own visible title). */
  title?: string;
}

/**
 * Stack line-chart panels top to bottom with aligned x axes. The shared x domain is the
 * union of the panels' own domains (their explicit xDomain, else their data widened to nice
 * ticks); the shared margins are the widest any panel needs, so no tick label or legend is
 * squeezed. Each panel keeps its height (default 400), series, bands and y axis.
 *
 * @returns one SVG document holding the panels as nested `<svg class="panel">` elements.
 * @throws SparseInferenceError BAD_ARGUMENT for no panels, panels that disagree on logX,
 *   or any panel's own bad input (named `panels[i]...`).
 * @example
 * stackCharts([
 *   { title: 'fit', yLabel: 'y', series: [{ name: 'mean', x, y: mean }] },
 *   { title: 'knots', xLabel: 'x', yLabel: 'knots per unit x', height: 200, series: [{ name: 'density', x: gx, y: d }] },
 * ], { width: 720 });
 */
export function stackCharts(panels: ChartOptions[], opts: StackChartsOptions = {}): string {
  if (!Array.isArray(panels) || panels.length === 0) throw badArgument(`panels must be a non-empty array of chart options, got ${describe(panels)}`);
  opts = checkKnownKeys('stackCharts options', opts, ['width', 'title']);
  const width = checkSize('width', opts.width, 640);
  const title = checkText('title', opts.title);
  const logX = panels[0]?.logX === true;
  panels.forEach((p, i) => {
    if ((p?.logX === true) !== logX) throw badArgument(`panels[${i}].logX must match panels[0].logX (${logX}) so the x axes can be shared`);
  });

  const named = <T>(i: number, fn: () => T): T => {
    try { return fn(); } catch (e) {
      if (e instanceof Error && /^[a-zA-Z]/.test(e.message)) e.message = `panels[${i}].${e.message}`;
      throw e;
    }
  };
  // First pass: each panel's own x domain; the union, widened to nice ticks, is shared.
  const own = panels.map((p, i) => named(i, () => planLineChart({ ...p, width })));
  const lo = Math.min(...own.map((p) => p.xt.domain[0]));
  const hi = Math.max(...own.map((p) => p.xt.domain[1]));
  const shared = axisTicks(lo, hi, { log: logX, count: 6 }).domain;
  // Second pass: the shared domain, then the widest margins any panel needs.
  const plans = panels.map((p, i) => named(i, () => planLineChart({ ...p, width, xDomain: shared })));
  const margins = plans.map(lineChartMargins);
  const left = Math.max(...margins.map((m) => m.left));
  const right = Math.max(...margins.map((m) => m.right));
  let y = 0;
  let body = '';
  plans.forEach((p, i) => {
    const svg = renderLineChart(planLineChart({ ...panels[i], width, xDomain: shared, margins: { left, right } }));
    body += svg.replace('<svg', `<svg class="panel" x="0" y="${px(y)}"`);
    y += p.f.height;
  });
  return el('svg', {
    xmlns: 'http://www.w3.org/2000/svg', width, height: y, viewBox: `0 0 ${px(width)} ${px(y)}`, role: 'img',
  }, (title ? el('title', {}, escapeXml(title)) : '') + body);
}
