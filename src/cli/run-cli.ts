/**
 * The command dispatcher behind the `sparse-inference` executable, separate from the
 * process plumbing in main.ts so it can be tested with a fake context.
 *
 * Exit codes: 0 success; 1 failure (bad file, unavailable backend, numerical failure,
 * internal error); 2 usage error (unknown command or option, bad option value, and
 * SparseInferenceError BAD_ARGUMENT); 130 interrupted (Ctrl-C, SparseInferenceError ABORTED).
 * Every error is reported as one line on stderr.
 */
import { loadCommand, type CliCommandEntry, type CliContext } from './command.js';
import { CliUsageError } from './args.js';
import { SparseInferenceError } from '../core/errors.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** Top-level help: the command list from the registry. */
export function topLevelHelp(commands: readonly CliCommandEntry[]): string {
  const w = Math.max(...commands.map((c) => c.name.length), 4);
  return `Usage: sparse-inference <command> [options]

Readable implementations of A2ATS (KV-cache retrieval), CHESS (activation sparsity) and
Bayesian spline knot inference, with WebAssembly SIMD kernels.

Commands:
${commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}
  ${'help'.padEnd(w)}  Show help for a command

Options:
  -h, --help     Show this help; 'sparse-inference <command> --help' for a command
  -v, --version  Print the version

Exit codes: 0 success, 1 failure, 2 usage error (unknown command or option, bad
argument), 130 interrupted (Ctrl-C).
`;
}

/** One line: newlines in messages become spaces. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** `--help`/`-h` anywhere before a `--` separator. */
function wantsHelp(args: string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/**
 * Run the CLI for `argv` (the words after the executable) and resolve to the exit code.
 * Never throws: errors become one line on ctx.stderr and a non-zero code. Only the module of the
 * command that runs (or whose help is shown) is imported.
 */
export async function runCli(argv: string[], ctx: CliContext, commands: readonly CliCommandEntry[], version: () => string): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    ctx.stderr(topLevelHelp(commands));
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h') {
    ctx.stdout(topLevelHelp(commands));
    return EXIT.ok;
  }
  if (first === '--version' || first === '-v') {
    ctx.stdout(`${version()}\n`);
    return EXIT.ok;
  }
  if (first === 'help') {
    if (rest.length === 0) { ctx.stdout(topLevelHelp(commands)); return EXIT.ok; }
    const c = commands.find((x) => x.name === rest[0]);
    if (!c) return usageError(ctx, `unknown command '${rest[0]}' (commands: ${commands.map((x) => x.name).join(', ')})`);
    ctx.stdout((await loadCommand(c)).usage);
    return EXIT.ok;
  }
  if (first.startsWith('-')) return usageError(ctx, `unknown option '${first}' (see sparse-inference --help)`);
  const entry = commands.find((c) => c.name === first);
  if (!entry) return usageError(ctx, `unknown command '${first}' (commands: ${commands.map((c) => c.name).join(', ')})`);
  try {
    const command = await loadCommand(entry);
    if (wantsHelp(rest)) {
      ctx.stdout(command.usage);
      return EXIT.ok;
    }
    return await command.run(rest, ctx);
  } catch (e) {
    return reportError(ctx, entry.name, e);
  }
}

function usageError(ctx: CliContext, message: string): number {
  ctx.stderr(`sparse-inference: ${oneLine(message)}\n`);
  return EXIT.usage;
}

function reportError(ctx: CliContext, name: string, e: unknown): number {
  if (e instanceof CliUsageError) {
    ctx.stderr(`sparse-inference ${name}: ${oneLine(e.message)} (see sparse-inference ${name} --help)\n`);
    return EXIT.usage;
  }
  if (e instanceof SparseInferenceError) {
    ctx.stderr(`sparse-inference ${name}: ${e.code}: ${oneLine(e.message)}\n`);
    return e.code === 'BAD_ARGUMENT' ? EXIT.usage : e.code === 'ABORTED' ? EXIT.interrupted : EXIT.failure;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  ctx.stderr(`sparse-inference ${name}: internal error: ${oneLine(err.message)}\n`);
  if (typeof process !== 'undefined' && process.env?.SPARSE_INFERENCE_DEBUG === '1' && err.stack) ctx.stderr(err.stack + '\n');
  return EXIT.failure;
}
