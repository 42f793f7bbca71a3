#!/usr/bin/env node
/**
 * The `sparse-inference` executable: the registry of subcommands and the Node process
 * plumbing (stdout/stderr, Ctrl-C → AbortSignal, exit code). Dispatch lives in run-cli.ts.
 *
 * Adding a command: write src/cli/commands/<name>.ts exporting `<name>Command: CliCommand`,
 * then add one import and one registry entry below.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliCommand, CliContext } from './command.js';
import { runCli, EXIT } from './run-cli.js';
import { packageVersion } from './version.js';
import { infoCommand } from './commands/info.js';
import { demoCommand } from './commands/demo.js';
import { llamaCommand } from './commands/llama.js';
import { activationsCommand } from './commands/activations.js';
import { knotsCommand } from './commands/knots.js';
import { kvcacheCommand } from './commands/kvcache.js';

/** Every subcommand, in the order `--help` lists them. */
export const commands: readonly CliCommand[] = [
  infoCommand,
  demoCommand,
  llamaCommand,
  activationsCommand,
  knotsCommand,
  kvcacheCommand,
];

/** A context on the real process; dispose() removes the Ctrl-C handler. */
export function processContext(): { ctx: CliContext; dispose(): void } {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\ninterrupted: stopping (press Ctrl-C again to quit at once)\n');
      controller.abort(new Error('interrupted by Ctrl-C'));
    } else {
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSigint);
  const ctx: CliContext = {
    stdout: (t) => { process.stdout.write(t); },
    stderr: (t) => { process.stderr.write(t); },
    isTTY: process.stderr.isTTY === true,
    signal: controller.signal,
  };
  return { ctx, dispose: () => { process.off('SIGINT', onSigint); } };
}

/** Run the CLI on process.argv and set the exit code (letting stdout drain). */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { ctx, dispose } = processContext();
  try {
    process.exitCode = await runCli(argv, ctx, commands, packageVersion);
  } finally {
    dispose();
  }
}

/** True when this file is the process entry (directly or through the npm bin symlink). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) await main();
