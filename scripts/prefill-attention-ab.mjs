#!/usr/bin/env node
/**
 * The attention part of a block prefill, old way against new, in one process (not part of the
 * package): for every block of 32 rows of an N-token prompt (SmolLM2's shapes: 9 query heads,
 * 3 KV heads of 64), one `selectiveAttentionHeads` call per row (before) against one
 * `causalAttention` call per block (now), over the same resident random cache; per layer, so
 * multiply by nLayers (30) for a whole prefill. Alternates the two `reps` times.
 *
 *   node scripts/prefill-attention-ab.mjs 512,2048,4096 2
 */
import { createKernels } from '../dist/index.js';
import { makeConfig } from '../dist/llama/index.js';
import { causalAttentionScratchLength } from '../dist/kernels/causal-attention-scratch.js';

const [lengthsArg = '512,2048,4096', repsArg = '2'] = process.argv.slice(2);
const k = await createKernels({ backend: 'wasm' });
const B = 32;
for (const L of lengthsArg.split(',').map(Number)) {
  const c = makeConfig({ dim: 576, hiddenDim: 1536, nLayers: 1, nHeads: 9, nKvHeads: 3, vocabSize: 16, seqLen: L });
  const { kvDim, dim, headDim, nHeads } = c;
  const keys = k.allocF32(L * kvDim), values = k.allocF32(L * kvDim), q = k.allocF32(B * dim), out = k.allocF32(B * dim);
  const scratch = k.allocF32(causalAttentionScratchLength(B, nHeads));
  const idx = k.allocI32(L), lse = k.allocF32(nHeads);
  idx.view().set(Int32Array.from({ length: L }, (_, t) => t));
  for (const a of [keys, values, q]) { const v = a.view(); for (let i = 0; i < v.length; i++) v[i] = Math.sin(i * 0.37); }
  const row = (a, i) => a.subarray(i * dim, (i + 1) * dim);
  const before = (pos0) => {
    for (let i = 0; i < B; i++) {
      const len = pos0 + i + 1;
      k.selectiveAttentionHeads(row(q.view(), i), keys.view(), values.view(), idx.view(), len, len, headDim, kvDim, nHeads, 3, 1 / 8, row(out.view(), i), lse.view());
    }
  };
  const now = (pos0) => k.causalAttention(q.view(), keys.view(), values.view(), pos0, B, headDim, kvDim, nHeads, 3, 1 / 8, out.view(), scratch.view());
  const prefill = (f) => { const t = performance.now(); for (let p = 0; p < L; p += B) f(p); return (performance.now() - t) / 1000; };
  for (let r = 0; r < Number(repsArg); r++) {
    const a = prefill(before), b = prefill(now);
    console.log(JSON.stringify({ tokens: L, perLayerSeconds: { rowByRow: +a.toFixed(3), causalAttention: +b.toFixed(3) }, speedup: +(a / b).toFixed(2) }));
  }
  for (const x of [keys, values, q, out, scratch, idx, lse]) x.dispose();
}
