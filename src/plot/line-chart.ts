/**
 * Line charts with optional shaded bands, log axes and vertical reference lines — the plot
 * behind trace plots, posterior means with credible bands, and benchmark scaling curves.
 */
import { badArgument } from '../core/errors.js';
import { checkNumber, checkOneOf, describe } from '../core/validate.js';
import { checkColor, colorAlpha, contentId, el, escapeXml, px } from './svg.js';
import { seriesColor } from './palette.js';
import { axisTicks, makeScale, type Scale } from './scale.js';
import type { Ticks } from './ticks.js';
import { axes, background, layout, neededMargins, svgRoot, type FrameText } from './frame.js';
import { drawLegend, planLegend, type LegendItem, type LegendPlacement } from './legend.js';
import { checkDomain, checkOptions, checkSize, checkText, checkValues } from './check.js';
import { BAND_KEYS, CHART_KEYS, MARGIN_KEYS, SERIES_KEYS, VLINE_KEYS, type Band, type ChartOptions, type Series } from './types.js';

/**
 * Draw series (lines, markers or steps) over x, with optional bands lo ≤ y ≤ hi.
 * Axes default to nice ranges covering all data; with `logX`/`logY` every value on that axis
 * must be > 0. Colours default to the colour-blind-safe Okabe–Ito palette. Legend text is
 * never shortened: long entries move the legend below the chart. A band is drawn with its
 * colour's own alpha when it has one, else with BAND_OPACITY (transparency applied once).
 * A series whose every point lies within half a pixel of an earlier one is drawn once, and
 * its legend entry names both ("A = B (lines coincide)").
 *
 * @returns a standalone SVG document (string), safe to inline in HTML.
 * @throws SparseInferenceError BAD_ARGUMENT naming the argument for empty or non-finite
 *   data, mismatched lengths, non-positive values on a log axis, or a bad domain/colour.
 * @example
 * const svg = lineChart({
 *   title: 'Posterior mean', xLabel: 'x', yLabel: 'f(x)',
 *   series: [{ name: 'mean', x: [0, 1, 2], y: [1, 3, 2] }],
 *   bands: [{ name: '95% band', x: [0, 1, 2], lo: [0, 2, 1], hi: [2, 4, 3] }],
 * });
 */
export function lineChart(opts: ChartOptions): string {
  return renderLineChart(planLineChart(opts));
}

/** A checked line chart before layout: data, ticks and legend entries (see stackCharts). */
export interface LineChartPlan {
  f: FrameText;
  series: CheckedSeries[];
  bands: CheckedBand[];
  vlines: { x: number; label?: string }[];
  logX: boolean;
  logY: boolean;
  xt: Ticks;
  yt: Ticks;
  items: LegendItem[];
  legend: LegendPlacement;
  margins?: { left: number; right: number };
}

/** Validate the options and work out ticks and legend entries (no pixels yet). */
export function planLineChart(opts: ChartOptions): LineChartPlan {
  checkOptions('options', opts, CHART_KEYS);
  const f = {
    width: checkSize('width', opts.width, 640), height: checkSize('height', opts.height, 400),
    title: checkText('title', opts.title), xLabel: checkText('xLabel', opts.xLabel), yLabel: checkText('yLabel', opts.yLabel),
  };
  const logX = opts.logX === true;
  const logY = opts.logY === true;
  if (!Array.isArray(opts.series)) throw badArgument(`series must be an array, got ${describe(opts.series)}`);
  const bands = opts.bands ?? [];
  if (!Array.isArray(bands)) throw badArgument(`bands must be an array, got ${describe(bands)}`);
  if (opts.series.length === 0 && bands.length === 0) throw badArgument('series must contain at least one series (or bands one band)');
  const vlines = opts.vlines ?? [];
  if (!Array.isArray(vlines)) throw badArgument(`vlines must be an array, got ${describe(vlines)}`);
  const legend = opts.legend === undefined ? 'auto' : checkOneOf('legend', opts.legend, ['auto', 'right', 'below'] as const);
  const margins = opts.margins === undefined ? undefined : checkMargins(opts.margins, f.width);

  const xAxis = { positive: logX, axis: 'logX' };
  const yAxis = { positive: logY, axis: 'logY' };
  const series = opts.series.map((s, i) => checkSeries(`series[${i}]`, s, xAxis, yAxis, i));
  const bandList = bands.map((b, i) => checkBand(`bands[${i}]`, b, xAxis, yAxis, series.length + i));
  const lines = vlines.map((v, i) => {
    checkOptions(`vlines[${i}]`, v, VLINE_KEYS);
    const x = checkNumber(`vlines[${i}].x`, v.x, logX ? 0 : -Infinity, Infinity, { minExclusive: logX });
    return { x, label: checkText(`vlines[${i}].label`, v.label) };
  });

  // Data extents (explicit domains win).
  const xs: ArrayLike<number>[] = [...series.map((s) => s.x), ...bandList.map((b) => b.x), lines.map((l) => l.x)];
  const ys: ArrayLike<number>[] = [...series.map((s) => s.y), ...bandList.flatMap((b) => [b.lo, b.hi])];
  const xd = opts.xDomain !== undefined ? checkDomain('xDomain', opts.xDomain, logX) : extent(xs);
  const yd = opts.yDomain !== undefined ? checkDomain('yDomain', opts.yDomain, logY) : extent(ys);
  const xt = axisTicks(xd[0], xd[1], { log: logX, explicit: opts.xDomain !== undefined, count: 6 });
  const yt = axisTicks(yd[0], yd[1], { log: logY, explicit: opts.yDomain !== undefined, count: 5 });

  const drawn = mergeCoinciding(series, xt, yt, f, logX, logY);
  const items: LegendItem[] = [
    ...bandList.map((b) => ({ name: b.name, color: b.fill, kind: 'band' as const, opacity: b.opacity })),
    ...drawn.map((s) => ({ name: s.name, color: s.color, kind: s.kind, dashed: s.dashed, marker: s.marker })),
  ].filter((it) => it.name !== '');
  return { f, series: drawn, bands: bandList, vlines: lines, logX, logY, xt, yt, items, legend, margins };
}

