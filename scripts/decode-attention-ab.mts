/**
 * A decode step's attention at long context, three ways, same process, CPU clock: the head-by-head
 * kernel (selectiveAttentionHeads), causalAttention for one row (what decode runs on a float32
 * cache), and causalAttentionF16 for one row (the binary16 cache). SmolLM2 shapes: 30 layers,
 * 9 query heads over 3 KV heads of 64, every layer's cache its own memory (188 MB in float32 at
 * 4096 positions, so the caches do not stay in the CPU caches between layers, as in a real step).
 *
 *   npx tsx scripts/decode-attention-ab.mts [positions = 4096] [rounds = 4]
 */
import { createKernels } from '../src/backends/create-kernels.js';
import { causalAttentionF16ScratchLength } from '../src/kernels/causal-attention-scratch.js';

const k = await createKernels({ backend: 'wasm' });
const len = Number(process.argv[2] ?? 4096), rounds = Number(process.argv[3] ?? 4);
const L = 30, d = 64, nH = 9, nKv = 3, stride = nKv * d, group = nH / nKv, scale = 1 / Math.sqrt(d);
const per = len * stride;
const Km = k.allocF32(L * per), Vm = k.allocF32(L * per), K16m = k.allocI32(L * per / 2), V16m = k.allocI32(L * per / 2);
const qm = k.allocF32(nH * d), om = k.allocF32(nH * d), idxm = k.allocI32(len), lsem = k.allocF32(nH);
const scm = k.allocF32(causalAttentionF16ScratchLength(1, nH, d));
{
  const K = Km.view(), V = Vm.view();
  for (let i = 0; i < K.length; i++) { K[i] = Math.sin(i * 0.37); V[i] = Math.cos(i * 0.11); }
  k.packF16(K, K16m.view(), K.length);
  k.packF16(V, V16m.view(), V.length);
  const q = qm.view();
  for (let i = 0; i < q.length; i++) q[i] = Math.sin(i);
  idxm.view().set(Int32Array.from({ length: len }, (_, i) => i));
}
const f32 = (m: typeof Km, l: number) => m.view().subarray(l * per, (l + 1) * per);
const f16 = (m: typeof K16m, l: number) => m.view().subarray(l * per / 2, (l + 1) * per / 2);
const ways: [string, () => void][] = [
  ['selectiveAttentionHeads', () => { for (let l = 0; l < L; l++) k.selectiveAttentionHeads(qm.view(), f32(Km, l), f32(Vm, l), idxm.view(), len, len, d, stride, nH, group, scale, om.view(), lsem.view()); }],
  ['causalAttention (1 row)', () => { for (let l = 0; l < L; l++) k.causalAttention(qm.view(), f32(Km, l), f32(Vm, l), len - 1, 1, d, stride, nH, group, scale, om.view(), scm.view()); }],
  ['causalAttentionF16 (1 row)', () => { for (let l = 0; l < L; l++) k.causalAttentionF16(qm.view(), f16(K16m, l), f16(V16m, l), len - 1, 1, d, stride, nH, group, scale, om.view(), scm.view()); }],
];
const cpuMs = (fn: () => void, reps: number) => {
  const t0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000 / reps;
};
for (let r = 0; r < rounds; r++) {
  console.log(`${len} positions × 30 layers, round ${r}: ${ways.map(([name, fn]) => `${name} ${cpuMs(fn, 5).toFixed(1)} ms`).join(', ')}`);
}
