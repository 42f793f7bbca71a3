/**
 * llama2.c's `run.c` (Karpathy, github.com/karpathy/llama2.c) as a peer: the plain C reference
 * of the Llama forward pass our runtime follows. It is not part of this repository: point
 * LLAMA2C_SRC at a checkout (or at run.c itself) and it is compiled here, twice, with the
 * system C compiler: `-O3 -march=native` (strict float: the dot products stay scalar) and
 * `-Ofast -march=native` (llama2.c's own `make runfast`: vectorised reductions).
 * Its generation speed is what it prints itself ("achieved tok/s", timed from the second
 * token, prompt tokens included).
 */
import { SparseInferenceError } from '../../../src/core/errors.js';
import { numberAfter, runChild } from './child-run.js';

export interface Llama2cBuild {
  /** 'O3' or 'Ofast'. */
  flags: string;
  path: string;
}

/** Compile run.c from LLAMA2C_SRC (a directory holding run.c, or the file); UNAVAILABLE if unset or failing. */
export async function buildLlama2c(): Promise<Llama2cBuild[]> {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const src0 = process.env.LLAMA2C_SRC;
  if (!src0) throw new SparseInferenceError('UNAVAILABLE', 'LLAMA2C_SRC is not set (a llama2.c checkout or its run.c)');
  const src = fs.existsSync(src0) && fs.statSync(src0).isDirectory() ? path.join(src0, 'run.c') : src0;
  if (!fs.existsSync(src)) throw new SparseInferenceError('UNAVAILABLE', `LLAMA2C_SRC: ${src} does not exist`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llama2c-peer-'));
  const builds: Llama2cBuild[] = [];
  for (const flags of ['O3', 'Ofast']) {
    const out = path.join(dir, `run-${flags}`);
    const r = await runChild('gcc', [`-${flags}`, '-march=native', '-o', out, src, '-lm']);
    if (r.code !== 0) throw new SparseInferenceError('UNAVAILABLE', `gcc -${flags} run.c failed: ${r.stderr.trim().split('\n')[0]}`);
    builds.push({ flags, path: out });
  }
  return builds;
}

/** One generation: its own tokens/s and the process's peak RSS. */
export async function runLlama2c(build: Llama2cBuild, model: string, tokenizer: string,
  o: { steps: number; prompt?: string }): Promise<{ tokensPerSecond: number; peakRss: number }> {
  const args = [model, '-z', tokenizer, '-t', '0', '-n', String(o.steps), ...(o.prompt ? ['-i', o.prompt] : [])];
  const r = await runChild(build.path, args);
  const tps = numberAfter(r.stderr, /achieved tok\/s: ([\d.]+)/);
  if (r.code !== 0 || !Number.isFinite(tps)) {
    throw new SparseInferenceError('UNAVAILABLE', `run.c (${build.flags}) failed (exit ${r.code}): ${r.stderr.trim().slice(0, 200)}`);
  }
  return { tokensPerSecond: tps, peakRss: r.peakRss };
}
