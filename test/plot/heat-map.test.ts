import { describe, expect, it } from 'vitest';
import { heatMap } from '../../src/plot/index.js';
import { viridis } from '../../src/plot/palette.js';
import { parseSvg, expectBadArgument, findAll } from './helpers.js';
import { textOf } from './xml.js';

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(0.006);

describe('heatMap', () => {
  const opts = { x: [0, 1, 2], y: [10, 20], z: [0, 1, 2, 3, 4, 5], points: [{ x: 1, y: 15 }] };

  it('places cells between midpoints, row-major, with viridis colours', () => {
    const { root, area } = parseSvg(heatMap({ ...opts, title: 'h' }));
    const cells = findAll(root, (e) => e.attrs.class === 'cells')[0].children;
    expect(cells).toHaveLength(6);
    // Edges: x ∈ [-0.5, 2.5] (3 equal columns), y ∈ [5, 25] (2 equal rows, y up).
    cells.forEach((c, k) => {
      const i = k % 3;
      const j = Math.floor(k / 3);
      close(+c.attrs.x, area.x + (i / 3) * area.w);
      close(+c.attrs.width, area.w / 3);
      close(+c.attrs.y, area.y + area.h - ((j + 1) / 2) * area.h);
      close(+c.attrs.height, area.h / 2);
    });
    expect(cells[0].attrs.fill).toBe(viridis(0));
    expect(cells[0].attrs.fill).toBe('#440154');
    expect(cells[5].attrs.fill).toBe('#fde725');
    const p = findAll(findAll(root, (e) => e.attrs.class === 'points')[0], (e) => e.name === 'circle')[0];
    close(+p.attrs.cx, area.x + area.w / 2);
    close(+p.attrs.cy, area.y + area.h / 2);
  });

  it('has a colour bar legend whose gradient is defined and labelled', () => {
    const { root } = parseSvg(heatMap(opts));
    const bar = findAll(root, (e) => e.attrs.class === 'colour-bar')[0];
    const id = /^url\(#(.+)\)$/.exec(bar.attrs.fill)![1];
    const grad = findAll(root, (e) => e.name === 'linearGradient')[0];
    expect(grad.attrs.id).toBe(id);
    expect(grad.children[0].attrs['stop-color']).toBe('#fde725'); // top = max
    expect(grad.children[grad.children.length - 1].attrs['stop-color']).toBe('#440154');
    const legendText = findAll(findAll(root, (e) => e.attrs.class === 'legend')[0], (e) => e.name === 'text').map(textOf);
    expect(legendText).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('handles a constant field and a single cell', () => {
    const { root } = parseSvg(heatMap({ x: [3], y: [4], z: [7] }));
    expect(findAll(root, (e) => e.attrs.class === 'cells')[0].children[0].attrs.fill).toBe(viridis(0.5));
  });

  it('rejects bad grids, naming the argument', () => {
    expectBadArgument(() => heatMap({ ...opts, z: [1, 2, 3] }), /z must have 6 values, got 3/);
    expectBadArgument(() => heatMap({ ...opts, x: [0, 2, 1] }), /x must be strictly increasing/);
    expectBadArgument(() => heatMap({ ...opts, y: [] }), /y must have at least 1 value/);
    expectBadArgument(() => heatMap({ ...opts, z: [0, 1, NaN, 3, 4, 5] }), /z\[2\] must be a finite number/);
    expectBadArgument(() => heatMap({ ...opts, points: [{ x: 1, y: Infinity }] }), /points\[0\]\.y/);
  });
});
