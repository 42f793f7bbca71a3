/**
 * Bar charts: one bar per labelled value (benchmark throughputs, speed-ups, sparsity levels).
 */
import { badArgument } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { checkColor, el, escapeXml, px, textWidth } from './svg.js';
import { seriesColor } from './palette.js';
import { axisTicks, makeScale } from './scale.js';
import { axes, background, layout, svgRoot, TICK_FONT } from './frame.js';
import { checkOptions, checkSize, checkText } from './check.js';
import { BAR_CHART_KEYS, BAR_KEYS, type BarChartOptions } from './types.js';

const ROTATE_DEG = 35;

/**
 * Draw vertical bars from 0 to each value (negative values go down), in the given order,
 * with the value printed on each bar. Long category labels are rotated to fit (never shortened).
 *
 * @returns a standalone SVG document (string).
 * @throws SparseInferenceError BAD_ARGUMENT for no bars, a non-finite value or a bad colour.
 * @example
 * barChart({ title: 'dot, n = 4096', yLabel: 'GB/s',
 *   bars: [{ label: 'reference', value: 3.1 }, { label: 'wasm simd', value: 21.4 }] });
 */
export function barChart(opts: BarChartOptions): string {
  checkOptions('options', opts, BAR_CHART_KEYS);
  const f = {
    width: checkSize('width', opts.width, 640), height: checkSize('height', opts.height, 400),
    title: checkText('title', opts.title), xLabel: checkText('xLabel', opts.xLabel), yLabel: checkText('yLabel', opts.yLabel),
  };
  if (!Array.isArray(opts.bars)) throw badArgument(`bars must be an array, got ${describe(opts.bars)}`);
  if (opts.bars.length === 0) throw badArgument('bars must contain at least one bar');
  const bars = opts.bars.map((b, i) => {
    checkOptions(`bars[${i}]`, b, BAR_KEYS);
    if (typeof b.label !== 'string') throw badArgument(`bars[${i}].label must be a string, got ${describe(b.label)}`);
    const value = b.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw badArgument(`bars[${i}].value must be a finite number, got ${describe(value)}`);
    const color = b.color === undefined ? seriesColor(0) : checkColor(`bars[${i}].color`, b.color);
    return { label: b.label, value, color };
  });

  const values = bars.map((b) => b.value);
  const yt = axisTicks(Math.min(0, ...values), Math.max(0, ...values), { count: 5 });
  // Category labels: horizontal when they fit under their bar, else rotated.
  const labelW = Math.max(...bars.map((b) => textWidth(b.label, TICK_FONT)));
  const slotGuess = (f.width - 100) / bars.length;
  const rotate = labelW > slotGuess - 6;
  const rad = (ROTATE_DEG * Math.PI) / 180;
  const bottomExtra = rotate ? labelW * Math.sin(rad) + 4 : 0;
  // A rotated label runs down-left from its bar's centre: the first one must stay on the page.
  const minLeft = rotate ? labelW * Math.cos(rad) - slotGuess / 2 + 6 : 0;
  const a = layout(f, yt, { bottom: bottomExtra, minLeft });
  const sy = makeScale(yt, [a.y + a.h, a.y]);
  const slot = a.w / bars.length;
  const y0 = sy.map(0);

  let body = '';
  let labels = '';
  bars.forEach((b, i) => {
    const x = a.x + slot * i + slot * 0.15;
    const y = sy.map(b.value);
    const top = Math.min(y, y0);
    body += el('rect', { class: 'bar', x, y: top, width: slot * 0.7, height: Math.abs(y - y0), fill: b.color },
      el('title', {}, escapeXml(`${b.label}: ${formatValue(b.value)}`)));
    // Value label just beyond the bar's end; inside it (white) when there is no room outside.
    const h = Math.abs(y - y0);
    const outside = b.value >= 0 ? top - 4 : top + h + 12;
    const fits = b.value >= 0 ? outside - 10 >= a.y : outside <= a.y + a.h;
    const inside = b.value >= 0 ? top + 12 : top + h - 4;
    body += el('text', { x: x + slot * 0.35, y: fits || h < 16 ? outside : inside, 'text-anchor': 'middle', 'font-size': 10,
      fill: fits || h < 16 ? '#333' : '#ffffff' }, escapeXml(formatValue(b.value)));
    const cx = a.x + slot * (i + 0.5);
    const ly = a.y + a.h + 15;
    labels += rotate
      ? el('text', { x: cx, y: ly, 'text-anchor': 'end', transform: `rotate(-${ROTATE_DEG} ${px(cx)} ${px(ly)})`, fill: '#333' }, escapeXml(b.label))
      : el('text', { x: cx, y: ly, 'text-anchor': 'middle', fill: '#333' }, escapeXml(b.label));
  });
  const zero = el('path', { d: `M${px(a.x)},${px(y0)}H${px(a.x + a.w)}`, stroke: '#555', 'stroke-width': 1 });
  return svgRoot(f, background(a, null, sy, true) + body + zero + axes(f, a, null, sy) + labels);
}

/** Three significant digits, compact. */
function formatValue(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}
