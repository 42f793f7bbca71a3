/**
 * The retrieval methods as the model's KvCache component (this tree: RetrievalKvCache via
 * model.use) against the attention strategies they replace (a tree before the change:
 * RetrievalAttention via setStrategies), on stories260K: the logits of every position, method and
 * budget mode are compared bit for bit.
 *
 *   npx tsx scripts/kv-components-vs-strategies.mts /path/to/before-tree [tokens]
 *
 * Codebooks are random (seeded) and the same in both trees; the token sequence is fixed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [beforeRoot, tokensArg] = process.argv.slice(2);
if (!beforeRoot) throw new Error('usage: kv-components-vs-strategies.mts BEFORE_TREE [tokens]');
const n = Number(tokensArg ?? 160);
const afterRoot = path.resolve('.');
const modelBytes = new Uint8Array(readFileSync(path.resolve('..', 'shared', 'models', 'stories260K.bin')));
const ids = Array.from({ length: n }, (_, i) => 1 + ((i * 37 + 11) % 500));

/** One tree's pieces. */
async function tree(root: string) {
  const src = (p: string) => import(path.join(root, 'src', p));
  const { createKernels } = await src('backends/create-kernels.ts');
  const kernels = await createKernels({ backend: 'wasm' });
  const { loadLlama2c } = await src('llama/load-llama2c.ts');
  const { Codebook } = await src('kvcache/codebook.ts');
  const { CodebookSet } = await src('kvcache/codebook-set.ts');
  const { Rng } = await src('core/rng.ts');
  const model = loadLlama2c(modelBytes, { kernels });
  const c = model.config, d = c.headDim;
  const rng = new Rng(7);
  const eye = new Float32Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1;
  const wrope = { window: 8, distance: 32, base: c.ropeBase, pairing: c.ropePairing };
  const make = (kind: 'plain' | 'query-aware') => new CodebookSet({ nLayers: c.nLayers, nKvHeads: c.nKvHeads, headDim: d, size: 16, kind, wrope,
    calibrationTokens: 0, calibrationQueries: 0 }, Array.from({ length: c.nLayers * c.nKvHeads },
    () => new Codebook(d, 16, Float32Array.from({ length: 16 * d }, () => rng.normal()), kind === 'plain' ? null : eye)));
  return { src, kernels, model, c, wrope, plain: make('plain'), queryAware: make('query-aware') };
}

const before = await tree(beforeRoot), after = await tree(afterRoot);
const { createMethod } = await before.src('kvcache/eval/methods.ts');
const { RetrievalAttention } = await before.src('kvcache/llama-attention.ts');
const { RetrievalKvCache } = await after.src('kvcache/retrieval-kv-cache.ts');
const { DenseKvCache } = await after.src('llama/dense-kv-cache.ts');

const methods = ['full', 'oracle', 'oracle-union', 'quest', 'pqcache', 'vq-wrope', 'a2ats'];
let allEqual = true;
for (const method of methods) {
  for (const mode of ['perHead', 'total'] as const) {
    const budget = { mode, fraction: 0.1 };
    const c = before.c;
    const strategies = Array.from({ length: c.nLayers }, (_, l) => new RetrievalAttention(before.kernels, c, l, createMethod(before.kernels, method, {
      headDim: c.headDim, groupSize: c.nHeads / c.nKvHeads, nKvHeads: c.nKvHeads, layer: l, wrope: before.wrope,
      queryAware: before.queryAware, plain: before.plain, questPageSize: 8, pq: { subspaces: 2, bits: 4 },
    }), { window: 8, sinks: 2, budget }));
    strategies.forEach((s, l) => before.model.setStrategies(l, { attention: s }));
    await after.model.use({ kv: new RetrievalKvCache({ method, window: 8, sinks: 2, distance: 32, budget, questPageSize: 8, pq: { subspaces: 2, bits: 4 },
      codebooks: { queryAware: after.queryAware, plain: after.plain } }) });
    before.model.reset(); after.model.reset();
    let equal = 0, maxDiff = 0;
    for (let i = 0; i < n; i++) {
      const a = Float32Array.from(before.model.forward(ids[i], i));
      const b = await after.model.forward(ids[i], i);
      let same = true;
      for (let v = 0; v < a.length; v++) {
        if (a[v] !== b[v]) { same = false; maxDiff = Math.max(maxDiff, Math.abs(a[v] - b[v])); }
      }
      if (same) equal++;
    }
    for (let l = 0; l < c.nLayers; l++) before.model.setStrategies(l, undefined);
    for (const s of strategies) { s.dispose(); s.method.dispose(); }
    await after.model.use({ kv: new DenseKvCache() });
    allEqual &&= equal === n;
    console.log(`${method.padEnd(12)} ${mode.padEnd(7)} positions with bit-identical logits ${equal}/${n}, max |Δlogit| ${maxDiff}`);
  }
}
console.log(allEqual ? 'all bit-identical' : 'DIFFERENCES');
