import { describe, expect, it } from 'vitest';
import { createProgressBar } from '../../src/cli/progress.js';
import { fakeContext } from './fake-context.js';
import { SparseInferenceError } from '../../src/core/errors.js';

describe('createProgressBar', () => {
  it('draws nothing when stderr is not a terminal', () => {
    const ctx = fakeContext({ isTTY: false });
    const bar = createProgressBar(ctx, 'work');
    bar(0.5, 'half');
    bar(1);
    bar.done();
    expect(ctx.err).toBe('');
    expect(ctx.out).toBe('');
  });

  it('off a terminal, writes a plain line at most every progressLogSeconds when asked', () => {
    const ctx = Object.assign(fakeContext({ isTTY: false }), { progressLogSeconds: 30 });
    let t = 0;
    const bar = createProgressBar(ctx, 'work', { now: () => t });
    bar(0.25, 'a');
    t = 10_000;
    bar(0.5, 'b');
    t = 31_000;
    bar(0.75, 'c');
    bar.done();
    expect(ctx.err).toBe('work 25.0% a (0 s)\nwork 75.0% c (31 s)\n');
  });

  it('draws a throttled bar on a terminal and erases it when done', () => {
    const ctx = fakeContext({ isTTY: true });
    let t = 0;
    const bar = createProgressBar(ctx, 'work', { width: 10, intervalMs: 100, now: () => t });
    bar(0.42, 'step a');
    expect(ctx.err).toBe('\rwork [####......]  42% step a\x1b[K');
    t = 50;
    bar(0.6, 'too soon');
    expect(ctx.err).not.toContain('too soon');
    t = 150;
    bar(0.7);
    expect(ctx.err.endsWith('\rwork [#######...]  70%\x1b[K')).toBe(true);
    t = 160;
    bar(1.3); // clamped; the final draw is never throttled
    expect(ctx.err.endsWith('\rwork [##########] 100%\x1b[K')).toBe(true);
    bar.done();
    expect(ctx.err.endsWith('\r\x1b[K')).toBe(true);
    expect(ctx.out).toBe('');
  });

  it('rejects NaN progress', () => {
    const bar = createProgressBar(fakeContext({ isTTY: true }), 'x');
    expect(() => bar(NaN)).toThrow(SparseInferenceError);
    expect(() => bar(NaN)).toThrow(/fraction/);
  });
});
