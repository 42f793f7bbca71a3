/**
 * Command-line option parsing for subcommands: a thin layer over node:util parseArgs that
 * adds number options (validated, with bounds) and string choices, and turns every mistake
 * into a CliUsageError with a one-line message (the CLI prints it and exits with code 2).
 */
import { parseArgs as nodeParseArgs } from 'node:util';

/** A mistake in how the command was called (unknown option, missing or bad value). */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export type OptionSpec =
  | { type: 'boolean'; short?: string }
  | { type: 'string'; short?: string; default?: string; choices?: readonly string[] }
  | { type: 'number'; short?: string; default?: number; min?: number; max?: number; integer?: boolean };

export interface ArgsSpec {
  options?: Record<string, OptionSpec>;
  /** Allowed number of positional arguments (default: none). */
  positionals?: { min?: number; max?: number };
}

type ValueOf<O> =
  O extends { type: 'boolean' } ? boolean :
  O extends { type: 'number'; default: number } ? number :
  O extends { type: 'number' } ? number | undefined :
  O extends { type: 'string'; default: string } ? string :
  string | undefined;

export type ArgValues<S extends ArgsSpec> = { [K in keyof S['options']]: ValueOf<S['options'][K]> };

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Parse `args` (the words after the subcommand name) against `spec`.
 * Booleans default to false; numbers are checked for format, integrality and bounds.
 *
 * @throws CliUsageError with a one-line message naming the option.
 * @example
 * const { values } = parseArgs(['--steps', '200', '--quick'], {
 *   options: { steps: { type: 'number', integer: true, min: 1, default: 100 }, quick: { type: 'boolean' } },
 * });
 * values.steps // 200
 */
export function parseArgs<const S extends ArgsSpec>(args: string[], spec: S): { values: ArgValues<S>; positionals: string[] } {
  const options = (spec.options ?? {}) as Record<string, OptionSpec>;
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, o] of Object.entries(options)) {
    config[name] = { type: o.type === 'boolean' ? 'boolean' : 'string' };
    if (o.short !== undefined) config[name].short = o.short;
  }

  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = nodeParseArgs({ args, options: config, strict: true, allowPositionals: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (!err.code?.startsWith('ERR_PARSE_ARGS')) throw err; // a bad spec is a bug, not a usage error
    throw new CliUsageError(rephrase(err));
  }

  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(options)) {
    const raw = parsed.values[name];
    if (o.type === 'boolean') {
      values[name] = raw === true;
    } else if (raw === undefined) {
      values[name] = o.default;
    } else if (typeof raw !== 'string') {
      throw new CliUsageError(`--${name} needs a value`);
    } else if (o.type === 'string') {
      if (o.choices && !o.choices.includes(raw)) {
        throw new CliUsageError(`--${name} must be one of ${o.choices.join(', ')}, got '${raw}'`);
      }
      values[name] = raw;
    } else {
      values[name] = parseNumber(name, raw, o);
    }
  }

  const pos = parsed.positionals;
  const min = spec.positionals?.min ?? 0;
  const max = spec.positionals?.max ?? 0;
  if (pos.length > max) {
    throw new CliUsageError(max === 0 ? `unexpected argument '${pos[0]}'` : `unexpected argument '${pos[max]}' (at most ${max} expected)`);
  }
  if (pos.length < min) throw new CliUsageError(`expected ${min} argument${min === 1 ? '' : 's'}, got ${pos.length}`);
  return { values: values as ArgValues<S>, positionals: pos };
}

function parseNumber(name: string, raw: string, o: Extract<OptionSpec, { type: 'number' }>): number {
  const kind = o.integer ? 'an integer' : 'a number';
  if (!NUMBER.test(raw.trim())) throw new CliUsageError(`--${name} must be ${kind}, got '${raw}'`);
  const v = Number(raw);
  if (!Number.isFinite(v) || (o.integer && !Number.isInteger(v))) throw new CliUsageError(`--${name} must be ${kind}, got '${raw}'`);
  if (o.min !== undefined && v < o.min) throw new CliUsageError(`--${name} must be ≥ ${o.min}, got ${raw}`);
  if (o.max !== undefined && v > o.max) throw new CliUsageError(`--${name} must be ≤ ${o.max}, got ${raw}`);
  return v;
}

/** node:util's messages are long and multi-line; keep the essential first clause. */
function rephrase(e: Error & { code?: string }): string {
  const opt = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${opt ?? e.message}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(e.message) && opt ? `${opt} needs a value` : e.message.split('\n')[0].replace(/\.$/, '');
    default:
      return e.message.split('\n')[0].replace(/\.$/, '');
  }
}
