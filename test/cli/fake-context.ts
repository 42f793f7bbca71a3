import type { CliContext } from '../../src/cli/command.js';

/** A CliContext that records output, for in-process CLI tests. */
export function fakeContext(opts: { isTTY?: boolean; signal?: AbortSignal } = {}): CliContext & { out: string; err: string } {
  const ctx = {
    out: '',
    err: '',
    stdout(t: string) { ctx.out += t; },
    stderr(t: string) { ctx.err += t; },
    isTTY: opts.isTTY ?? false,
    signal: opts.signal ?? new AbortController().signal,
  };
  return ctx;
}
