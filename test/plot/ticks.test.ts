import { describe, expect, it } from 'vitest';
import { niceStep, linearTicks, logTicks, formatTicks } from '../../src/plot/ticks.js';

describe('nice ticks', () => {
  it('rounds steps to 1, 2 or 5 × 10^k', () => {
    expect([0.7, 1.4, 2.9, 3.1, 6.9, 7.1, 140, 0.0023].map(niceStep)).toEqual([1, 1, 2, 5, 5, 10, 100, 0.002]);
  });

  it('extends a data range outwards to whole steps', () => {
    const t = linearTicks(0.3, 9.2, 5, true);
    expect(t.domain).toEqual([0, 10]);
    expect(t.values).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('keeps an explicit range and only the ticks inside it', () => {
    const t = linearTicks(0.3, 9.2, 5, false);
    expect(t.domain).toEqual([0.3, 9.2]);
    expect(t.values).toEqual([2, 4, 6, 8]);
  });

  it('has no floating-point noise in tick values', () => {
    expect(linearTicks(0, 0.3, 3, true).values).toEqual([0, 0.1, 0.2, 0.3]);
    expect(linearTicks(-0.7, 0.7, 7, true).values).toEqual([-0.8, -0.6, -0.4, -0.2, 0, 0.2, 0.4, 0.6, 0.8]);
  });

  it('pads a zero-width range', () => {
    const t = linearTicks(5, 5, 5, true);
    expect(t.domain[0]).toBeLessThan(5);
    expect(t.domain[1]).toBeGreaterThan(5);
  });

  it('uses decades on log axes, with 2 and 5 on short ranges', () => {
    expect(logTicks(3, 700, true)).toMatchObject({ domain: [1, 1000], values: [1, 10, 100, 1000] });
    expect(logTicks(2, 8, true)).toMatchObject({ domain: [1, 10], values: [1, 2, 5, 10] });
    expect(logTicks(1e-3, 1e-3, true).domain).toEqual([0.001, 0.01]);
    const wide = logTicks(1e-20, 1e20, true).values;
    expect(wide.length).toBeLessThanOrEqual(9);
    expect(wide[0]).toBe(1e-20);
  });

  it('formats one axis in one style', () => {
    expect(formatTicks(linearTicks(0, 1, 2, true))).toEqual(['0', '0.5', '1.0']);
    expect(formatTicks(logTicks(10, 1e6, true))).toEqual(['1e1', '1e2', '1e3', '1e4', '1e5', '1e6']);
    expect(formatTicks(logTicks(10, 1e4, true))).toEqual(['10', '100', '1000', '10000']);
  });
});
