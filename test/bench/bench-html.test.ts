import { describe, expect, it } from 'vitest';
import { benchmarkHtml } from '../../bench/lib/bench-html.js';
import type { SuiteResult } from '../../bench/lib/harness.js';
import { parseXml, findAll, textOf } from '../plot/xml.js';

const result: SuiteResult = {
  suite: 'kernels', runtime: { name: 'node', version: '20.0.0' }, date: '2025-01-01T00:00:00Z', quick: true, clock: 'wall',
  tasks: [
    { name: 'kernels/dot:wasm:4096', medianMs: 0.0012345, p25Ms: 0.0011, p75Ms: 0.0013, samples: 40, gbPerS: 26.54 },
    { name: 'kernels/dot:reference:4096', medianMs: 0.0151, p25Ms: 0.015, p75Ms: 0.016, samples: 40, note: 'a <note>' },
  ],
  ratios: [
    { name: 'dot wasm/reference', value: 12.23, unit: 'x', target: 4, pass: true },
    { name: 'gemv wasm/reference', value: 2.5, unit: 'x', target: 4, pass: false },
    { name: 'dot of roofline', value: 0.8, unit: 'of roofline' },
  ],
  notes: ['machine under load'],
};

describe('benchmarkHtml', () => {
  it('tabulates tasks and ratios and charts the speed-ups', () => {
    const root = parseXml(`<div>${benchmarkHtml(result)}</div>`);
    const tables = findAll(root, (e) => e.name === 'table');
    expect(tables).toHaveLength(2);
    const firstRow = findAll(findAll(tables[0], (e) => e.name === 'tbody')[0], (e) => e.name === 'tr')[0];
    expect(findAll(firstRow, (e) => e.name === 'td').map(textOf)).toEqual(['kernels/dot:wasm:4096', '0.00123', '0.0011', '0.0013', '40', '26.5', '', '']);
    expect(textOf(tables[0])).toContain('a <note>');
    const bars = findAll(root, (e) => e.attrs.class === 'bar');
    expect(bars).toHaveLength(2); // only unit 'x' ratios are charted
    expect(bars[1].attrs.fill).toBe('#D55E00'); // missed target
    expect(textOf(findAll(root, (e) => e.name === 'figcaption')[0])).toBe('1 of 2 targeted speed-ups miss their targets (vermillion bars).');
    expect(textOf(root)).toContain('quick run');
    expect(findAll(root, (e) => e.name === 'li').map(textOf)).toEqual(['machine under load']);
  });

  it('states a comparison shared by every ratio once, in the chart title', () => {
    const named = { ...result, ratios: [
      { name: 'dot 4096: wasm vs reference', value: 11, unit: 'x' },
      { name: 'l2sqrBatch: wasm vs reference (GFLOP/s rates)', value: 30, unit: 'x' },
    ] };
    const root = parseXml(`<div>${benchmarkHtml(named)}</div>`);
    const svg = findAll(root, (e) => e.name === 'svg')[0];
    const texts = findAll(svg, (e) => e.name === 'text').map(textOf);
    expect(texts).toContain('kernels: speed-ups measured in the same run (wasm vs reference)');
    expect(texts).toContain('dot 4096');
    expect(texts).toContain('l2sqrBatch (GFLOP/s rates)');
    expect(textOf(findAll(root, (e) => e.name === 'figcaption')[0])).toBe('No targets set for these ratios.');
  });
});
