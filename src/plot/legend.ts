/**
 * Chart legends. Text is never shortened: a legend sits to the right of the plot area when
 * its longest entry is short, and below the chart (entries flowing in rows, long entries
 * wrapped at spaces) when it is not, so no label is ever cut.
 */
import { el, escapeXml, px, textWidth, wrapText } from './svg.js';
import { TICK_FONT, type Frame } from './frame.js';

/** One legend entry: a line sample, a marker, or a filled swatch (bands). */
export interface LegendItem {
  name: string;
  color: string;
  kind: 'line' | 'points' | 'step' | 'band';
  dashed?: boolean;
  /** Also draw a marker on the line sample (series drawn with markers). */
  marker?: boolean;
  /** fill-opacity of a band swatch (the same as the band's). */
  opacity?: number;
}

/** Where the legend goes: 'auto' (default) picks the right side when entries are short. */
export type LegendPlacement = 'auto' | 'right' | 'below';

/** An entry placed in the legend: its text lines and offset from the legend's origin. */
interface PlacedItem { item: LegendItem; lines: string[]; dx: number; dy: number }

/** Where the legend goes and how much room it takes. */
export interface LegendPlan {
  placement: 'none' | 'right' | 'below';
  /** Extra right margin the legend needs (placement 'right'). */
  right: number;
  /** Height reserved below the x axis label (placement 'below'). */
  below: number;
  placed: PlacedItem[];
}

const SWATCH = 18;
const GAP = 6;
const LINE = 15;
const ROW_GAP = 4;
const ITEM_GAP = 18;
/** Right-side legends may take at most this share of the chart width. */
const RIGHT_SHARE = 0.3;

/**
 * Plan the legend of a chart `width` × `height` px. `rightLimit` caps the right margin
 * (charts with fixed margins); an entry that does not fit there moves the legend below.
 */
export function planLegend(items: LegendItem[], width: number, height: number, placement: LegendPlacement = 'auto', rightLimit?: number): LegendPlan {
  if (items.length === 0) return { placement: 'none', right: 0, below: 0, placed: [] };
  const longest = Math.max(...items.map((it) => textWidth(it.name, TICK_FONT)));
  const rightWidth = 12 + SWATCH + GAP + longest + 4;
  const tallEnough = items.length * (LINE + 2) + 8 <= height - 90;
  const fitsLimit = rightLimit === undefined || rightWidth <= rightLimit - 16;
  const right = placement === 'right'
    ? fitsLimit && tallEnough
    : placement === 'auto' && fitsLimit && tallEnough && rightWidth <= width * RIGHT_SHARE;
  if (right) {
    return {
      placement: 'right', right: rightWidth,
      below: 0, placed: items.map((item, i) => ({ item, lines: [item.name], dx: 0, dy: i * (LINE + 2) })),
    };
  }
  // Below: entries flow left to right in rows; an entry wider than a row wraps its text.
  const rowWidth = width - 16;
  const textMax = rowWidth - SWATCH - GAP;
  const placed: PlacedItem[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const item of items) {
    const lines = wrapText(item.name, TICK_FONT, textMax);
    const w = SWATCH + GAP + Math.max(...lines.map((l) => textWidth(l, TICK_FONT)));
    if (x > 0 && x + w > rowWidth) {
      x = 0;
      y += rowHeight + ROW_GAP;
      rowHeight = 0;
    }
    placed.push({ item, lines, dx: x, dy: y });
    x += w + ITEM_GAP;
    rowHeight = Math.max(rowHeight, lines.length * LINE);
  }
  return { placement: 'below', right: 0, below: y + rowHeight + 12, placed };
}

/** Draw a planned legend for the chart laid out as `a`. */
export function drawLegend(plan: LegendPlan, a: Frame): string {
  if (plan.placement === 'none') return '';
  const x0 = plan.placement === 'right' ? a.x + a.w + 12 : 8;
  const y0 = plan.placement === 'right' ? a.y + 8 : a.belowTop + 6;
  let s = '';
  for (const p of plan.placed) {
    const x = x0 + p.dx;
    const y = y0 + p.dy + LINE / 2 - 1;
    s += swatch(p.item, x, y);
    p.lines.forEach((line, i) => {
      s += el('text', { x: x + SWATCH + GAP, y: y + 4 + i * LINE, fill: '#222' }, escapeXml(line));
    });
  }
  return el('g', { class: 'legend', 'data-placement': plan.placement }, s);
}

function swatch(it: LegendItem, x: number, y: number): string {
  if (it.kind === 'band') {
    return el('rect', { x, y: y - 5, width: SWATCH, height: 10, fill: it.color, 'fill-opacity': it.opacity, stroke: 'none' });
  }
  if (it.kind === 'points') return el('circle', { cx: x + SWATCH / 2, cy: y, r: 3, fill: it.color });
  return el('path', { d: `M${px(x)},${px(y)}h${SWATCH}`, stroke: it.color, 'stroke-width': 2, 'stroke-dasharray': it.dashed ? '5 3' : undefined })
    + (it.marker ? el('circle', { cx: x + SWATCH / 2, cy: y, r: 3, fill: it.color }) : '');
}
