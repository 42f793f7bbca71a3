/**
 * Heat maps of a function on a grid (joint posteriors, objective surfaces), with a viridis
 * colour scale legend and optional marker points.
 */
import { badArgument } from '../core/errors.js';
import { checkNumber, describe } from '../core/validate.js';
import { contentId, el, escapeXml, px, textWidth } from './svg.js';
import { viridis } from './palette.js';
import { axisTicks, makeScale } from './scale.js';
import { linearTicks } from './ticks.js';
import { axes, background, layout, svgRoot, tickLabels, TICK_FONT } from './frame.js';
import { checkOptions, checkSize, checkText, checkValues } from './check.js';
import { HEAT_MAP_KEYS, POINT_KEYS, type HeatMapOptions } from './types.js';

const BAR_GAP = 14;
const BAR_WIDTH = 14;

/**
 * Draw z on the grid of cell centres x (nx) × y (ny). z is row-major, ny*nx:
 * z[j*nx + i] colours the cell centred at (x[i], y[j]). Cell edges lie halfway between
 * neighbouring centres, so uneven grids are drawn faithfully. Colours run from the smallest
 * z (dark purple) to the largest (yellow), shown by the colour bar on the right.
 *
 * @returns a standalone SVG document (string).
 * @throws SparseInferenceError BAD_ARGUMENT for empty or non-increasing x/y, z of the wrong
 *   length, or non-finite values.
 * @example
 * heatMap({ title: 'log posterior', xLabel: 'knot 1', yLabel: 'knot 2',
 *   x: [0, 1, 2], y: [0, 1], z: [1, 2, 3, 4, 5, 6], points: [{ x: 1, y: 0.5 }] });
 */
export function heatMap(opts: HeatMapOptions): string {
  checkOptions('options', opts, HEAT_MAP_KEYS);
  const f = {
    width: checkSize('width', opts.width, 560), height: checkSize('height', opts.height, 440),
    title: checkText('title', opts.title), xLabel: checkText('xLabel', opts.xLabel), yLabel: checkText('yLabel', opts.yLabel),
  };
  const x = checkIncreasing('x', opts.x);
  const y = checkIncreasing('y', opts.y);
  const z = checkValues('z', opts.z, { length: x.length * y.length });
  const points = opts.points ?? [];
  if (!Array.isArray(points)) throw badArgument(`points must be an array, got ${describe(points)}`);
  const pts = points.map((p, i) => {
    checkOptions(`points[${i}]`, p, POINT_KEYS);
    return { x: checkNumber(`points[${i}].x`, p.x), y: checkNumber(`points[${i}].y`, p.y) };
  });

  let zmin = Infinity;
  let zmax = -Infinity;
  for (let i = 0; i < z.length; i++) {
    zmin = Math.min(zmin, z[i]);
    zmax = Math.max(zmax, z[i]);
  }
  const zt = linearTicks(zmin, zmax, 5, false); // pads a constant field, so colours stay defined
  const [c0, c1] = zt.domain;
  const zText = tickLabels(zt);
  const rightExtra = BAR_GAP + BAR_WIDTH + 6 + Math.max(...zText.map((s) => textWidth(s, TICK_FONT)));

  const xe = edges(x);
  const ye = edges(y);
  const xt = axisTicks(xe[0], xe[xe.length - 1], { explicit: true, count: 6 });
  const yt = axisTicks(ye[0], ye[ye.length - 1], { explicit: true, count: 5 });
  const a = layout(f, yt, { right: rightExtra, xTicks: xt });
  const sx = makeScale(xt, [a.x, a.x + a.w]);
  const sy = makeScale(yt, [a.y + a.h, a.y]);

  let cells = '';
  for (let j = 0; j < y.length; j++) {
    const yTop = sy.map(ye[j + 1]);
    const h = sy.map(ye[j]) - yTop;
    for (let i = 0; i < x.length; i++) {
      const x0 = sx.map(xe[i]);
      cells += el('rect', { x: x0, y: yTop, width: sx.map(xe[i + 1]) - x0, height: h, fill: viridis((z[j * x.length + i] - c0) / (c1 - c0)) });
    }
  }
  let marks = '';
  for (const p of pts) marks += el('circle', { cx: sx.map(p.x), cy: sy.map(p.y), r: 3.5, fill: '#000000', stroke: '#ffffff', 'stroke-width': 1.5 });

  // Colour bar: a vertical gradient from c0 (bottom) to c1 (top) with its own ticks.
  const frame = axes(f, a, sx, sy);
  const grad = contentId('si-grad', cells + marks + frame);
  const clip = `${grad}-clip`;
  const bx = a.x + a.w + BAR_GAP;
  let stops = '';
  for (let k = 0; k <= 10; k++) stops += el('stop', { offset: `${k * 10}%`, 'stop-color': viridis(1 - k / 10) });
  let bar = el('rect', { class: 'colour-bar', x: bx, y: a.y, width: BAR_WIDTH, height: a.h, fill: `url(#${grad})`, stroke: '#555', 'stroke-width': 0.5 });
  const sz = makeScale(zt, [a.y + a.h, a.y]);
  zt.values.forEach((v, k) => {
    const ty = sz.map(v);
    bar += el('path', { d: `M${px(bx + BAR_WIDTH)},${px(ty)}h4`, stroke: '#555', 'stroke-width': 1 });
    bar += el('text', { x: bx + BAR_WIDTH + 6, y: ty + 4, fill: '#333' }, escapeXml(zText[k]));
  });

  const body =
    el('defs', {},
      el('linearGradient', { id: grad, x1: 0, y1: 0, x2: 0, y2: 1 }, stops) +
      el('clipPath', { id: clip }, el('rect', { x: a.x, y: a.y, width: a.w, height: a.h }))) +
    background(a, sx, sy, false) +
    el('g', { class: 'cells', 'shape-rendering': 'crispEdges' }, cells) +
    el('g', { class: 'points', 'clip-path': `url(#${clip})` }, marks) +
    frame +
    el('g', { class: 'legend' }, bar);
  return svgRoot(f, body);
}

function checkIncreasing(name: string, v: unknown): ArrayLike<number> {
  const a = checkValues(name, v);
  for (let i = 1; i < a.length; i++) {
    if (!(a[i] > a[i - 1])) throw badArgument(`${name} must be strictly increasing, but ${name}[${i}] = ${a[i]} ≤ ${name}[${i - 1}] = ${a[i - 1]}`);
  }
  return a;
}

/** Cell edges: halfway between centres, half a spacing beyond the ends (±0.5 for one cell). */
function edges(c: ArrayLike<number>): number[] {
  const n = c.length;
  if (n === 1) return [c[0] - 0.5, c[0] + 0.5];
  const e = [c[0] - (c[1] - c[0]) / 2];
  for (let i = 1; i < n; i++) e.push((c[i - 1] + c[i]) / 2);
  e.push(c[n - 1] + (c[n - 1] - c[n - 2]) / 2);
  return e;
}
