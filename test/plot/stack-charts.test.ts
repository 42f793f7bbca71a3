// Stacked panels share their x axis: the same x value lands on the same pixel in every panel.
import { describe, expect, it } from 'vitest';
import { lineChart, stackCharts } from '../../src/plot/index.js';
import { parseSvg, findAll, expectBadArgument } from './helpers.js';
import { textOf } from './xml.js';

/** The x pixel of the dashed reference line of each panel. */
function vlinePixels(svg: string): number[] {
  const root = parseSvg(svg).root;
  expect(root.attrs.width).toBe('700');
  return findAll(root, (e) => e.attrs.class === 'panel').map((panel) => {
    const ref = findAll(panel, (e) => e.name === 'path' && e.attrs['stroke-dasharray'] === '4 3')[0];
    return Number(/^M([\d.]+),/.exec(ref.attrs.d)![1]);
  });
}

describe('stackCharts', () => {
  it('aligns x axes of panels with different y labels, legends and x ranges', () => {
    const svg = stackCharts([
      { title: 'fit', yLabel: 'acceleration (g)', height: 400, series: [
        { name: 'posterior mean with a rather long legend entry', x: [2.4, 30, 57.6], y: [-120, 50, 10] },
        { name: 'data', x: [2.4, 57.6], y: [0, 1], kind: 'points' },
      ], vlines: [{ x: 10 }] },
      { title: 'knots', yLabel: 'expected knots per ms', height: 200, xDomain: [2.4, 57.6],
        series: [{ name: 'knot density', x: [2.4, 20, 57.6], y: [0.01, 0.3, 0.02], kind: 'step' }], vlines: [{ x: 10 }] },
    ], { width: 700 });
    const [a, b] = vlinePixels(svg);
    expect(Math.abs(a - b)).toBeLessThan(0.01);
    // Unstacked, the same two charts do not line up: the test can tell.
    const alone = [
      lineChart({ width: 700, yLabel: 'acceleration (g)', series: [{ name: 'posterior mean with a rather long legend entry', x: [2.4, 30, 57.6], y: [-120, 50, 10] }], vlines: [{ x: 10 }] }),
      lineChart({ width: 700, yLabel: 'knots', xDomain: [2.4, 57.6], series: [{ name: 'd', x: [2.4, 57.6], y: [0, 1] }], vlines: [{ x: 10 }] }),
    ].map((s) => Number(/M([\d.]+),[\d.]+V/.exec(findAll(parseSvg(s).root, (e) => e.attrs['stroke-dasharray'] === '4 3')[0].attrs.d)![1]));
    expect(Math.abs(alone[0] - alone[1])).toBeGreaterThan(1);
  });

  it('puts the same tick labels at the same pixels and stacks panel heights', () => {
    const svg = stackCharts([
      { height: 300, series: [{ name: 'a', x: [0, 10], y: [0, 1] }] },
      { height: 150, yLabel: 'long y label', series: [{ name: 'b', x: [3, 7], y: [-1000, 1000] }] },
    ], { width: 700 });
    const root = parseSvg(svg).root;
    expect(root.attrs.height).toBe('450');
    const panels = findAll(root, (e) => e.attrs.class === 'panel');
    expect(panels.map((p) => p.attrs.y)).toEqual(['0', '300']);
    const ticks = panels.map((p) => findAll(p, (e) => e.name === 'text' && e.attrs['text-anchor'] === 'middle' && textOf(e) === '10')
      .map((e) => e.attrs.x));
    expect(ticks[0]).toHaveLength(1);
    expect(ticks[1]).toEqual(ticks[0]);
  });

  it('rejects an empty stack and panels that disagree on a log x axis, naming the panel', () => {
    expectBadArgument(() => stackCharts([]), /panels must be a non-empty array/);
    expectBadArgument(() => stackCharts([{ series: [{ name: 'a', x: [1, 2], y: [1, 2] }] }, { logX: true, series: [{ name: 'b', x: [1, 2], y: [1, 2] }] }]),
      /panels\[1\]\.logX/);
    expectBadArgument(() => stackCharts([{ series: [{ name: 'a', x: [1, 2], y: [1, NaN] }] }]), /panels\[0\]\.series\[0\]\.y\[1\]/);
  });
});

describe('lineChart margins', () => {
  it('uses exact margins when given', () => {
    const { area } = parseSvg(lineChart({ width: 500, margins: { left: 80, right: 30 }, series: [{ name: '', x: [0, 1], y: [0, 1] }] }));
    expect(area.x).toBe(80);
    expect(area.w).toBe(390);
    expectBadArgument(() => lineChart({ width: 200, margins: { left: 150, right: 60 }, series: [{ name: '', x: [0, 1], y: [0, 1] }] }), /margins\.left \+ margins\.right/);
  });
});
