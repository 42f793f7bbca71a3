/**
 * Our own command line as a child process, for suites that compare whole programs (each
 * engine pays its own start-up and JIT warm-up, as a user running it does): the compiled
 * entry beside the compiled suite (build/bench or dist), else the TypeScript source through tsx.
 */
import { SparseInferenceError } from '../../../src/core/errors.js';
import { numberAfter, runChild, type ChildRun } from './child-run.js';

/** `sparse-inference <args>` in a fresh Node process. */
export async function runOurCli(args: string[]): Promise<ChildRun> {
  const fs = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const js = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
  const ts = js.replace(/\.js$/, '.ts');
  const argv = fs.existsSync(js) ? [js] : ['--import', 'tsx', ts];
  return runChild(process.execPath, [...argv, ...args]);
}

/** `llama generate`: the speed it prints ("N tokens, X tok/s") and the process's peak RSS. */
export async function ourGenerate(args: string[]): Promise<{ tokensPerSecond: number; peakRss: number }> {
  const r = await runOurCli(['llama', 'generate', ...args]);
  const tps = numberAfter(r.stderr, /\d+ tokens, ([\d.]+) tok\/s/);
  if (r.code !== 0 || !Number.isFinite(tps)) {
    throw new SparseInferenceError('UNAVAILABLE', `sparse-inference llama generate failed (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`);
  }
  return { tokensPerSecond: tps, peakRss: r.peakRss };
}
