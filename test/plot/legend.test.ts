// Legends, titles and labels are never shortened: long text moves or wraps instead.
import { describe, expect, it } from 'vitest';
import { barChart, lineChart } from '../../src/plot/index.js';
import { textWidth } from '../../src/plot/svg.js';
import { parseSvg, findAll } from './helpers.js';
import { textOf } from './xml.js';

const series = (names: string[]) => names.map((name, i) => ({ name, x: [0, 1, 2], y: [i, i + 1, i * 2] }));
const legendOf = (svg: string) => findAll(parseSvg(svg).root, (e) => e.attrs.class === 'legend')[0];
const texts = (svg: string) => findAll(legendOf(svg), (e) => e.name === 'text').map((t) => ({ text: textOf(t), x: +t.attrs.x, y: +t.attrs.y }));

describe('chart legends', () => {
  it('put short entries to the right of the plot area', () => {
    const svg = lineChart({ width: 640, series: series(['a', 'b']) });
    const { area } = parseSvg(svg);
    expect(legendOf(svg).attrs['data-placement']).toBe('right');
    for (const t of texts(svg)) expect(t.x).toBeGreaterThan(area.x + area.w);
    expect(texts(svg).map((t) => t.text)).toEqual(['a', 'b']);
  });

  it('move long entries below the chart, whole, outside the plot area and inside the chart', () => {
    const names = ['95% predictive interval of a new observation', 'posterior mean of the regression curve', 'data'];
    const svg = lineChart({ width: 520, height: 360, xLabel: 'time (ms)', series: series(names) });
    const { root, area } = parseSvg(svg);
    expect(legendOf(svg).attrs['data-placement']).toBe('below');
    const t = texts(svg);
    expect(t.map((x) => x.text).join(' ')).toBe(names.join(' '));
    expect(t.every((x) => !x.text.includes('…'))).toBe(true);
    const xLabel = findAll(root, (e) => e.name === 'text' && textOf(e) === 'time (ms)')[0];
    for (const x of t) {
      expect(x.y - 11).toBeGreaterThan(+xLabel.attrs.y); // below the x axis label, so below the plot area
      expect(x.y).toBeLessThanOrEqual(360);
      expect(x.x + textWidth(x.text, 11)).toBeLessThanOrEqual(520);
    }
    expect(area.y + area.h).toBeLessThan(+xLabel.attrs.y);
  });

  it('wrap an entry longer than the whole chart at spaces', () => {
    const long = 'an extremely long legend entry that says a great deal about the series it names and more';
    const svg = lineChart({ width: 300, series: series([long]) });
    const t = texts(svg);
    expect(t.length).toBeGreaterThan(1);
    expect(t.map((x) => x.text).join(' ')).toBe(long);
    for (const x of t) expect(x.x + textWidth(x.text, 11)).toBeLessThanOrEqual(300);
  });

  it('follow an explicit placement', () => {
    expect(legendOf(lineChart({ legend: 'below', series: series(['a']) })).attrs['data-placement']).toBe('below');
  });

  it('wrap a title wider than the chart instead of letting it run off', () => {
    const title = 'Synthetic SwiGLU 512×1408: relative output error of every method on 1024 held-out tokens';
    const svg = lineChart({ width: 360, title, series: series(['a']) });
    const lines = findAll(parseSvg(svg).root, (e) => e.attrs.class === 'title').map(textOf);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join(' ')).toBe(title);
    const { area } = parseSvg(svg);
    expect(area.y).toBeGreaterThan(22 + 19 * (lines.length - 1)); // the plot starts below the last line
  });

  it('keep bar labels whole', () => {
    const label = 'kernels/l2sqrBatch:wasm-simd:65536x1024x128 (long)';
    const svg = barChart({ bars: [{ label, value: 1 }, { label: 'b', value: 2 }] });
    expect(findAll(parseSvg(svg).root, (e) => e.name === 'text').map(textOf)).toContain(label);
  });
});

