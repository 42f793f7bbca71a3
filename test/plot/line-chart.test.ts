import { describe, expect, it } from 'vitest';
import { lineChart } from '../../src/plot/index.js';
import { PALETTE } from '../../src/plot/palette.js';
import { parseSvg, pathPoints, expectBadArgument, findAll } from './helpers.js';
import { textOf } from './xml.js';

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(0.006);

describe('lineChart', () => {
  it('maps points to pixels on linear axes with explicit domains', () => {
    const svg = lineChart({
      width: 640, height: 400, xDomain: [0, 10], yDomain: [0, 100],
      series: [{ name: 'p', x: [0, 5, 10, 2.5], y: [0, 50, 100, 75], kind: 'points' }],
    });
    const { root, area } = parseSvg(svg);
    expect(area.w).toBeGreaterThan(300);
    const circles = findAll(root, (e) => e.name === 'circle' && e.attrs.cx !== undefined)
      .filter((c) => findAll(root, (g) => g.attrs.class === 'series' && g.children.includes(c)).length > 0);
    expect(circles).toHaveLength(4);
    const expected = [[0, 0], [5, 50], [10, 100], [2.5, 75]].map(([x, y]) =>
      [area.x + (x / 10) * area.w, area.y + area.h - (y / 100) * area.h]);
    circles.forEach((c, i) => { close(+c.attrs.cx, expected[i][0]); close(+c.attrs.cy, expected[i][1]); });
  });

  it('maps line vertices on log axes', () => {
    const svg = lineChart({ logX: true, logY: true, series: [{ name: 'l', x: [1, 10, 100], y: [1000, 10, 1] }] });
    const { root, area } = parseSvg(svg);
    const path = findAll(root, (e) => e.attrs.class === 'series')[0];
    const pts = pathPoints(path.attrs.d);
    // Auto domains are whole decades: x ∈ [1, 100], y ∈ [1, 1000].
    const ex = [area.x, area.x + area.w / 2, area.x + area.w];
    const ey = [area.y, area.y + area.h * (1 - 1 / 3), area.y + area.h];
    pts.forEach(([x, y], i) => { close(x, ex[i]); close(y, ey[i]); });
    expect(pts).toHaveLength(3);
  });

  it('widens auto domains to nice ticks and labels them', () => {
    const svg = lineChart({ series: [{ name: '', x: [0.3, 9.2], y: [2, 3] }], xLabel: 'time', yLabel: 'value' });
    const { root, area } = parseSvg(svg);
    const labels = findAll(root, (e) => e.name === 'text').map(textOf);
    for (const t of ['0', '2', '4', '6', '8', '10', 'time', 'value']) expect(labels).toContain(t);
    const first = pathPoints(findAll(root, (e) => e.attrs.class === 'series')[0].attrs.d)[0];
    close(first[0], area.x + 0.03 * area.w);
  });

  it('draws steps as horizontal-then-vertical segments', () => {
    const svg = lineChart({ xDomain: [0, 2], yDomain: [0, 2], series: [{ name: 's', x: [0, 1, 2], y: [0, 2, 1], kind: 'step' }] });
    const { root, area } = parseSvg(svg);
    const pts = pathPoints(findAll(root, (e) => e.attrs.class === 'series')[0].attrs.d);
    const X = (v: number) => area.x + (v / 2) * area.w;
    const Y = (v: number) => area.y + area.h - (v / 2) * area.h;
    const expected = [[X(0), Y(0)], [X(1), Y(0)], [X(1), Y(2)], [X(2), Y(2)], [X(2), Y(1)]];
    expect(pts).toHaveLength(5);
    pts.forEach(([x, y], i) => { close(x, expected[i][0]); close(y, expected[i][1]); });
  });

  it('draws a band as the polygon hi forwards then lo backwards', () => {
    const svg = lineChart({
      xDomain: [0, 1], yDomain: [0, 4], series: [],
      bands: [{ name: 'b', x: [0, 1], lo: [1, 2], hi: [3, 4] }],
    });
    const { root, area } = parseSvg(svg);
    const pts = pathPoints(findAll(root, (e) => e.attrs.class === 'band')[0].attrs.d);
    const X = (v: number) => area.x + v * area.w;
    const Y = (v: number) => area.y + area.h - (v / 4) * area.h;
    [[X(0), Y(3)], [X(1), Y(4)], [X(1), Y(2)], [X(0), Y(1)]].forEach(([x, y], i) => { close(pts[i][0], x); close(pts[i][1], y); });
  });

  it('has a legend with palette colours, dashed lines and vlines', () => {
    const svg = lineChart({
      series: [{ name: 'a', x: [0, 1], y: [0, 1] }, { name: 'b', x: [0, 1], y: [1, 0], dashed: true }],
      vlines: [{ x: 0.5, label: 'knot' }],
    });
    const { root } = parseSvg(svg);
    const lines = findAll(root, (e) => e.attrs.class === 'series');
    expect(lines.map((l) => l.attrs.stroke)).toEqual([PALETTE[0], PALETTE[1]]);
    expect(lines[1].attrs['stroke-dasharray']).toBeDefined();
    const legend = findAll(root, (e) => e.attrs.class === 'legend')[0];
    expect(findAll(legend, (e) => e.name === 'text').map(textOf)).toEqual(['a', 'b']);
    expect(findAll(root, (e) => e.name === 'text').map(textOf)).toContain('knot');
  });

  it('escapes text and stays well-formed', () => {
    const evil = `<script>alert("x")</script> & 'q'`;
    const svg = lineChart({ title: evil, xLabel: evil, series: [{ name: evil, x: [1, 2], y: [1, 2] }], vlines: [{ x: 1.5, label: evil }] });
    expect(svg).not.toContain('<script>');
    const { root } = parseSvg(svg);
    const texts = findAll(root, (e) => e.name === 'text' || e.name === 'title').map(textOf);
    expect(texts.filter((t) => t === evil).length).toBeGreaterThanOrEqual(3);
  });

  it('gives different charts different clip-path ids', () => {
    const id = (svg: string) => findAll(parseSvg(svg).root, (e) => e.name === 'clipPath')[0].attrs.id;
    const a = lineChart({ series: [{ name: 'a', x: [0, 1], y: [0, 1] }] });
    const b = lineChart({ series: [{ name: 'a', x: [0, 1], y: [0, 2] }] });
    expect(id(a)).not.toBe(id(b));
    expect(lineChart({ series: [{ name: 'a', x: [0, 1], y: [0, 1] }] })).toBe(a); // pure
  });

  it('rejects empty, non-finite and inconsistent input, naming the argument', () => {
    const s = (over: object) => ({ name: 's', x: [1, 2, 3], y: [1, 2, 3], ...over });
    expectBadArgument(() => lineChart({ series: [] }), /series must contain at least one/);
    expectBadArgument(() => lineChart({ series: [s({ x: [], y: [] })] }), /series\[0\]\.x must have at least 1/);
    expectBadArgument(() => lineChart({ series: [s({}), s({ y: [1, NaN, 3] })] }), /series\[1\]\.y\[1\] must be a finite number, got NaN/);
    expectBadArgument(() => lineChart({ series: [s({ x: [1, Infinity, 3] })] }), /series\[0\]\.x\[1\]/);
    expectBadArgument(() => lineChart({ series: [s({ y: [1, 2] })] }), /series\[0\]\.y must have 3 values/);
    expectBadArgument(() => lineChart({ logX: true, series: [s({ x: [0, 1, 2] })] }), /series\[0\]\.x\[0\] must be > 0 on a log axis \(logX\)/);
    expectBadArgument(() => lineChart({ logY: true, series: [s({ y: [1, -1, 2] })] }), /series\[0\]\.y\[1\].*logY/);
    expectBadArgument(() => lineChart({ series: [s({ color: 'red" onload="x' })] }), /series\[0\]\.color/);
    expectBadArgument(() => lineChart({ series: [s({ kind: 'bars' })] }), /series\[0\]\.kind/);
    expectBadArgument(() => lineChart({ series: [s({})], xDomain: [1, 1] }), /xDomain must have lo < hi/);
    expectBadArgument(() => lineChart({ series: [s({})], yDomain: [0, NaN] }), /yDomain\[1\]/);
    expectBadArgument(() => lineChart({ series: [s({})], logX: true, xDomain: [0, 10] }), /xDomain\[0\]/);
    expectBadArgument(() => lineChart({ series: [s({})], width: 10 }), /width/);
    expectBadArgument(() => lineChart({ series: [s({})], vlines: [{ x: NaN }] }), /vlines\[0\]\.x/);
    expectBadArgument(() => lineChart({ series: [], bands: [{ name: 'b', x: [0, 1], lo: [2, 0], hi: [1, 1] }] }), /bands\[0\]\.lo\[0\] must be ≤/);
    expectBadArgument(() => lineChart(null as never), /options/);
  });
});
