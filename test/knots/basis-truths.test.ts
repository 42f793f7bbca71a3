import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeWithShared } from '../_harness/shared-data.js';
import { bsplineBasis } from '../../src/knots/bspline-basis.js';
import { naturalSplineBasis } from '../../src/knots/natural-spline.js';

function readCsv(path: string): Record<string, number[]> {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.replace(/"/g, ''));
  const cols: Record<string, number[]> = Object.fromEntries(header.map((h) => [h, [] as number[]]));
  for (const line of lines.slice(1)) line.split(',').forEach((v, j) => cols[header[j]].push(Number(v)));
  return cols;
}

function combine(values: Float64Array, rows: number, cols: number, beta: number[], scale = 1): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += values[i * cols + j] * beta[j];
    out[i] = scale * s;
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describeWithShared('spline truths computed with R splines (../shared/data/spline_truths.csv)', ['data/spline_truths.csv'], ([path]) => {
  const data = readCsv(path);
  const x = data.x;

  it('has the 1001-point grid', () => {
    expect(x.length).toBe(1001);
    expect(x[1000]).toBe(1);
  });

  it('ns jump curve: 5·ns(x, knots=(.4,.4,.4,.4,.7), intercept)·β matches to 1e-9', () => {
    const B = naturalSplineBasis(x, [0.4, 0.4, 0.4, 0.4, 0.7], { intercept: true });
    expect(B.cols).toBe(7);
    const f = combine(B.values, B.rows, B.cols, [2, -5, 5, 2, -3, -1, 2], 5);
    expect(maxAbsDiff(f, data.curve3_jump_ns)).toBeLessThan(1e-9);
  });

  const cases: [string, number[], number[]][] = [
    ['knots_case1', [0.5], [1, -1, 1]],
    ['knots_case2', [0.3, 0.7], [2, -1, -2, -1]],
    ['knots_case3', [0.2, 0.2, 0.5, 0.7], [0, -1, 1, 0, 1, 0]],
  ];
  for (const [name, knots, beta] of cases) {
    it(`${name}: linear bs with intercept matches to 1e-9`, () => {
      const B = bsplineBasis(x, knots, { degree: 1, intercept: true });
      expect(B.cols).toBe(beta.length);
      expect(maxAbsDiff(combine(B.values, B.rows, B.cols, beta), data[name])).toBeLessThan(1e-9);
    });
  }
});
