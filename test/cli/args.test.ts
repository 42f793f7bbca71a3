import { describe, expect, it } from 'vitest';
import { parseArgs, CliUsageError } from '../../src/cli/args.js';

const spec = {
  options: {
    out: { type: 'string', default: 'report' },
    steps: { type: 'number', integer: true, min: 1, max: 1000 },
    rate: { type: 'number', default: 0.5 },
    quick: { type: 'boolean', short: 'q' },
    backend: { type: 'string', choices: ['auto', 'wasm'] },
  },
} as const;

function usage(args: string[], s: object = spec): string {
  try {
    parseArgs(args, s);
  } catch (e) {
    expect(e).toBeInstanceOf(CliUsageError);
    const m = (e as Error).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error(`no usage error for ${args.join(' ')}`);
}

describe('parseArgs', () => {
  it('parses strings, numbers, booleans and defaults', () => {
    const { values, positionals } = parseArgs(['--steps', '200', '-q', '--rate=1e-3', '--backend', 'wasm'], spec);
    expect(values).toEqual({ out: 'report', steps: 200, rate: 0.001, quick: true, backend: 'wasm' });
    expect(positionals).toEqual([]);
    const d = parseArgs([], spec).values;
    expect(d).toEqual({ out: 'report', steps: undefined, rate: 0.5, quick: false, backend: undefined });
  });

  it('reports each mistake in one line naming the option', () => {
    expect(usage(['--nope'])).toBe("unknown option '--nope'");
    expect(usage(['--out'])).toMatch(/--out.*needs a value|--out.*argument missing/);
    expect(usage(['--steps', 'ten'])).toBe("--steps must be an integer, got 'ten'");
    expect(usage(['--steps', '2.5'])).toBe("--steps must be an integer, got '2.5'");
    expect(usage(['--steps', '0'])).toBe('--steps must be ≥ 1, got 0');
    expect(usage(['--steps', '5000'])).toBe('--steps must be ≤ 1000, got 5000');
    expect(usage(['--rate', 'NaN'])).toBe("--rate must be a number, got 'NaN'");
    expect(usage(['--rate', '1e999'])).toBe("--rate must be a number, got '1e999'");
    expect(usage(['--backend', 'gpu'])).toBe("--backend must be one of auto, wasm, got 'gpu'");
    expect(usage(['stray'])).toBe("unexpected argument 'stray'");
  });

  it('checks positional counts', () => {
    const s = { options: {}, positionals: { min: 1, max: 2 } };
    expect(parseArgs(['a', 'b'], s).positionals).toEqual(['a', 'b']);
    expect(usage([], s)).toBe('expected 1 argument, got 0');
    expect(usage(['a', 'b', 'c'], s)).toMatch(/unexpected argument 'c'/);
  });

  it('treats a broken spec as a bug, not a usage error', () => {
    expect(() => parseArgs([], { options: { x: { type: 'string', short: 'long' } } })).toThrow(TypeError);
  });
});
