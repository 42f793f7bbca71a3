/**
 * The one-submission decode step against the same model stepping call by call (a wrapped DenseFfn
 * keeps the model off the whole step), on stories260K, alternating A, B over 4 rounds of 4 greedy
 * tokens; prints the median ms per token of each. On SwiftShader this shows what the dispatch and
 * submission structure costs on a software adapter, not GPU speed.
 *
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx tsx bench/webgpu/swiftshader-decode-ab.ts [stories260K.bin]
 */
import { readFileSync } from 'node:fs';
import { createKernels } from '../../src/backends/create-kernels.js';
import { loadLlama2c } from '../../src/llama/load-llama2c.js';
import { DenseFfn } from '../../src/llama/dense-ffn.js';
import type { Ffn } from '../../src/llama/components.js';
class Wrapped implements Ffn { readonly name = 'w'; private readonly i = new DenseFfn(); bind(...a: Parameters<Ffn['bind']>) { return this.i.bind(...a); } forward(...a: Parameters<Ffn['forward']>) { return this.i.forward(...a); } dispose() { this.i.dispose(); } }
const bytes = new Uint8Array(readFileSync(process.argv[2] ?? '../shared/models/stories260K.bin'));
const k = await createKernels({ backend: 'webgpu' });
const whole = loadLlama2c(bytes, { kernels: k });
const calls = loadLlama2c(bytes, { kernels: k });
await calls.use({ ffn: new Wrapped() });
await whole.forward(1, 0); await calls.forward(1, 0);
const res: Record<string, number[]> = { whole: [], calls: [] };
for (let round = 0; round < 4; round++) {
  for (const [name, m] of [['whole', whole], ['calls', calls]] as const) {
    m.reset();
    const t0 = performance.now();
    let tok = 1;
    for (let pos = 0; pos < 4; pos++) tok = await m.forwardGreedy(tok, pos);
    res[name].push((performance.now() - t0) / 4);
  }
}
const med = (a: number[]) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(JSON.stringify(res), 'median ms/token whole', med(res.whole).toFixed(0), 'calls', med(res.calls).toFixed(0), 'ratio', (med(res.calls) / med(res.whole)).toFixed(1));
