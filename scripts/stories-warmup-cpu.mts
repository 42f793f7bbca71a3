// CPU time (process.cpuUsage) of model loading and of four 256-token greedy generations of
// stories260K in one fresh process (wasm, 1 thread): the first-generation warm-up. Run it with
// node flags to compare V8 tiering settings.
// @example node --no-liftoff --import tsx scripts/stories-warmup-cpu.mts
const { createKernels } = await import('../src/backends/create-kernels.js');
const { readLlamaModel } = await import('../src/llama/node-files.js');
const c0 = process.cpuUsage();
const kernels = await createKernels({ backend: 'wasm' });
const model = await readLlamaModel('../shared/models/stories260K.bin', { kernels });
const load = process.cpuUsage(c0);
let tok = 1; const out = [`load ${((load.user + load.system) / 1000).toFixed(0)}`];
for (let gen = 0; gen < 4; gen++) {
  model.reset();
  const c1 = process.cpuUsage();
  for (let i = 0; i < 256; i++) tok = await model.forwardGreedy(tok, i);
  const c = process.cpuUsage(c1);
  out.push(((c.user + c.system) / 1000).toFixed(0));
}
console.log(process.env.LABEL, out.join(' '));
