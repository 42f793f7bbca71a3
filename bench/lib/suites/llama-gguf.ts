/**
 * The llama-gguf suite: SmolLM2-135M-Instruct (Q4_1 GGUF, models/ or $SPARSE_INFERENCE_MODELS)
 * on three engines, side by side in one run, on the same token ids (../peers/gguf-workloads.ts):
 *   ours        sparse-inference, weights kept quantized, 1 and 2 threads (a fresh Node process)
 *   llama.cpp   native, through llama-cpp-python (pip), n_threads 1 and 2 (a fresh Python process)
 *   wllama      @wllama/wllama, llama.cpp compiled to WebAssembly SIMD, in headless Chromium, 1 thread
 * For each context C (128 and 4096; quick: 128 and 512): prefill tok/s over the C − 16 prompt
 * tokens, then decode tok/s over 16 single-token steps at ≈ C tokens of context; and each
 * process's peak RSS (not for wllama: a browser's memory is spread over processes). Engines
 * run one after another, in a rotated order each round. Targets (issue: speed side by side):
 * decode ≥ 1.2x wllama at 1 thread and ≥ 0.6x llama.cpp native at the same threads; prefill
 * ≥ 0.5x llama.cpp native.
 *
 * @example npx tsx bench/lib/main.ts llama-gguf --quick
 */
import { throwIfAborted } from '../../../src/core/errors.js';
import type { SuiteOptions, SuiteResult, RatioResult } from '../harness.js';
import { EngineSamples, ratio } from '../peers/engine-samples.js';
import { ggufTextWorkloads, type EngineReport, type GgufWorkload } from '../peers/gguf-workloads.js';
import { runOurs } from '../peers/our-gguf-peer.js';
import { runLlamaCpp } from '../peers/llamacpp-peer.js';
import { runWllama } from '../peers/wllama-peer.js';
import { reason } from '../peers/import-peer.js';

const MODEL_FILE = 'SmolLM2-135M-Instruct.Q4_1.gguf';
const DECODE_STEPS = 16;

interface Engine {
  name: string; threads: number; run: (model: string, w: GgufWorkload[], threads: number) => Promise<EngineReport>;
  /** Rounds this engine joins (default: all). */
  rounds?: number;
}

