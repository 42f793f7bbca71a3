/**
 * SmolLM2-135M prefill and decode tok/s on several kernel set-ups in ONE process, alternating rounds (the
 * machine is shared: only same-run ratios mean anything). Each set-up loads its own model,
 * prefills the same prompt of CTX − 1 tokens, then decodes STEPS tokens (greedy) per round.
 * Also checks that every set-up decodes the same tokens as the first (bit-identical logits).
 *
 * @example npx tsx scripts/threads-decode-ab.mts [ctx=128] [steps=32] [rounds=5]
 */
import { createKernels } from '../src/backends/create-kernels.js';
import { createParallelKernels, type CreateParallelKernelsOptions } from '../src/backends/wasm-threads/create-parallel-kernels.js';
import { readGgufModel } from '../src/node/gguf-file.js';
import type { CpuKernels } from '../src/kernels/kernels.js';

const [ctx, steps, rounds] = [128, 32, 5].map((d, i) => Number(process.argv[2 + i] ?? d));
const MODEL = 'models/SmolLM2-135M-Instruct.Q4_1.gguf';
const setups: [string, () => Promise<CpuKernels>][] = [
  ['wasm 1t', () => createKernels({ backend: 'wasm' }) as Promise<CpuKernels>],
  ...(JSON.parse(process.env.SETUPS ?? '[{"threads":2},{"threads":2,"minStreamBytes":0}]') as CreateParallelKernelsOptions[])
    .map((o): [string, () => Promise<CpuKernels>] => [JSON.stringify(o), () => createParallelKernels(o)]),
];
const prompt = Array.from({ length: ctx - steps - 1 }, (_, i) => 100 + ((i * 7919) % 20000));
const runs = [];
for (const [name, make] of setups) {
  const kernels = await make();
  runs.push({ name, kernels, model: await readGgufModel(MODEL, { kernels, maxSeqLen: ctx + 8 }), tps: [] as number[], prefillTps: [] as number[], tokens: [] as number[] });
}
for (let r = 0; r < rounds; r++) {
  for (const run of (r % 2 ? [...runs].reverse() : runs)) {
    const m = run.model;
    m.reset();
    const p0 = performance.now();
    let tok = await m.prefill(prompt).then((l) => l.indexOf(Math.max(...l)));
    run.prefillTps.push(prompt.length / ((performance.now() - p0) / 1000));
    const out: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) { tok = await m.forwardGreedy(tok, prompt.length + i); out.push(tok); }
    run.tps.push(steps / ((performance.now() - t0) / 1000));
    run.tokens = out;
  }
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const base = med(runs[0].tps);
for (const run of runs) {
  console.log(`${run.name.padEnd(40)} decode ctx ${ctx}: median ${med(run.tps).toFixed(1)} tok/s (${run.tps.map((t) => t.toFixed(0)).join(' ')}), `
    + `${(med(run.tps) / base).toFixed(2)}x of wasm 1t; prefill ${prompt.length} tokens: median ${med(run.prefillTps).toFixed(1)} tok/s, `
    + `${(med(run.prefillTps) / med(runs[0].prefillTps)).toFixed(2)}x; same tokens ${run.tokens.join() === runs[0].tokens.join()}`);
  run.model.dispose();
  await (run.kernels as { dispose?: () => Promise<void> }).dispose?.();
}
