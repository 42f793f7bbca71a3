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
  | { type: 'number'; short?: string; default?: number; min?: number; max?: number; integer?: boolean }
  /** An old spelling: using it is a usage error that names the new one. */
  | { type: 'renamed'; to: string };

export interface ArgsSpec {
  options?: Record<string, OptionSpec>;
  /** Allowed number of positional arguments (default: none). */
  positionals?: { min?: number; max?: number };
}

type ValueOf<O> =
  O extends { type: 'renamed' } ? never :
  O extends { type: 'boolean' } ? boolean :
  O extends { type: 'number'; default: number } ? number :
  O extends { type: 'number' } ? number | undefined :
  O extends { type: 'string'; default: string } ? string :
  string | undefined;

export type ArgValues<S extends ArgsSpec> = { [K in keyof S['options']]: ValueOf<S['options'][K]> };

/**
 * The shared vocabulary: one spelling per concept, reused by every command (README lists it).
 * Spread what a command needs into its options, e.g. `{ ...VOCABULARY.out, ...VOCABULARY.json }`.
 */
export const VOCABULARY = {
  /** Where results go: a file or a directory, as the command's help says. */
  out: { out: { type: 'string' } },
  /** Print the results as JSON on stdout instead of text. */
  json: { json: { type: 'boolean' } },
  /** Seed of every random choice the command makes (sampling, synthetic data, k-means, MCMC). */
  seed: { seed: { type: 'number', integer: true, min: 0, default: 0 } },
  /** Threads for the kernels (wasm backend; 1 = the calling thread only). */
  threads: { threads: { type: 'number', integer: true, min: 1, max: 64, default: 1 } },
  /** How many tokens to process: generate, predict, evaluate or calibrate on. */
  tokens: {
    tokens: { type: 'number', integer: true, min: 1 },
    'max-tokens': { type: 'renamed', to: 'tokens' },
    'eval-tokens': { type: 'renamed', to: 'tokens' },
    'test-tokens': { type: 'renamed', to: 'tokens' },
  },
  /** Activation-sparsity thresholds written by `activations calibrate --out`. */
  thresholds: { thresholds: { type: 'string' } },
  /** A²ATS codebooks written by `kvcache calibrate --out`. */
  codebooks: { codebooks: { type: 'string' } },
} as const;

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
    if (o.type !== 'renamed' && o.short !== undefined) config[name].short = o.short;
  }

  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = nodeParseArgs({ args: joinNegativeValues(args, options), options: config, strict: true, allowPositionals: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (!err.code?.startsWith('ERR_PARSE_ARGS')) throw err; // a bad spec is a bug, not a usage error
    throw new CliUsageError(rephrase(err));
  }

  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(options)) {
    const raw = parsed.values[name];
    if (o.type === 'renamed') {
      if (raw !== undefined) throw new CliUsageError(`--${name} was renamed: use --${o.to}`);
      continue;
    }
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

/**
 * node:util parseArgs reads `--temperature -1` as an option followed by another option ('-1')
 * and calls it ambiguous; a value that is a number is meant as the value, so it is joined
 * (`--temperature=-1`) before parsing and then checked against the option's bounds.
 */
function joinNegativeValues(args: string[], options: Record<string, OptionSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') { out.push(...args.slice(i)); break; }
    const o = a.startsWith('--') && !a.includes('=') ? options[a.slice(2)] : undefined;
    const next = args[i + 1];
    if (o !== undefined && o.type !== 'boolean' && next !== undefined && next.startsWith('-') && NUMBER.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
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
