/**
 * The parts every chart shares: the SVG root, the layout (margins around the plot area),
 * axes with ticks, grid and labels, and the title (legends: ./legend.ts).
 * The plot area is drawn as `<rect class="plot-area">`, so its pixel box can be read back.
 */
import { el, escapeXml, px, textWidth, wrapText } from './svg.js';
import { formatTicks, type Ticks } from './ticks.js';
import type { Scale } from './scale.js';

export const FONT = 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif';
export const TICK_FONT = 11;
const LABEL_FONT = 12;
const TITLE_FONT = 14;
const AXIS_COLOR = '#555';
const GRID_COLOR = '#e6e6e6';

/** Pixel box of the plot area. */
export interface Area { x: number; y: number; w: number; h: number }

/** The plot area plus where the text around it goes. */
export interface Frame extends Area {
  /** Baseline of the x axis label. */
  xLabelY: number;
  /** Top of the room reserved below the x axis label (a legend placed below). */
  belowTop: number;
}

export interface FrameText { width: number; height: number; title?: string; xLabel?: string; yLabel?: string }

/** What a chart needs around its plot area, beyond ticks and axis labels. */
export interface LayoutNeeds {
  /** Pixels on the right (legend, colour bar). */
  right?: number;
  /** Pixels between the x tick labels and the x axis label (rotated category labels). */
  bottom?: number;
  /** Pixels below the x axis label (a legend placed below). */
  below?: number;
  /** At least this many pixels on the left. */
  minLeft?: number;
  /** x axis ticks: the right margin leaves room for half of the last label. */
  xTicks?: Ticks;
  /**
   * Exact left and right margins. Stacked panels given the same margins (and x domain) put
   * the same x value at the same pixel.
   */
  margins?: { left: number; right: number };
}

/** Tick labels of an axis, as printed. */
export function tickLabels(t: Ticks): string[] {
  return formatTicks(t);
}

const TITLE_LINE = 19;

/** The title broken into lines that fit the chart width (never shortened). */
export function titleLines(f: FrameText): string[] {
  return f.title ? wrapText(f.title, TITLE_FONT * 1.1, f.width - 16) : [];
}

/** The left and right margins a chart needs for its y tick labels, y label, legend and last x tick. */
export function neededMargins(f: FrameText, yTicks: Ticks, needs: LayoutNeeds = {}): { left: number; right: number } {
  const yw = Math.max(0, ...tickLabels(yTicks).map((s) => textWidth(s, TICK_FONT)));
  const left = Math.max(needs.minLeft ?? 0, (f.yLabel ? 24 : 8) + yw + 10);
  const xt = needs.xTicks ? tickLabels(needs.xTicks) : [];
  const lastHalf = xt.length ? textWidth(xt[xt.length - 1], TICK_FONT) / 2 + 4 : 0;
  const right = Math.max(16 + (needs.right ?? 0), lastHalf);
  return { left, right };
}

/**
 * Margins: room for the title, the y tick labels and label on the left, the x tick labels
 * and label below, and whatever `needs` adds (see LayoutNeeds).
 */
export function layout(f: FrameText, yTicks: Ticks, needs: LayoutNeeds = {}): Frame {
  const { left, right } = needs.margins ?? neededMargins(f, yTicks, needs);
  const lines = titleLines(f).length;
  const top = lines ? 16 + TITLE_LINE * lines + 1 : 14;
  const bottomExtra = needs.bottom ?? 0;
  const below = needs.below ?? 0;
  const bottom = 24 + (f.xLabel ? 20 : 0) + bottomExtra + below;
  const x = left;
  const y = top;
  const w = Math.max(10, f.width - left - right);
  const h = Math.max(10, f.height - top - bottom);
  return { x, y, w, h, xLabelY: y + h + 36 + bottomExtra, belowTop: f.height - below };
}

