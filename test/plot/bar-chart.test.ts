import { describe, expect, it } from 'vitest';
import { barChart } from '../../src/plot/index.js';
import { parseSvg, expectBadArgument, findAll } from './helpers.js';
import { textOf } from './xml.js';

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(0.006);

describe('barChart', () => {
  it('places bars in order with heights proportional to value', () => {
    const svg = barChart({ title: 'T', bars: [{ label: 'a', value: 1 }, { label: 'b', value: 3 }, { label: 'c', value: 1.5 }] });
    const { root, area } = parseSvg(svg);
    const bars = findAll(root, (e) => e.attrs.class === 'bar');
    expect(bars).toHaveLength(3);
    // Auto y domain: [0, 3] (nice step 0.5), so value v has height v/3 of the area.
    const slot = area.w / 3;
    bars.forEach((b, i) => {
      const v = [1, 3, 1.5][i];
      close(+b.attrs.x, area.x + slot * (i + 0.15));
      close(+b.attrs.width, slot * 0.7);
      close(+b.attrs.height, (v / 3) * area.h);
      close(+b.attrs.y + +b.attrs.height, area.y + area.h);
    });
    const texts = findAll(root, (e) => e.name === 'text').map(textOf);
    for (const t of ['a', 'b', 'c', '1', '3', '1.5', 'T']) expect(texts).toContain(t);
  });

  it('draws negative values downwards from zero', () => {
    const { root, area } = parseSvg(barChart({ bars: [{ label: 'up', value: 2 }, { label: 'down', value: -2 }] }));
    const [up, down] = findAll(root, (e) => e.attrs.class === 'bar');
    const zero = area.y + area.h / 2; // domain [-2, 2]
    close(+up.attrs.y + +up.attrs.height, zero);
    close(+down.attrs.y, zero);
    close(+down.attrs.height, area.h / 2);
  });

  it('rotates long labels and escapes them', () => {
    const label = 'kvcache/dot:<wasm>:4096x4096&more';
    const svg = barChart({ width: 300, bars: [{ label, value: 1 }, { label: label + '2', value: 2 }] });
    const { root } = parseSvg(svg);
    const t = findAll(root, (e) => e.name === 'text' && (e.attrs.transform ?? '').startsWith('rotate'));
    expect(t.length).toBeGreaterThanOrEqual(2);
    expect(textOf(t[0]).startsWith('kvcache/dot:<wasm>')).toBe(true);
  });

  it('rejects bad bars, naming the argument', () => {
    expectBadArgument(() => barChart({ bars: [] }), /bars must contain at least one bar/);
    expectBadArgument(() => barChart({ bars: [{ label: 'a', value: 1 }, { label: 'b', value: NaN }] }), /bars\[1\]\.value must be a finite number, got NaN/);
    expectBadArgument(() => barChart({ bars: [{ label: 3 as never, value: 1 }] }), /bars\[0\]\.label/);
    expectBadArgument(() => barChart({ bars: [{ label: 'a', value: 1, color: 'url(#x)' }] }), /bars\[0\]\.color/);
  });
});
