#!/usr/bin/env node
/**
 * The `sparse-inference` executable: the registry of subcommands and the Node process
 * plumbing (stdout/stderr, Ctrl-C → AbortSignal, exit code). Dispatch lives in run-cli.ts.
 *
 * Adding a command: write src/cli/commands/<name>.ts exporting `<name>Command: CliCommand`,
 * then add one registry entry below (its summary as the module's: a test compares them).
 *
 * The registry imports no command module: `sparse-inference --help` needs only names and
 * summaries, and `llama generate` only the llama command's module (the others pull in the
 * report, the knot sampler and the evaluation code).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliContext, LazyCliCommand } from './command.js';
import { runCli, EXIT } from './run-cli.js';
import { packageVersion } from './version.js';

/** Every subcommand, in the order `--help` lists them; each module is imported when it runs. */
export const commands: readonly LazyCliCommand[] = [
  { name: 'info', summary: 'Show the runtime, kernel backends, WASM SIMD and WebGPU availability',
    load: async () => (await import('./commands/info.js')).infoCommand },
  { name: 'demo', summary: 'Run every report section and write a self-contained HTML report',
    load: async () => (await import('./commands/demo.js')).demoCommand },
  { name: 'llama', summary: 'Run a Llama checkpoint: generate text, measure perplexity, convert to safetensors',
    load: async () => (await import('./commands/llama.js')).llamaCommand },
  { name: 'activations', summary: 'Activation sparsity (CHESS, CATS, TEAL): calibrate thresholds, evaluate accuracy',
    load: async () => (await import('./commands/activations.js')).activationsCommand },
  { name: 'knots', summary: 'Bayesian spline knot inference: fit a CSV, denoise a manifold, run paper experiments',
    load: async () => (await import('./commands/knots.js')).knotsCommand },
  { name: 'kvcache', summary: 'A²ATS KV-cache retrieval: evaluate on synthetic data or a real model, calibrate codebooks, throughput model',
    load: async () => (await import('./commands/kvcache.js')).kvcacheCommand },
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
    progressLogSeconds: progressLogSeconds(process.env.SPARSE_INFERENCE_PROGRESS_LOG),
    signal: controller.signal,
  };
  return { ctx, dispose: () => { process.off('SIGINT', onSigint); } };
}

/** SPARSE_INFERENCE_PROGRESS_LOG=SECONDS: progress lines in logs (see CliContext.progressLogSeconds). */
function progressLogSeconds(value: string | undefined): number | undefined {
  const s = Number(value);
  return value !== undefined && Number.isFinite(s) && s > 0 ? s : undefined;
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
