/**
 * Rng: pinned streams (against the independent Python implementation in
 * scripts/fixtures/rng.py, itself checked against the published xoshiro128** vector),
 * determinism, split(), and argument validation.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { expectError, loadFixture } from './helpers.js';

interface Stream {
  seed: number; nextU32: number[]; uniform: number[];
  int: { n: number[]; values: number[] };
  splitSeed: number; childNextU32: number[]; parentAfterSplit: number[];
}
const fixture = loadFixture<{ streams: Stream[] }>('rng-streams.json');

describe('Rng streams match the Python reference implementation', () => {
  it('covers seeds 0, 1, 42 and seeds with a non-zero high word', () => {
    expect(fixture.streams.map((s) => s.seed)).toEqual([0, 1, 42, 2 ** 32 + 7, 2 ** 53 - 1]);
  });
  for (const s of fixture.streams) {
    it(`seed ${s.seed}: first 8 nextU32`, () => {
      const rng = new Rng(s.seed);
      expect(Array.from({ length: 8 }, () => rng.nextU32())).toEqual(s.nextU32);
    });
    it(`seed ${s.seed}: uniform() bit-exact`, () => {
      const rng = new Rng(s.seed);
      expect(Array.from({ length: 4 }, () => rng.uniform())).toEqual(s.uniform);
    });
    it(`seed ${s.seed}: int(n) across ranges, including n = 2^32`, () => {
      const rng = new Rng(s.seed);
      expect(s.int.n.map((n) => rng.int(n))).toEqual(s.int.values);
    });
    it(`seed ${s.seed}: split() seed and the child and parent streams`, () => {
      const parent = new Rng(s.seed);
      const child = parent.split();
      expect(Array.from({ length: 4 }, () => child.nextU32())).toEqual(s.childNextU32);
      expect([parent.nextU32(), parent.nextU32()]).toEqual(s.parentAfterSplit);
      const direct = new Rng(s.splitSeed);
      expect(Array.from({ length: 4 }, () => direct.nextU32())).toEqual(s.childNextU32);
    });
  }
});

describe('Rng determinism', () => {
  const draw = (rng: Rng) => [
    rng.uniform(), rng.normal(), rng.normal(2, 3), rng.gamma(0.4), rng.gamma(3, 2), rng.beta(2, 5),
    rng.int(17), rng.categorical([1, 2, 3]), ...rng.shuffle([1, 2, 3, 4, 5]),
    ...rng.sampleWithoutReplacement(100, 5), rng.uniformOpen(),
  ];
  it('equal seeds give equal streams across every method', () => {
    expect(draw(new Rng(123))).toEqual(draw(new Rng(123)));
  });
  it('different seeds give different streams', () => {
    expect(draw(new Rng(123))).not.toEqual(draw(new Rng(124)));
  });
  it('split() gives streams distinct from the parent and from each other', () => {
    const parent = new Rng(5);
    const a = parent.split();
    const b = parent.split();
    const take = (r: Rng) => Array.from({ length: 16 }, () => r.nextU32());
    const [pa, sa, sb] = [take(parent), take(a), take(b)];
    expect(sa).not.toEqual(sb);
    expect(sa).not.toEqual(pa);
    expect(sb).not.toEqual(pa);
    // No shared values at all between the three 16-value windows (collisions ~ 1e-7).
    expect(new Set([...pa, ...sa, ...sb]).size).toBe(48);
  });
  it('split() is itself deterministic', () => {
    const x = new Rng(99).split();
    const y = new Rng(99).split();
    expect(Array.from({ length: 8 }, () => x.nextU32())).toEqual(Array.from({ length: 8 }, () => y.nextU32()));
  });
  it('uniform() lies in [0, 1) and uniformOpen() in (0, 1)', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 10_000; i++) {
      const u = rng.uniform();
      const v = rng.uniformOpen();
      expect(u >= 0 && u < 1 && v > 0 && v < 1).toBe(true);
    }
  });
});

describe('Rng argument validation', () => {
  it('rejects bad seeds', () => {
    for (const seed of [-1, 1.5, NaN, Infinity, 2 ** 53]) expectError(() => new Rng(seed), 'BAD_ARGUMENT', /seed/);
    expectError(() => new Rng('7' as unknown as number), 'BAD_ARGUMENT', /seed/);
  });
  it('rejects bad int() bounds', () => {
    const rng = new Rng(1);
    for (const n of [0, -3, 2.5, NaN, 2 ** 32 + 1]) expectError(() => rng.int(n), 'BAD_ARGUMENT', /\bn\b/);
  });
  it('rejects bad normal() parameters', () => {
    const rng = new Rng(1);
    expectError(() => rng.normal(NaN, 1), 'BAD_ARGUMENT', /mean/);
    expectError(() => rng.normal(0, -1), 'BAD_ARGUMENT', /sd/);
    expectError(() => rng.normal(0, Infinity), 'BAD_ARGUMENT', /sd/);
  });
  it('rejects bad gamma() and beta() parameters', () => {
    const rng = new Rng(1);
    for (const a of [0, -1, NaN, Infinity]) expectError(() => rng.gamma(a), 'BAD_ARGUMENT', /shape/);
    expectError(() => rng.gamma(1, 0), 'BAD_ARGUMENT', /scale/);
    expectError(() => rng.beta(0, 1), 'BAD_ARGUMENT', /\ba\b/);
    expectError(() => rng.beta(1, NaN), 'BAD_ARGUMENT', /\bb\b/);
  });
  it('rejects bad categorical() weights', () => {
    const rng = new Rng(1);
    expectError(() => rng.categorical([]), 'BAD_ARGUMENT', /weights/);
    expectError(() => rng.categorical([0, 0]), 'BAD_ARGUMENT', /weights/);
    expectError(() => rng.categorical([1, -1]), 'BAD_ARGUMENT', /weights\[1\]/);
    expectError(() => rng.categorical([1, NaN]), 'BAD_ARGUMENT', /weights\[1\]/);
    expectError(() => rng.categorical([1, Infinity]), 'BAD_ARGUMENT', /weights\[1\]/);
  });
  it('rejects bad sampleWithoutReplacement() sizes', () => {
    const rng = new Rng(1);
    expectError(() => rng.sampleWithoutReplacement(5, 6), 'BAD_ARGUMENT', /\bk\b/);
    expectError(() => rng.sampleWithoutReplacement(-1, 0), 'BAD_ARGUMENT', /\bn\b/);
    expectError(() => rng.sampleWithoutReplacement(5, 1.5), 'BAD_ARGUMENT', /\bk\b/);
    expectError(() => rng.sampleWithoutReplacement(2 ** 40, 1), 'BAD_ARGUMENT', /\bn\b.*4294967296/);
  });
});