export async function llamaGgufSuite(opts: SuiteOptions = {}): Promise<SuiteResult> {
  const quick = opts.quick ?? false;
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const load0 = os.loadavg()[0];
  const samples = new EngineSamples();
  const notes: string[] = [];
  const dir = process.env.SPARSE_INFERENCE_MODELS ?? path.resolve(process.cwd(), 'models');
  const model = path.join(dir, MODEL_FILE);
  const text = path.resolve(process.cwd(), '..', 'shared', 'data', 'tinystories_sample.txt');
  if (!fs.existsSync(model) || !fs.existsSync(text)) {
    return samples.toResult('llama-gguf', quick, [], [`skipped: ${fs.existsSync(model) ? text : model} not found (scripts/fetch-models; ../shared)`]);
  }
  const contexts = quick ? [128, 512] : [128, 4096];
  let workloads: GgufWorkload[];
  try {
    workloads = await ggufTextWorkloads(model, text, contexts, DECODE_STEPS);
  } catch (e) {
    return samples.toResult('llama-gguf', quick, [], [`skipped: ${reason(e)}`]);
  }
  notes.push(`${MODEL_FILE}; prompts = the first C − ${DECODE_STEPS} tokens of tinystories_sample.txt under the GGUF's tokenizer, `
    + `then ${DECODE_STEPS} decode steps; ms/token = 1000 / tok/s (wall clock, each engine's own timer)`);
  const engines: Engine[] = [
    { name: 'ours-1t', threads: 1, run: runOurs }, { name: 'ours-2t', threads: 2, run: runOurs },
    { name: 'llama.cpp-1t', threads: 1, run: runLlamaCpp }, { name: 'llama.cpp-2t', threads: 2, run: runLlamaCpp },
    // wllama prefills at ~4–6 tok/s here (it evaluates a prompt about as fast as it decodes), so one
    // 4096-token context costs it ~15 minutes: it joins the first round only, the others every round.
    { name: 'wllama-1t', threads: 1, run: runWllama, rounds: 1 },
  ];
  const task = (what: 'prefill' | 'decode', engine: string, ctx: number) => `llama-gguf/${what}:${engine}:ctx${ctx}`;
  for (const what of ['decode', 'prefill'] as const) {
    for (const c of contexts) for (const e of engines) samples.task(task(what, e.name, c));
  }
  const described = new Map<string, string>();
  const skipped = new Set<string>();
  const rounds = quick ? 1 : 2;
  const total = engines.reduce((t, e) => t + Math.min(rounds, e.rounds ?? rounds), 0);
  let done = 0;
  for (let round = 0; round < rounds; round++) {
    const order = engines.map((_, i) => engines[(i + round) % engines.length]);
    for (const e of order) {
      throwIfAborted(opts.signal, 'benchmark llama-gguf');
      if (skipped.has(e.name) || round >= (e.rounds ?? rounds)) continue;
      try {
        const r = await e.run(model, workloads, e.threads);
        described.set(e.name, r.engine);
        for (const res of r.results) {
          const w = workloads.find((x) => x.name === res.name)!;
          samples.record(task('prefill', e.name, w.context), w.prompt.length / res.prefillSeconds, r.peakRss);
          samples.record(task('decode', e.name, w.context), w.decode / res.decodeSeconds, r.peakRss);
        }
      } catch (err) {
        skipped.add(e.name);
        notes.push(`skipped ${e.name}: ${reason(err).split("\n")[0]}`);
      }
      opts.onProgress?.(++done / total, e.name);
    }
  }
  for (const [name, d] of described) notes.push(`${name}: ${d}`);
  notes.push(`rounds: ${engines.map((e) => `${e.name} ${Math.min(rounds, e.rounds ?? rounds)}`).join(', ')} (engine order rotated each round)`);
  notes.push(`load average (1 min) at start ${load0.toFixed(1)}, at end ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores `
    + '(a shared machine: every engine ran under the same load, one after another)');
  notes.push(`command: npx tsx bench/lib/main.ts llama-gguf${quick ? ' --quick' : ''} --out bench/results`);

  const tps = (what: 'prefill' | 'decode', e: string, c: number) => samples.tokensPerSecond(task(what, e, c));
  const ratios: RatioResult[] = [];
  const add = (name: string, value: number, target: number | undefined, note: string) => {
    if (Number.isFinite(value)) ratios.push(ratio(name, value, 'x', target, note));
  };
  for (const c of contexts) {
    for (const t of [1, 2]) {
      for (const what of ['decode', 'prefill'] as const) {
        const ours = tps(what, `ours-${t}t`, c), peer = tps(what, `llama.cpp-${t}t`, c);
        add(`${what} ctx ${c}, ${t} thread${t > 1 ? 's' : ''}: ours / llama.cpp native`, ours / peer, what === 'decode' ? 0.6 : 0.5,
          `ours ${ours.toFixed(1)} tok/s, llama.cpp ${peer.toFixed(1)} tok/s`);
      }
    }
    const ours = tps('decode', 'ours-1t', c), wl = tps('decode', 'wllama-1t', c);
    add(`decode ctx ${c}, 1 thread: ours / wllama`, ours / wl, 1.2, `ours ${ours.toFixed(1)} tok/s, wllama ${wl.toFixed(1)} tok/s`);
    const op = tps('prefill', 'ours-1t', c), wp = tps('prefill', 'wllama-1t', c);
    add(`prefill ctx ${c}, 1 thread: ours / wllama`, op / wp, undefined, `ours ${op.toFixed(1)} tok/s, wllama ${wp.toFixed(1)} tok/s`);
  }
  const rss = (e: string) => samples.peakRss(task('decode', e, contexts[0]));
  const fileBytes = fs.statSync(model).size;
  for (const e of ['ours-1t', 'llama.cpp-1t']) {
    if (Number.isFinite(rss(e))) notes.push(`${e}: peak RSS ${(rss(e) / 1e6).toFixed(0)} MB = ${(rss(e) / fileBytes).toFixed(2)}x the GGUF file (${(fileBytes / 1e6).toFixed(0)} MB), whole process`);
  }
  return samples.toResult('llama-gguf', quick, ratios, notes);
}
