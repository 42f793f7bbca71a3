import { expect } from 'vitest';
import { parseXml, findAll, type XmlElement } from './xml.js';
import { SparseInferenceError } from '../../src/core/errors.js';

/** Parse an SVG (asserting well-formedness) and return the root plus the plot-area box. */
export function parseSvg(svg: string): { root: XmlElement; area: { x: number; y: number; w: number; h: number } } {
  const root = parseXml(svg);
  expect(root.name).toBe('svg');
  expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
  const rect = findAll(root, (e) => e.attrs.class === 'plot-area')[0];
  const area = rect
    ? { x: +rect.attrs.x, y: +rect.attrs.y, w: +rect.attrs.width, h: +rect.attrs.height }
    : { x: NaN, y: NaN, w: NaN, h: NaN };
  return { root, area };
}

/** Vertices of an SVG path using only M, L, H, V (absolute) commands. */
export function pathPoints(d: string): [number, number][] {
  const pts: [number, number][] = [];
  let x = 0;
  let y = 0;
  for (const m of d.matchAll(/([MLHVZ])([^MLHVZ]*)/g)) {
    const nums = m[2].split(/[ ,]+/).filter(Boolean).map(Number);
    if (m[1] === 'M' || m[1] === 'L') { [x, y] = nums; pts.push([x, y]); }
    else if (m[1] === 'H') { x = nums[0]; pts.push([x, y]); }
    else if (m[1] === 'V') { y = nums[0]; pts.push([x, y]); }
  }
  return pts;
}

/** Expect fn to throw SparseInferenceError BAD_ARGUMENT whose message matches. */
export function expectBadArgument(fn: () => unknown, message: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, `expected a throw matching ${message}`).toBeInstanceOf(SparseInferenceError);
  expect((err as SparseInferenceError).code).toBe('BAD_ARGUMENT');
  expect((err as Error).message).toMatch(message);
}

export { findAll };
