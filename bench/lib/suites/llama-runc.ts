/**
 * The llama-runc suite: our command line against llama2.c's run.c (its C reference) on the
 * same checkpoint, generating greedily in alternating runs — each engine a fresh process
 * timing its own generation, so JIT warm-up and per-token overhead count as a user sees them.
 *
 *   stories260K   the real checkpoint from ../shared/models (256 tokens from BOS): a toy
 *                 whose decode step is a few µs of arithmetic, so per-call overhead decides
 *   110M-shapes   random weights of stories110M's shapes, written as a llama2.c checkpoint in
 *                 a temporary folder (with tok512 padded to 32000 pieces): weight streaming
 *                 decides (438 MB per token)
 *
 * run.c is compiled from LLAMA2C_SRC twice (see ../peers/llama2c-peer.ts): -O3 (the brief's
 * build; strict float keeps its dot products scalar) and -Ofast (llama2.c's `make runfast`).
 * Targets (issue: per-token overhead): ours ≥ 0.5x run.c on stories260K, ≥ 1.0x on 110M-shapes,
 * against both builds. Peak RSS per process comes from /usr/bin/time when present.
 *
 * @example LLAMA2C_SRC=~/llama2.c npx tsx bench/lib/main.ts llama-runc --quick
 */
import { SparseInferenceError } from '../../../src/core/errors.js';
import { throwIfAborted } from '../../../src/core/errors.js';
import { createKernels } from '../../../src/backends/create-kernels.js';
import { randomLlama } from '../../../src/llama/random-llama.js';
import type { SuiteOptions, SuiteResult, RatioResult } from '../harness.js';
import { buildLlama2c, runLlama2c, type Llama2cBuild } from '../peers/llama2c-peer.js';
import { llama2cCheckpoint, paddedTokenizer } from '../peers/llama2c-checkpoint.js';
import { ourGenerate } from '../peers/our-cli.js';
import { EngineSamples, ratio } from '../peers/engine-samples.js';
import { reason } from '../peers/import-peer.js';
import { STORIES_110M } from './llama.js';

interface Workload { name: string; model: string; tokenizer: string; steps: number; prompt?: string; target: number }

export async function llamaRuncSuite(opts: SuiteOptions = {}): Promise<SuiteResult> {
  const quick = opts.quick ?? false;
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const load0 = os.loadavg()[0];
  const samples = new EngineSamples();
  const notes: string[] = ['each run is a fresh process; ms/token = 1000 / the tok/s the engine printed (wall clock: '
    + 'both engines time their own loop); engines alternate within each round'];
  let builds: Llama2cBuild[];
  try {
    builds = await buildLlama2c();
  } catch (e) {
    return samples.toResult('llama-runc', quick, [], [...notes, `skipped: run.c unavailable: ${reason(e)}`]);
  }
  const shared = path.resolve(process.cwd(), '..', 'shared', 'models');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-runc-'));
  try {
    const workloads: Workload[] = [];
    const tok512 = path.join(shared, 'tok512.bin');
    if (fs.existsSync(path.join(shared, 'stories260K.bin'))) {
      workloads.push({ name: 'stories260K', model: path.join(shared, 'stories260K.bin'), tokenizer: tok512, steps: 256, target: 0.5 });
    } else {
      notes.push(`skipped stories260K: ${shared}/stories260K.bin not found`);
    }
    if (fs.existsSync(tok512)) {
      const kernels = await createKernels({ backend: 'wasm' });
      const big = randomLlama(STORIES_110M, { kernels, seed: 110 });
      const file = path.join(tmp, 'stories110M-shapes.bin');
      fs.writeFileSync(file, llama2cCheckpoint(big));
      big.dispose();
      const tok = path.join(tmp, 'tok32000.bin');
      fs.writeFileSync(tok, paddedTokenizer(new Uint8Array(fs.readFileSync(tok512)), 512, STORIES_110M.vocabSize));
      workloads.push({ name: '110M-shapes', model: file, tokenizer: tok, steps: quick ? 12 : 40, prompt: 'Once upon a time', target: 1 });
    } else {
      notes.push(`skipped 110M-shapes: ${tok512} not found (its tokenizer is padded from it)`);
    }

    const engines = ['ours', ...builds.map((b) => `run.c-${b.flags}`)];
    const task = (engine: string, w: string) => `llama-runc/generate:${engine}:${w}`;
    for (const w of workloads) {
      for (const e of engines) samples.task(task(e, w.name), e === 'ours' ? 'sparse-inference llama generate (wasm, 1 thread)' : undefined);
    }
    const rounds = quick ? 2 : 5;
    const total = rounds * workloads.length * engines.length;
    let done = 0;
    for (let round = 0; round < rounds; round++) {
      for (const w of workloads) {
        // Rotate the order each round, so no engine always runs right after another.
        const order = engines.map((_, i) => engines[(i + round) % engines.length]);
        for (const e of order) {
          throwIfAborted(opts.signal, 'benchmark llama-runc');
          const r = e === 'ours'
            ? await ourGenerate(['--model', w.model, '--tokenizer', w.tokenizer, '--temperature', '0', '--steps', String(w.steps),
              ...(w.prompt ? ['--prompt', w.prompt] : [])])
            : await runLlama2c(builds.find((b) => `run.c-${b.flags}` === e)!, w.model, w.tokenizer,
              { steps: w.steps + (w.prompt ? 6 : 0), prompt: w.prompt });
          samples.record(task(e, w.name), r.tokensPerSecond, r.peakRss);
          opts.onProgress?.(++done / total, task(e, w.name));
        }
      }
    }
    const ratios: RatioResult[] = [];
    for (const w of workloads) {
      const ours = samples.tokensPerSecond(task('ours', w.name));
      ratios.push(ratio(`generate ${w.name}: ours tokens/s`, ours, 'tok/s'));
      for (const b of builds) {
        const peer = samples.tokensPerSecond(task(`run.c-${b.flags}`, w.name));
        ratios.push(ratio(`generate ${w.name}: ours / run.c -${b.flags}`, ours / peer, 'x', w.target,
          `run.c -${b.flags} ${peer.toFixed(peer < 100 ? 1 : 0)} tok/s`));
      }
    }
    notes.push(`load average (1 min) at start ${load0.toFixed(1)}, at end ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores `
      + '(a shared machine: every engine ran under the same load, alternating)');
    notes.push(`command: LLAMA2C_SRC=<llama2.c checkout> npx tsx bench/lib/main.ts llama-runc${quick ? ' --quick' : ''} --out bench/results`);
    return samples.toResult('llama-runc', quick, ratios, notes);
  } catch (e) {
    if (e instanceof SparseInferenceError && e.code === 'UNAVAILABLE') {
      return samples.toResult('llama-runc', quick, [], [...notes, `skipped: ${e.message}`]);
    }
    throw e;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
