import { describe, expect, it } from 'vitest';
import { htmlTable, formatNumber } from '../../src/plot/index.js';
import { parseXml, findAll, textOf } from './xml.js';
import { expectBadArgument } from './helpers.js';

describe('htmlTable', () => {
  it('escapes text, right-aligns and rounds numbers', () => {
    const html = htmlTable(['name <n>', 'value'], [['a & b', 3.14159], ['"q"', 4096], ['tiny', 1.2345e-7]], { digits: 3 });
    const root = parseXml(html);
    const cells = findAll(root, (e) => e.name === 'td');
    expect(cells.map(textOf)).toEqual(['a & b', '3.14', '"q"', '4096', 'tiny', '1.23e-7']);
    expect(cells.filter((c) => c.attrs.class === 'num')).toHaveLength(3);
    expect(findAll(root, (e) => e.name === 'th').map(textOf)).toEqual(['name <n>', 'value']);
  });

  it('prints non-finite numbers visibly', () => {
    expect([NaN, Infinity, -Infinity].map((v) => formatNumber(v, 4))).toEqual(['NaN', '∞', '-∞']);
    expect(formatNumber(123456.789, 4)).toBe('123500');
    expect(formatNumber(0.000123456, 2)).toBe('1.2e-4');
  });

  it('rejects malformed tables, naming the argument', () => {
    expectBadArgument(() => htmlTable([], []), /headers must be a non-empty array/);
    expectBadArgument(() => htmlTable(['a', 'b'], [['x', 1], ['y']]), /rows\[1\] must have 2 cells/);
    expectBadArgument(() => htmlTable(['a'], [[{} as never]]), /rows\[0\]\[0\] must be a string or number/);
    expectBadArgument(() => htmlTable(['a'], [], { digits: 0 }), /digits/);
  });
});