/** The left and right margins this chart needs on its own (legend placed as planned). */
export function lineChartMargins(p: LineChartPlan): { left: number; right: number } {
  const lp = planLegend(p.items, p.f.width, p.f.height, p.legend, p.margins?.right);
  return p.margins ?? neededMargins(p.f, p.yt, { right: lp.right, xTicks: p.xt });
}

/** Lay out and draw a planned chart. */
export function renderLineChart(p: LineChartPlan): string {
  const { f, xt, yt } = p;
  const lp = planLegend(p.items, f.width, f.height, p.legend, p.margins?.right);
  const a = layout(f, yt, { right: lp.right, below: lp.below, xTicks: xt, margins: p.margins });
  const sx = makeScale(xt, [a.x, a.x + a.w], p.logX);
  const sy = makeScale(yt, [a.y + a.h, a.y], p.logY);

  let data = '';
  for (const b of p.bands) data += bandPath(b, sx, sy);
  for (const s of p.series) data += seriesMarks(s, sx, sy);
  let refs = '';
  for (const l of p.vlines) {
    const x = sx.map(l.x);
    if (x < a.x - 0.5 || x > a.x + a.w + 0.5) continue; // outside an explicit domain
    refs += el('path', { d: `M${px(x)},${px(a.y)}V${px(a.y + a.h)}`, stroke: '#444', 'stroke-width': 1, 'stroke-dasharray': '4 3' });
    if (l.label) refs += el('text', { x: x + 3, y: a.y + 11, 'font-size': 10, fill: '#333' }, escapeXml(l.label));
  }
  const frame = axes(f, a, sx, sy) + drawLegend(lp, a);
  const clip = contentId('si-clip', data + refs + frame);
  const body =
    el('defs', {}, el('clipPath', { id: clip }, el('rect', { x: a.x, y: a.y, width: a.w, height: a.h }))) +
    background(a, sx, sy, true) +
    el('g', { 'clip-path': `url(#${clip})` }, data) +
    refs +
    frame;
  return svgRoot(f, body);
}

/** Transparency of a band whose colour is opaque; a colour with its own alpha keeps that alpha. */
export const BAND_OPACITY = 0.25;

function checkMargins(m: unknown, width: number): { left: number; right: number } {
  checkOptions('margins', m, MARGIN_KEYS);
  const o = m as { left?: unknown; right?: unknown };
  const left = checkNumber('margins.left', o.left, 0, width);
  const right = checkNumber('margins.right', o.right, 0, width);
  if (left + right > width - 10) throw badArgument(`margins.left + margins.right must leave at least 10 px of the ${width} px width, got ${left} + ${right}`);
  return { left, right };
}

/**
 * A series drawn on top of an earlier one of the same kind, every point within half a pixel
 * of it in x and y, would hide it: draw the first once and name both in its legend entry.
 */
function mergeCoinciding(series: CheckedSeries[], xt: Ticks, yt: Ticks, f: FrameText, logX: boolean, logY: boolean): CheckedSeries[] {
  // Pixels per data unit, from the whole chart size (the plot area is a little smaller, so this errs towards merging less).
  const tx = logX ? Math.log10 : (v: number) => v;
  const ty = logY ? Math.log10 : (v: number) => v;
  const pxX = f.width / (tx(xt.domain[1]) - tx(xt.domain[0]));
  const pxY = f.height / (ty(yt.domain[1]) - ty(yt.domain[0]));
  const close = (a: CheckedSeries, b: CheckedSeries) => a.x.length === b.x.length
    && Array.from(a.x).every((v, i) => Math.abs(tx(v) - tx(b.x[i])) * pxX < 0.5 && Math.abs(ty(a.y[i]) - ty(b.y[i])) * pxY < 0.5);
  const out: CheckedSeries[] = [];
  const names = new Map<CheckedSeries, string[]>();
  for (const s of series) {
    const same = out.find((o) => o.kind === s.kind && o.dashed === s.dashed && close(o, s));
    if (same && s.name !== '') names.get(same)!.push(s.name);
    else if (!same) { out.push(s); names.set(s, [s.name]); }
  }
  return out.map((s) => {
    const n = names.get(s)!;
    return n.length === 1 ? s : { ...s, name: `${n.join(' = ')} (lines coincide)` };
  });
}

