/**
 * SmolLM2-135M Q4_1 decode (int8 activations, the default) of two checkouts of this repository
 * in ONE process: each tree loads its own model on its own wasm backend (1 thread), prefills the
 * same prompt, then the trees decode STEPS greedy tokens in alternating rounds, timed by the
 * process CPU clock (one thread: machine load hits both alike). Prints tokens/CPU-second per tree,
 * the ratio after/before, and whether both decoded the same tokens.
 *
 * @example npx tsx scripts/gguf-decode-trees-ab.mts /path/to/before-tree . [ctx=128] [steps=32] [rounds=9]
 */
import path from 'node:path';

const [beforeRoot, afterRoot] = process.argv.slice(2);
if (!beforeRoot || !afterRoot) throw new Error('usage: gguf-decode-trees-ab.mts BEFORE_TREE AFTER_TREE [ctx] [steps] [rounds]');
const [ctx, steps, rounds] = [128, 32, 9].map((d, i) => Number(process.argv[4 + i] ?? d));
const gguf = path.resolve('models', 'SmolLM2-135M-Instruct.Q4_1.gguf');
const prompt = Array.from({ length: ctx - steps - 1 }, (_, i) => 100 + ((i * 7919) % 20000));

async function load(root: string) {
  const src = (p: string) => path.resolve(root, 'src', p);
  const { createKernels } = await import(src('backends/create-kernels.ts'));
  const { readGgufModel } = await import(src('node/gguf-file.ts'));
  const kernels = await createKernels({ backend: 'wasm' });
  return { root, model: await readGgufModel(gguf, { kernels, maxSeqLen: ctx + 8 }), tps: [] as number[], tokens: [] as number[] };
}
const trees = [await load(beforeRoot), await load(afterRoot)];
for (let r = 0; r < rounds; r++) {
  for (const t of (r % 2 ? [...trees].reverse() : trees)) {
    t.model.reset();
    const logits: Float32Array = await t.model.prefill(prompt);
    let tok = logits.indexOf(Math.max(...logits));
    const out: number[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) { tok = await t.model.forwardGreedy(tok, prompt.length + i); out.push(tok); }
    const c = process.cpuUsage(c0);
    t.tps.push(steps / ((c.user + c.system) / 1e6));
    t.tokens = out;
  }
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const [b, a] = trees;
console.log(`decode ctx ${ctx}, ${steps} steps × ${rounds} rounds, tokens per CPU-second: before ${med(b.tps).toFixed(1)} (${b.tps.map((x) => x.toFixed(0)).join(' ')}), `
  + `after ${med(a.tps).toFixed(1)} (${a.tps.map((x) => x.toFixed(0)).join(' ')}); after/before ${(med(a.tps) / med(b.tps)).toFixed(3)}; same tokens ${a.tokens.join() === b.tokens.join()}`);
