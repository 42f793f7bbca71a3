/**
 * The benchmark harness: per-call times (batched for tiny calls) in proportion to the work
 * done, GB/s and GFLOP/s from the median, ratios and their pass/fail, progress, abort, the
 * table, and the JSON written to disk.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectRuntime, formatTable, runSuite, sink, writeResult, type BenchTask, type SuiteResult } from '../../bench/lib/harness.js';
import { SparseInferenceError } from '../../src/core/errors.js';

/** Work proportional to n: a dependent chain the optimiser cannot shorten. */
function work(n: number): void {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s * 1.000001 + i) % 1e6;
  sink(s);
}

const fast = { rounds: 2, timeMs: 25 };

describe('runSuite', () => {
  it('reports per-call times in proportion to the work (same run), and derived rates', async () => {
    const tasks: BenchTask[] = [
      { name: 'test/work:js:1x', fn: () => work(20_000), bytes: 80_000, flops: 40_000 },
      { name: 'test/work:js:4x', fn: () => work(80_000) },
      { name: 'test/work:js:tiny', fn: () => work(10) }, // batched: far below timer resolution
    ];
    const r = await runSuite('test', tasks, { ...fast, clock: 'cpu' });
    const [one, four, tiny] = r.tasks;
    const ratio = four.medianMs / one.medianMs;
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(6);
    expect(tiny.medianMs).toBeGreaterThan(0);
    expect(tiny.medianMs).toBeLessThan(one.medianMs / 100);
    expect(one.p25Ms).toBeLessThanOrEqual(one.medianMs);
    expect(one.p75Ms).toBeGreaterThanOrEqual(one.medianMs);
    expect(one.samples).toBeGreaterThanOrEqual(2 * 5);
    expect(one.gbPerS! * one.medianMs * 1e6).toBeCloseTo(80_000, 6);
    expect(one.gflopPerS! * one.medianMs * 1e6).toBeCloseTo(40_000, 6);
    expect(four.gbPerS).toBeUndefined();
    expect(r).toMatchObject({ suite: 'test', quick: false, clock: 'cpu', runtime: { name: 'node' } });
    expect(Number.isNaN(Date.parse(r.date))).toBe(false);
  });

  it('computes ratios from the same run and marks targets PASS/FAIL', async () => {
    const r = await runSuite('test', [
      { name: 'a', fn: () => work(10_000) },
      { name: 'b', fn: () => work(30_000) },
    ], {
      ...fast, clock: 'wall',
      ratios: [
        { name: 'b over a', value: (t) => t('b').medianMs / t('a').medianMs, target: 1.5, unit: 'x' },
        { name: 'a over b', value: (t) => t('a').medianMs / t('b').medianMs, target: 1 },
        { name: 'informational', value: () => 42 },
      ],
    });
    expect(r.ratios.map((x) => x.pass)).toEqual([true, false, undefined]);
    expect(r.ratios[0].value).toBeCloseTo(r.tasks[1].medianMs / r.tasks[0].medianMs, 12);
    expect(r.ratios[2]).toEqual({ name: 'informational', value: 42 });
    expect(r.clock).toBe('wall');
  });

  it('reports progress up to 1, runs setup once before measuring, and honours abort', async () => {
    const seen: number[] = [];
    let setups = 0;
    let callsBeforeSetup = 0;
    await runSuite('test', [
      { name: 'a', setup: () => { setups++; }, fn: () => { if (setups === 0) callsBeforeSetup++; work(100); } },
      { name: 'b', fn: () => work(100) },
    ], { ...fast, onProgress: (f) => seen.push(f) });
    expect(seen).toEqual([0.25, 0.5, 0.75, 1]);
    expect(setups).toBe(1);
    expect(callsBeforeSetup).toBe(0);

    const controller = new AbortController();
    controller.abort();
    await expect(runSuite('test', [{ name: 'a', fn: () => work(10) }], { ...fast, signal: controller.signal }))
      .rejects.toMatchObject({ code: 'ABORTED' });
    await expect(runSuite('test', [{ name: 'a', fn: () => work(10) }], { ...fast, signal: controller.signal }))
      .rejects.toBeInstanceOf(SparseInferenceError);
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const bad = async (p: Promise<unknown>, arg: string) => {
      const e = await p.then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(SparseInferenceError);
      expect(e).toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining(arg) });
    };
    const one = [{ name: 'a', fn: () => {} }];
    await bad(runSuite('test', [{ name: 'a', fn: () => {} }, { name: 'a', fn: () => {} }], fast), 'tasks');
    await bad(runSuite('test', one, { ...fast, ratios: [{ name: 'r', value: (t) => t('zz').medianMs }] }), 'ratios');
    await bad(runSuite('test', one, { ...fast, rounds: 0 }), 'rounds');
    await bad(runSuite('test', one, { ...fast, timeMs: -5 }), 'timeMs');
    await bad(runSuite('test', one, { ...fast, clock: 'sundial' as never }), 'clock');
  });

  it('measures async tasks', async () => {
    const r = await runSuite('test', [{ name: 'async', fn: async () => { await Promise.resolve(); work(1000); } }], fast);
    expect(r.tasks[0].medianMs).toBeGreaterThan(0);
  });
});

describe('formatTable and writeResult', () => {
  const result: SuiteResult = {
    suite: 'demo', runtime: { name: 'node', version: '20.0.0' }, date: '2026-01-01T00:00:00.000Z', quick: true,
    clock: 'cpu',
    tasks: [
      { name: 'kernels/dot:wasm-simd:4096', medianMs: 0.0006, p25Ms: 0.0005, p75Ms: 0.0007, samples: 100, gbPerS: 54.6, gflopPerS: 13.7 },
      { name: 'kernels/dot:reference:4096', medianMs: 0.0068, p25Ms: 0.0067, p75Ms: 0.0069, samples: 90, note: 'plain arrays' },
    ],
    ratios: [
      { name: 'dot speed-up', value: 11.3, target: 5, pass: true, unit: 'x' },
      { name: 'roofline', value: 0.61, target: 0.7, pass: false, unit: 'of roofline' },
    ],
    notes: ['measured under load'],
  };

  it('prints every task, the ratios with targets and PASS/FAIL, and says QUICK', () => {
    const text = formatTable(result);
    for (const t of result.tasks) expect(text).toContain(t.name);
    expect(text).toMatch(/dot speed-up\s+11\.3 x\s+≥ 5\.00\s+PASS/);
    expect(text).toMatch(/roofline\s+0\.610 of roofline\s+≥ 0\.700\s+FAIL/);
    expect(text).toContain('QUICK');
    expect(text).toContain('CPU-time clock');
    expect(text).toContain('note: measured under load');
    expect(text).toContain('plain arrays');
  });

  it('writes <suite>-<runtime>.json (quick: .quick.json) and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-'));
    const quickFile = await writeResult(result, dir);
    expect(quickFile).toBe(join(dir, 'demo-node.quick.json'));
    const full = await writeResult({ ...result, quick: false }, join(dir, 'nested'));
    expect(full).toBe(join(dir, 'nested', 'demo-node.json'));
    expect(JSON.parse(await readFile(quickFile, 'utf8'))).toEqual(result);
    expect((await readdir(dir)).sort()).toEqual(['demo-node.quick.json', 'nested']);
  });

  it('detects the runtime', () => {
    expect(detectRuntime()).toEqual({ name: 'node', version: process.versions.node });
  });
});
