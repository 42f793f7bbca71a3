/**
 * evaluateModelSparsity on stories260K in one tree, printed as JSON with every digit: run it on
 * a tree before and after a change of how the sparsity is installed and compare the outputs
 * (NLL increases, sparsities, weights streamed, TEAL's greedy allocation must be equal).
 *
 *   npx tsx scripts/activations-install-ab.mts TREE [evalTokens] > out.json
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [rootArg, tokensArg] = process.argv.slice(2);
if (!rootArg) throw new Error('usage: activations-install-ab.mts TREE [evalTokens]');
const root = path.resolve(rootArg);
const shared = path.resolve('..', 'shared');
const src = (p: string) => import(path.join(root, 'src', p));
const { createKernels } = await src('backends/create-kernels.ts');
const { loadLlama2c } = await src('llama/load-llama2c.ts');
const { loadTokenizer } = await src('llama/tokenizer.ts');
const { evaluateModelSparsity } = await src('activations/evaluate-model.ts');
const kernels = await createKernels({ backend: 'wasm' });
const model = loadLlama2c(new Uint8Array(readFileSync(path.join(shared, 'models', 'stories260K.bin'))), { kernels });
const tokenizer = loadTokenizer(new Uint8Array(readFileSync(path.join(shared, 'models', 'tok512.bin'))), { vocabSize: model.config.vocabSize });
const text = readFileSync(path.join(shared, 'data', 'tinystories_sample.txt'), 'utf8');
const t0 = performance.now();
const r = await evaluateModelSparsity(model, tokenizer, text, {
  sparsities: [0.3, 0.5, 0.7], calibrationTokens: 2048, evalTokens: Number(tokensArg ?? 600),
  tealGreedy: true, greedyTokens: 16, modelName: 'stories260K',
});
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, ...r }, null, 1));
