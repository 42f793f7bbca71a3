import { describe, expect, it } from 'vitest';
import { runCli, topLevelHelp } from '../../src/cli/run-cli.js';
import { CliUsageError } from '../../src/cli/args.js';
import type { CliCommand, CliCommandEntry, LazyCliCommand } from '../../src/cli/command.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { commands } from '../../src/cli/main.js';
import { fakeContext } from './fake-context.js';

/** A command whose behaviour is chosen by its first argument. */
const probe: CliCommand = {
  name: 'probe',
  summary: 'test command',
  usage: 'Usage: sparse-inference probe <what>\n',
  async run(args, ctx) {
    switch (args[0]) {
      case 'ok': ctx.stdout('fine\n'); return 0;
      case 'usage': throw new CliUsageError('--x must be a number, got \'y\'');
      case 'bad': throw new SparseInferenceError('BAD_ARGUMENT', 'k must be in [1, 10],\ngot 0');
      case 'file': throw new SparseInferenceError('BAD_FILE', 'checkpoint truncated');
      case 'abort': throw new SparseInferenceError('ABORTED', 'run was aborted');
      default: throw new Error('boom');
    }
  },
};

async function run(argv: string[], registry: readonly CliCommandEntry[] = [probe]) {
  const ctx = fakeContext();
  const code = await runCli(argv, ctx, registry, () => '9.9.9');
  return { code, out: ctx.out, err: ctx.err };
}

describe('runCli', () => {
  it('prints help and version', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, out: topLevelHelp([probe]) });
    expect((await run(['-h'])).out).toContain('probe  test command');
    expect(await run(['--version'])).toEqual({ code: 0, out: '9.9.9\n', err: '' });
    expect(await run(['probe', '--help'])).toMatchObject({ code: 0, out: probe.usage });
    expect(await run(['probe', 'x', '-h'])).toMatchObject({ code: 0, out: probe.usage });
    expect(await run(['help', 'probe'])).toMatchObject({ code: 0, out: probe.usage });
    // After '--', --help is an ordinary argument.
    expect((await run(['probe', '--', '--help'])).code).toBe(1);
  });

  it('maps errors to one stderr line and documented exit codes', async () => {
    const cases: [string, number, RegExp][] = [
      ['ok', 0, /^$/],
      ['usage', 2, /^sparse-inference probe: --x must be a number, got 'y' \(see sparse-inference probe --help\)\n$/],
      ['bad', 2, /^sparse-inference probe: BAD_ARGUMENT: k must be in \[1, 10\], got 0\n$/],
      ['file', 1, /^sparse-inference probe: BAD_FILE: checkpoint truncated\n$/],
      ['abort', 130, /ABORTED/],
      ['crash', 1, /^sparse-inference probe: internal error: boom\n$/],
    ];
    for (const [what, code, err] of cases) {
      const r = await run(['probe', what]);
      expect(r.code, what).toBe(code);
      expect(r.err, what).toMatch(err);
    }
  });

  it('rejects unknown commands and options with exit code 2', async () => {
    const r = await run(['nope']);
    expect(r).toMatchObject({ code: 2, err: "sparse-inference: unknown command 'nope' (commands: probe)\n" });
    expect((await run(['--nope'])).code).toBe(2);
    expect((await run(['help', 'nope'])).code).toBe(2);
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: sparse-inference <command>');
  });

  it('has a registry of uniquely named commands, each with help', async () => {
    const names = commands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['info', 'demo']));
    for (const c of commands) {
      const r = await run([c.name, '--help'], commands);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: sparse-inference ${c.name}`));
      expect(c.summary.length).toBeGreaterThan(0);
    }
  });

  it('registry entries name and summarise the modules they load', async () => {
    for (const entry of commands) {
      const command = await entry.load();
      expect({ name: command.name, summary: command.summary }).toEqual({ name: entry.name, summary: entry.summary });
    }
  });
});

describe('lazy commands', () => {
  /** Two lazy entries that record which modules were loaded. */
  function registry() {
    const loaded: string[] = [];
    const lazy = (name: string): LazyCliCommand => ({
      name, summary: `${name} command`,
      load: async () => { loaded.push(name); return { ...probe, name, summary: `${name} command` }; },
    });
    return { loaded, entries: [lazy('a'), lazy('b')] };
  }

  it('the top-level help and the version load no module; a run or a help loads only its own', async () => {
    for (const [argv, expected] of [[['--help'], []], [['--version'], []], [['nope'], []], [['b', 'ok'], ['b']],
      [['a', '--help'], ['a']], [['help', 'b'], ['b']]] as [string[], string[]][]) {
      const { loaded, entries } = registry();
      const r = await run(argv, entries);
      expect(loaded, argv.join(' ')).toEqual(expected);
      if (argv[0] === 'b') expect(r).toMatchObject({ code: 0, out: 'fine\n' });
      if (argv[0] === '--help') expect(r.out).toMatch(/\n  a +a command\n  b +b command\n/);
    }
  });

  it('a module that fails to load is a one-line internal error of that command, exit 1', async () => {
    const broken: LazyCliCommand = { name: 'x', summary: 'x', load: () => Promise.reject(new Error('cannot find module')) };
    expect(await run(['x', 'ok'], [broken])).toMatchObject({ code: 1, err: 'sparse-inference x: internal error: cannot find module\n' });
  });
});
