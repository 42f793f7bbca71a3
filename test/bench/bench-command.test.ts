/**
 * `sparse-inference bench` with a stand-in suite registry (the real kernels suite takes
 * minutes): table or JSON output, results written to --out, --check exit codes, bad usage.
 */
import { describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSuite, type SuiteOptions } from '../../bench/lib/harness.js';
import type { CliContext } from '../../src/cli/command.js';

vi.mock('../../bench/lib/suites/index.js', () => ({
  suites: {
    tiny: (opts: SuiteOptions = {}) => runSuite('tiny', [
      { name: 'tiny/noop:js:1', fn: () => {} },
      { name: 'tiny/loop:js:1000', fn: () => { let s = 0; for (let i = 0; i < 1000; i++) s += i; if (s < 0) throw new Error('unreachable'); } },
    ], {
      ...opts, rounds: 1, timeMs: 10,
      ratios: [{ name: 'always passes', value: () => 2, target: 1 }, ...(opts.quick ? [] : [{ name: 'always fails', value: () => 0, target: 1 }])],
    }),
  },
}));

const { benchCommand } = await import('../../bench/lib/cli-command.js');

function fakeContext(): { ctx: CliContext; out: () => string; err: () => string } {
  let out = '', err = '';
  return {
    ctx: { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, isTTY: false, signal: new AbortController().signal },
    out: () => out, err: () => err,
  };
}

describe('bench command', () => {
  it('prints the table, writes the result, and with --check fails on a missed target', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-cli-'));
    const f = fakeContext();
    expect(await benchCommand.run(['tiny', '--out', dir], f.ctx)).toBe(0);
    expect(f.out()).toContain('tiny/loop:js:1000');
    expect(f.out()).toMatch(/always fails.*FAIL/);
    expect(f.err()).toContain('targets missed: tiny: always fails');
    const saved = JSON.parse(await readFile(join(dir, 'tiny-node.json'), 'utf8'));
    expect(saved.tasks.map((t: { name: string }) => t.name)).toEqual(['tiny/noop:js:1', 'tiny/loop:js:1000']);
    expect(await benchCommand.run(['tiny', '--out', dir, '--check'], fakeContext().ctx)).toBe(1);
    expect(await benchCommand.run(['tiny', '--out', dir, '--check', '--quick'], fakeContext().ctx)).toBe(0);
  });

  it('writes nothing without --out (it never writes into the caller\'s folder by default)', async () => {
    const f = fakeContext();
    expect(await benchCommand.run(['tiny', '--quick'], f.ctx)).toBe(0);
    expect(f.out()).toContain('tiny/loop:js:1000');
    expect(f.out() + f.err()).not.toContain('wrote');
  });

  it('--json prints the result object; with no suite named, an array of all suites', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-cli-'));
    const one = fakeContext();
    await benchCommand.run(['tiny', '--json', '--quick', '--clock', 'wall', '--out', dir], one.ctx);
    expect(JSON.parse(one.out())).toMatchObject({ suite: 'tiny', quick: true, clock: 'wall' });
    const all = fakeContext();
    await benchCommand.run(['--json', '--quick', '--out', dir], all.ctx);
    const parsed = JSON.parse(all.out());
    expect(Array.isArray(parsed)).toBe(true);
    expect(parsed[0].suite).toBe('tiny');
  });

  it('rejects an unknown suite, an unknown option and a bad --clock as usage errors', async () => {
    await expect(benchCommand.run(['nope'], fakeContext().ctx)).rejects.toMatchObject({ name: 'CliUsageError', message: expect.stringContaining("unknown suite 'nope'") });
    await expect(benchCommand.run(['--fast'], fakeContext().ctx)).rejects.toMatchObject({ name: 'CliUsageError' });
    await expect(benchCommand.run(['--clock', 'sundial'], fakeContext().ctx)).rejects.toMatchObject({ name: 'CliUsageError' });
    await expect(benchCommand.run(['tiny', 'extra'], fakeContext().ctx)).rejects.toMatchObject({ name: 'CliUsageError' });
  });
});