interface CheckedSeries {
  name: string; x: ArrayLike<number>; y: ArrayLike<number>; kind: 'line' | 'points' | 'step'; color: string; dashed: boolean; marker: boolean;
}
/** `fill` drawn with `opacity`: the band's alpha applied exactly once. */
interface CheckedBand { name: string; x: ArrayLike<number>; lo: ArrayLike<number>; hi: ArrayLike<number>; fill: string; opacity?: number }
type AxisCheck = { positive: boolean; axis: string };

function checkSeries(name: string, s: Series, xa: AxisCheck, ya: AxisCheck, i: number): CheckedSeries {
  checkOptions(name, s, SERIES_KEYS);
  if (typeof s.name !== 'string') throw badArgument(`${name}.name must be a string, got ${describe(s.name)}`);
  const x = checkValues(`${name}.x`, s.x, xa);
  const y = checkValues(`${name}.y`, s.y, { ...ya, length: x.length });
  const kind = s.kind === undefined ? 'line' : checkOneOf(`${name}.kind`, s.kind, ['line', 'points', 'step'] as const);
  const color = s.color === undefined ? seriesColor(i) : checkColor(`${name}.color`, s.color);
  return { name: s.name, x, y, kind, color, dashed: s.dashed === true, marker: s.marker === true && kind !== 'points' };
}

function checkBand(name: string, b: Band, xa: AxisCheck, ya: AxisCheck, i: number): CheckedBand {
  checkOptions(name, b, BAND_KEYS);
  if (typeof b.name !== 'string') throw badArgument(`${name}.name must be a string, got ${describe(b.name)}`);
  const x = checkValues(`${name}.x`, b.x, xa);
  const lo = checkValues(`${name}.lo`, b.lo, { ...ya, length: x.length });
  const hi = checkValues(`${name}.hi`, b.hi, { ...ya, length: x.length });
  for (let j = 0; j < x.length; j++) {
    if (lo[j] > hi[j]) throw badArgument(`${name}.lo[${j}] must be ≤ ${name}.hi[${j}], got ${lo[j]} > ${hi[j]}`);
  }
  const color = b.color === undefined ? seriesColor(i) : checkColor(`${name}.color`, b.color);
  // A colour that carries its own alpha is used as given; an opaque one gets BAND_OPACITY.
  return { name: b.name, x, lo, hi, fill: color, opacity: colorAlpha(color) < 1 ? undefined : BAND_OPACITY };
}

function extent(arrays: ArrayLike<number>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      if (a[i] < lo) lo = a[i];
      if (a[i] > hi) hi = a[i];
    }
  }
  return [lo, hi];
}

function bandPath(b: CheckedBand, sx: Scale, sy: Scale): string {
  let d = '';
  for (let i = 0; i < b.x.length; i++) d += `${i ? 'L' : 'M'}${px(sx.map(b.x[i]))},${px(sy.map(b.hi[i]))}`;
  for (let i = b.x.length - 1; i >= 0; i--) d += `L${px(sx.map(b.x[i]))},${px(sy.map(b.lo[i]))}`;
  return el('path', { class: 'band', d: d + 'Z', fill: b.fill, 'fill-opacity': b.opacity, stroke: 'none' });
}

function seriesMarks(s: CheckedSeries, sx: Scale, sy: Scale): string {
  const n = s.x.length;
  if (s.kind === 'points') {
    let c = '';
    for (let i = 0; i < n; i++) c += el('circle', { cx: sx.map(s.x[i]), cy: sy.map(s.y[i]), r: 2.5 });
    return el('g', { class: 'series', fill: s.color }, c);
  }
  let d = `M${px(sx.map(s.x[0]))},${px(sy.map(s.y[0]))}`;
  for (let i = 1; i < n; i++) {
    d += s.kind === 'step'
      ? `H${px(sx.map(s.x[i]))}V${px(sy.map(s.y[i]))}`
      : `L${px(sx.map(s.x[i]))},${px(sy.map(s.y[i]))}`;
  }
  if (n === 1) d += 'h0.01'; // a lone point still shows (round line caps)
  let markers = '';
  if (s.marker) for (let i = 0; i < n; i++) markers += el('circle', { cx: sx.map(s.x[i]), cy: sy.map(s.y[i]), r: 3, fill: s.color });
  return el('path', {
    class: 'series', d, fill: 'none', stroke: s.color, 'stroke-width': 1.75, 'stroke-linejoin': 'round',
    'stroke-linecap': 'round', 'stroke-dasharray': s.dashed ? '6 4' : undefined,
  }) + (markers ? el('g', { class: 'markers' }, markers) : '');
}
