/**
 * The parts every chart shares: the SVG root, the layout (margins around the plot area),
 * axes with ticks, grid and labels, the title, and the legend.
 * The plot area is drawn as `<rect class="plot-area">`, so its pixel box can be read back.
 */
import { el, escapeXml, px, textWidth, truncate } from './svg.js';
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

export interface FrameText { width: number; height: number; title?: string; xLabel?: string; yLabel?: string }

/** Tick labels of an axis, as printed. */
export function tickLabels(t: Ticks): string[] {
  return formatTicks(t);
}

/**
 * Margins: room for the title, the y tick labels and label on the left, the x tick labels
 * and label below, `rightExtra` pixels (legend, colour bar) on the right, `bottomExtra` below
 * (rotated labels), and at least `minLeft` pixels on the left.
 */
export function layout(f: FrameText, yTicks: Ticks, rightExtra: number, bottomExtra = 0, minLeft = 0): Area {
  const yw = Math.max(0, ...tickLabels(yTicks).map((s) => textWidth(s, TICK_FONT)));
  const left = Math.max(minLeft, (f.yLabel ? 24 : 8) + yw + 10);
  const top = f.title ? 36 : 14;
  const bottom = 24 + (f.xLabel ? 20 : 0) + bottomExtra;
  const right = 16 + rightExtra;
  return { x: left, y: top, w: Math.max(10, f.width - left - right), h: Math.max(10, f.height - top - bottom) };
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
export function axes(f: FrameText, a: Area, xs: Scale | null, ys: Scale): string {
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
    s += el('text', { x: a.x + a.w / 2, y: f.height - 8, 'text-anchor': 'middle', 'font-size': LABEL_FONT, fill: '#222' },
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
  if (f.title) {
    s += el('text', { x: f.width / 2, y: 22, 'text-anchor': 'middle', 'font-size': TITLE_FONT, 'font-weight': 'bold', fill: '#111' },
      escapeXml(f.title));
  }
  return s;
}

/** One legend entry: a line sample, a marker, or a filled swatch (bands). */
export interface LegendItem { name: string; color: string; kind: 'line' | 'points' | 'step' | 'band'; dashed?: boolean }

const LEGEND_MAX_CHARS = 28;

/** Width the legend needs (0 when there is nothing to show). */
export function legendWidth(items: LegendItem[], chartWidth: number): number {
  if (items.length === 0) return 0;
  const text = Math.max(...items.map((it) => textWidth(truncate(it.name, LEGEND_MAX_CHARS), TICK_FONT)));
  return Math.min(chartWidth * 0.35, 12 + 24 + text);
}

/** The legend, stacked top-down to the right of the plot area. */
export function legend(items: LegendItem[], a: Area, width: number): string {
  let s = '';
  const x = a.x + a.w + 12;
  const maxChars = Math.max(4, Math.floor((width - 36) / (TICK_FONT * 0.6)));
  items.forEach((it, i) => {
    const y = a.y + 8 + i * 17;
    if (it.kind === 'band') {
      s += el('rect', { x, y: y - 5, width: 18, height: 10, fill: it.color, 'fill-opacity': 0.25, stroke: it.color, 'stroke-opacity': 0.5 });
    } else if (it.kind === 'points') {
      s += el('circle', { cx: x + 9, cy: y, r: 3, fill: it.color });
    } else {
      s += el('path', { d: `M${px(x)},${px(y)}h18`, stroke: it.color, 'stroke-width': 2, 'stroke-dasharray': it.dashed ? '5 3' : undefined });
    }
    s += el('text', { x: x + 24, y: y + 4, fill: '#222' }, escapeXml(truncate(it.name, Math.min(LEGEND_MAX_CHARS, maxChars))));
  });
  return el('g', { class: 'legend' }, s);
}
