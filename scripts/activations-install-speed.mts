/**
 * Time of evaluateNll on stories260K (wasm) with activation sparsity installed, in two trees in
 * one process, alternating (this machine is noisy: only same-run ratios mean anything).
 *
 *   npx tsx scripts/activations-install-speed.mts BEFORE_TREE [tokens] [rounds]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [beforeRoot, tokensArg, roundsArg] = process.argv.slice(2);
if (!beforeRoot) throw new Error('usage: activations-install-speed.mts BEFORE_TREE [tokens] [rounds]');
const tokens = Number(tokensArg ?? 400), rounds = Number(roundsArg ?? 3);
const shared = path.resolve('..', 'shared');
const modelBytes = new Uint8Array(readFileSync(path.join(shared, 'models', 'stories260K.bin')));
const tokBytes = new Uint8Array(readFileSync(path.join(shared, 'models', 'tok512.bin')));
const text = readFileSync(path.join(shared, 'data', 'tinystories_sample.txt'), 'utf8');

async function tree(root: string) {
  const src = (p: string) => import(path.join(path.resolve(root), 'src', p));
  const { createKernels } = await src('backends/create-kernels.ts');
  const { loadLlama2c } = await src('llama/load-llama2c.ts');
  const { loadTokenizer } = await src('llama/tokenizer.ts');
  const { evaluateNll } = await src('llama/evaluate-nll.ts');
  const { calibrateModel } = await src('activations/calibrate-model.ts');
  const { splitCalibrationText } = await src('activations/evaluate-model.ts');
  const { chessThresholds } = await src('activations/chess-thresholds.ts');
  const { tealThresholds } = await src('activations/teal-thresholds.ts');
  const { installActivationSparsity } = await src('activations/install-sparsity.ts');
  const kernels = await createKernels({ backend: 'wasm' });
  const model = loadLlama2c(modelBytes.slice(), { kernels }); // own bytes: a loader may keep views of them
  const tok = loadTokenizer(tokBytes, { vocabSize: model.config.vocabSize });
  const split = splitCalibrationText(text);
  const stats = await calibrateModel(model, tok, split.calibration, { maxTokens: 512 });
  const th = { chess: chessThresholds(stats, 0.5), teal: tealThresholds(stats, 0.5) };
  /** Seconds and mean NLL of one evaluation with the method installed (sync or async install alike). */
  return async (method: 'chess' | 'teal') => {
    const inst = await installActivationSparsity(model, th[method], { attention: method === 'chess' });
    const t0 = performance.now();
    const r = await evaluateNll(model, tok, split.evaluation, { maxTokens: tokens });
    const s = (performance.now() - t0) / 1000;
    await inst.dispose();
    return { s, nll: r.meanNll };
  };
}

const before = await tree(beforeRoot), after = await tree(process.env.AFTER_TREE ?? '.');
for (const method of ['chess', 'teal'] as const) {
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const b = await before(method), a = await after(method);
    if (a.nll !== b.nll) throw new Error(`${method}: NLL ${a.nll} vs ${b.nll}`);
    ratios.push(a.s / b.s);
    console.log(`${method} round ${i}: before ${b.s.toFixed(3)} s, after ${a.s.toFixed(3)} s, after/before ${(a.s / b.s).toFixed(3)}`);
  }
  ratios.sort((x, y) => x - y);
  console.log(`${method}: median after/before ${ratios[rounds >> 1].toFixed(3)} over ${rounds} rounds (${tokens} tokens each)`);
}