describe('bands', () => {
  const band = (color?: string) => lineChart({ series: [], bands: [{ name: 'b', x: [0, 1], lo: [0, 0], hi: [1, 1], color }] });
  const alphaOf = (svg: string, pick: (e: { attrs: Record<string, string> }) => boolean) => {
    const e = findAll(parseSvg(svg).root, pick as never)[0] as unknown as { attrs: Record<string, string> };
    const own = /rgba\([^)]*,\s*([\d.]+)\)/.exec(e.attrs.fill)?.[1];
    return (own === undefined ? 1 : Number(own)) * (e.attrs['fill-opacity'] === undefined ? 1 : Number(e.attrs['fill-opacity']));
  };
  it('apply transparency once: a colour with alpha keeps exactly that alpha, in the legend too', () => {
    const svg = band('rgba(255,127,14,0.15)');
    expect(alphaOf(svg, (e) => e.attrs.class === 'band')).toBeCloseTo(0.15, 10);
    const swatch = findAll(legendOf(svg), (e) => e.name === 'rect')[0];
    expect(swatch.attrs.fill).toBe('rgba(255,127,14,0.15)');
    expect(swatch.attrs['fill-opacity']).toBeUndefined();
  });
  it('give an opaque colour one visible opacity, the same in the legend', () => {
    const svg = band('#0072B2');
    const a = alphaOf(svg, (e) => e.attrs.class === 'band');
    expect(a).toBeGreaterThanOrEqual(0.15);
    expect(a).toBeLessThanOrEqual(0.4);
    expect(findAll(legendOf(svg), (e) => e.name === 'rect')[0].attrs['fill-opacity']).toBe(String(a));
  });
});

describe('coinciding series', () => {
  it('draw identical series once and name both in one legend entry', () => {
    const svg = lineChart({ series: [
      { name: 'CHESS (sq)', x: [0, 0.5, 1], y: [0, 0.1, 0.3] },
      { name: 'CHESS (abs)', x: [0, 0.5, 1], y: [0, 0.1, 0.3] },
      { name: 'CATS', x: [0, 0.5, 1], y: [0, 0.2, 0.5] },
    ] });
    const lines = findAll(parseSvg(svg).root, (e) => e.attrs.class === 'series');
    expect(lines).toHaveLength(2);
    expect(texts(svg).map((t) => t.text).join(' ')).toMatch(/CHESS \(sq\) = CHESS \(abs\) \(lines coincide\).*CATS/);
  });
  it('also merge series whose points differ by far less than a pixel in x or y', () => {
    const svg = lineChart({ xDomain: [0, 1], yDomain: [0, 1], series: [
      { name: 'sq', x: [0, 0.334, 0.467], y: [0, 0.0677, 0.1329] }, { name: 'abs', x: [0, 0.3341, 0.4669], y: [0, 0.0677, 0.1328] },
    ] });
    expect(findAll(parseSvg(svg).root, (e) => e.attrs.class === 'series')).toHaveLength(1);
    expect(texts(svg).map((t) => t.text).join(' ')).toBe('sq = abs (lines coincide)');
  });

  it('keep series apart once they differ by a visible amount', () => {
    const svg = lineChart({ height: 400, yDomain: [0, 1], series: [
      { name: 'a', x: [0, 1], y: [0, 0.5] }, { name: 'b', x: [0, 1], y: [0, 0.52] },
    ] });
    expect(findAll(parseSvg(svg).root, (e) => e.attrs.class === 'series')).toHaveLength(2);
  });
  it('mark the points of a series drawn with markers, in the legend too', () => {
    const svg = lineChart({ series: [{ name: 'm', x: [0, 1, 2], y: [0, 1, 0], marker: true }] });
    expect(findAll(parseSvg(svg).root, (e) => e.attrs.class === 'markers')[0].children).toHaveLength(3);
    expect(findAll(legendOf(svg), (e) => e.name === 'circle')).toHaveLength(1);
  });
});