/** `<svg>` root with an accessible title, a white background and the body. */
export function svgRoot(f: FrameText, body: string): string {
  const title = f.title ?? [f.yLabel, f.xLabel].filter(Boolean).join(' vs ');
  return el('svg', {
    xmlns: 'http://www.w3.org/2000/svg', width: f.width, height: f.height,
    viewBox: `0 0 ${px(f.width)} ${px(f.height)}`, role: 'img', 'font-family': FONT, 'font-size': TICK_FONT,
  }, (title ? el('title', {}, escapeXml(title)) : '') +
    el('rect', { x: 0, y: 0, width: f.width, height: f.height, fill: '#ffffff' }) + body);
}

/** The plot area background and, optionally, grid lines at the ticks. */
export function background(a: Area, xs: Scale | null, ys: Scale, grid: boolean): string {
  let s = el('rect', { class: 'plot-area', x: a.x, y: a.y, width: a.w, height: a.h, fill: '#ffffff' });
  if (!grid) return s;
  let d = '';
  if (xs) for (const v of xs.ticks.values) d += `M${px(xs.map(v))},${px(a.y)}V${px(a.y + a.h)}`;
  for (const v of ys.ticks.values) d += `M${px(a.x)},${px(ys.map(v))}H${px(a.x + a.w)}`;
  if (d) s += el('path', { d, stroke: GRID_COLOR, 'stroke-width': 1, fill: 'none' });
  return s;
}

/**
 * Axis box, tick marks, tick labels, axis labels and title. `xs` may be null when the x axis
 * is categorical (bar charts draw their own labels).
 */
export function axes(f: FrameText, a: Frame, xs: Scale | null, ys: Scale): string {
  let s = el('rect', { x: a.x, y: a.y, width: a.w, height: a.h, fill: 'none', stroke: AXIS_COLOR, 'stroke-width': 1 });
  let marks = '';
  let labels = '';
  const bottom = a.y + a.h;
  if (xs) {
    const text = tickLabels(xs.ticks);
    xs.ticks.values.forEach((v, i) => {
      const x = xs.map(v);
      marks += `M${px(x)},${px(bottom)}v4`;
      labels += el('text', { x, y: bottom + 16, 'text-anchor': 'middle', fill: '#333' }, escapeXml(text[i]));
    });
  }
  const ytext = tickLabels(ys.ticks);
  ys.ticks.values.forEach((v, i) => {
    const y = ys.map(v);
    marks += `M${px(a.x)},${px(y)}h-4`;
    labels += el('text', { x: a.x - 7, y: y + 4, 'text-anchor': 'end', fill: '#333' }, escapeXml(ytext[i]));
  });
  if (marks) s += el('path', { d: marks, stroke: AXIS_COLOR, 'stroke-width': 1 });
  s += labels;
  if (f.xLabel) {
    s += el('text', { x: a.x + a.w / 2, y: a.xLabelY, 'text-anchor': 'middle', 'font-size': LABEL_FONT, fill: '#222' },
      escapeXml(f.xLabel));
  }
  if (f.yLabel) {
    // Beside the tick labels (the left margin may be wider, e.g. for rotated bar labels).
    const cy = a.y + a.h / 2;
    const yw = Math.max(0, ...ytext.map((t) => textWidth(t, TICK_FONT)));
    const lx = Math.max(14, a.x - yw - 24);
    s += el('text', { x: lx, y: cy, 'text-anchor': 'middle', 'font-size': LABEL_FONT, fill: '#222',
      transform: `rotate(-90 ${px(lx)} ${px(cy)})` }, escapeXml(f.yLabel));
  }
  titleLines(f).forEach((line, i) => {
    s += el('text', { class: 'title', x: f.width / 2, y: 22 + TITLE_LINE * i, 'text-anchor': 'middle', 'font-size': TITLE_FONT,
      'font-weight': 'bold', fill: '#111' }, escapeXml(line));
  });
  return s;
}

