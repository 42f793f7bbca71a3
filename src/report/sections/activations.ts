/**
 * Report section "Activation sparsity (CHESS)": the synthetic SwiGLU accuracy study and, when a
 * real checkpoint is given and a TinyStories text is found beside it (../data/tinystories_sample.txt
 * relative to the model file, the shared layout), the NLL study on the real model.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { SectionBuilder } from '../section.js';
import { htmlTable } from '../../plot/html-table.js';
import { escapeXml } from '../../plot/svg.js';
import { throwIfAborted } from '../../core/errors.js';
import { evaluateSyntheticSwiGlu, type SyntheticEvalResult } from '../../activations/evaluate-synthetic.js';
import { evaluateModelSparsity, type ModelEvalResult } from '../../activations/evaluate-model.js';
import { modelNllChart, syntheticErrorChart } from '../../activations/plots.js';
import { MODEL_HEADERS, SYNTHETIC_HEADERS, modelRows, syntheticRows } from '../../activations/format-tables.js';
import { readLlamaModel, readTokenizer } from '../../llama/node-files.js';

export const activationsSection: SectionBuilder = async (ctx) => {
  throwIfAborted(ctx.signal, 'activations section');
  const ks = [0.3, 0.5, 0.7];
  const textPath = ctx.modelPath ? resolve(dirname(ctx.modelPath), '..', 'data', 'tinystories_sample.txt') : undefined;
  const real = ctx.modelPath !== undefined && ctx.tokenizerPath !== undefined && textPath !== undefined && existsSync(textPath);
  const share = real ? 0.4 : 1;
  const synthetic = await evaluateSyntheticSwiGlu(ctx.kernels, {
    sparsities: ks, calibrationTokens: ctx.quick ? 384 : 2048, testTokens: ctx.quick ? 128 : 1024, seed: ctx.seed,
    signal: ctx.signal, onProgress: (f, l) => ctx.onProgress?.(f * share, `synthetic: ${l}`),
  });
  let model: ModelEvalResult | undefined;
  if (real) {
    const m = await readLlamaModel(ctx.modelPath!, { kernels: ctx.kernels });
    try {
      const tokenizer = await readTokenizer(ctx.tokenizerPath!, m.config.vocabSize);
      model = await evaluateModelSparsity(m, tokenizer, await readFile(textPath!, 'utf8'), {
        sparsities: ks, calibrationTokens: ctx.quick ? 1024 : 4096, evalTokens: ctx.quick ? 600 : 3000,
        modelName: basename(ctx.modelPath!), signal: ctx.signal,
        onProgress: (f, l) => ctx.onProgress?.(share + (1 - share) * f, `${basename(ctx.modelPath!)}: ${l}`),
      });
    } finally {
      m.dispose();
    }
  }
  ctx.onProgress?.(1, 'done');

  const at = (method: string) => synthetic.rows.find((r) => r.k === 0.5 && r.method === method);
  const mAt = (method: string) => model?.rows.find((r) => r.k === 0.5 && r.method === method);
  const fmt = (v: number | undefined, d = 3) => (v === undefined ? '?' : v.toFixed(d));
  let summary = `synthetic 512×1408 at k=0.5: relative output error CHESS ${fmt(at('chess-sq')?.relativeError)}, `
    + `CATS ${fmt(at('cats')?.relativeError)}, oracle ${fmt(at('oracle')?.relativeError)}`;
  if (model) {
    summary += `; ${basename(ctx.modelPath!)} at k=0.5: ΔNLL CHESS w/o +${fmt(mAt('CHESS w/o')?.nllIncrease)}, `
      + `CATS +${fmt(mAt('CATS')?.nllIncrease)}, TEAL +${fmt(mAt('TEAL')?.nllIncrease)} (dense ${fmt(model.dense.meanNll)})`;
  }

  const realHtml = model
    ? `<h3>Real model: ${escapeXml(basename(ctx.modelPath!))}</h3>
<p>Calibrated on stories [${model.calibrationStories.join(', ')}) (${model.calibrationTokens} tokens) of
<code>${escapeXml(basename(textPath!))}</code>; mean NLL on stories [0, ${model.evaluationStories[1]}) (${model.evalTokens}
predicted tokens, the checkpoint README's protocol). "weights streamed" counts the replaced FFN and attention
matrices only.</p>
${htmlTable(MODEL_HEADERS, modelRows(model))}
${modelNllChart(model, basename(ctx.modelPath!))}`
    : `<p>Real-model NLL: pass <code>--model</code> and <code>--tokenizer</code> with a TinyStories text at
<code>../data/tinystories_sample.txt</code> beside the model's folder, or run
<code>sparse-inference activations eval --model M --tokenizer T --text F</code>.</p>`;

  const conclusion = activationsConclusion(synthetic, model, ctx.modelPath ? basename(ctx.modelPath) : '');
  const settings = `synthetic block ${synthetic.dim}×${synthetic.hidden}: ${synthetic.calibrationTokens} calibration and `
    + `${synthetic.testTokens} test tokens, k ∈ {${ks.join(', ')}}`
    + (model ? `; ${basename(ctx.modelPath!)}: ${model.calibrationTokens} calibration tokens, NLL over ${model.evalTokens} tokens` : '')
    + (ctx.quick ? ' (quiet default; demo --full: 2048/1024 synthetic and 4096/3000 model tokens)' : ' (--full)');
  const html = `<p>CHESS (He et al., EMNLP 2024) skips FFN channels whose gate activation is small:
s(a<sub>gate</sub>)<sub>i</sub> = a<sub>gate,i</sub> if |a<sub>gate,i</sub>| ≥ t<sub>i</sub>, else 0, so row i of
W<sub>up</sub> and column i of W<sub>down</sub> need not be read. CATS uses one threshold per layer (the k-quantile of
|a<sub>gate</sub>|); CHESS sets per-channel thresholds from the importance a<sub>gate,i</sub>²·E[a<sub>up,i</sub>²], so
channels with small up-projections are skipped more. TEAL thresholds the inputs of all seven projections.
Thresholds come from pooled quantiles of a calibration set; everything below is measured on held-out tokens through
the real kernels (gemv → threshold → vmmsp → spvmm).</p>
<h3>Synthetic SwiGLU block ${synthetic.dim}×${synthetic.hidden}</h3>
<p>Heavy-tailed inputs (Student-t, ν = 4, LogNormal channel scales, 4 massive channels), W<sub>up</sub> row scales
LogNormal(σ = 0.6); ${synthetic.calibrationTokens} calibration and ${synthetic.testTokens} test tokens. Spec pilot at
k = 0.5: CATS 0.103, CHESS 0.066, oracle 0.035.</p>
${htmlTable(SYNTHETIC_HEADERS, syntheticRows(synthetic))}
${syntheticErrorChart(synthetic)}
${realHtml}
<p class="summary-line">${escapeXml(summary)}</p>`;
  return { id: 'activations', title: 'Activation sparsity (CHESS)', html, summary, conclusion, settings };
};

/** Linear interpolation of y at x along points sorted by x; undefined outside their range. */
function interpolate(points: [number, number][], x: number): number | undefined {
  const p = [...points].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < p.length; i++) {
    if (x >= p[i - 1][0] && x <= p[i][0]) {
      const t = p[i][0] === p[i - 1][0] ? 0 : (x - p[i - 1][0]) / (p[i][0] - p[i - 1][0]);
      return p[i - 1][1] + t * (p[i][1] - p[i - 1][1]);
    }
  }
  return undefined;
}

/**
 * Compare methods at the same fraction of weights skipped (what sets the speed-up), the
 * largest fraction every method reaches: curves of (skipped, cost) from (0, 0).
 */
function atEqualSkipped(curves: Record<string, [number, number][]>): { skipped: number; cost: Record<string, number> } {
  const reach = Math.min(...Object.values(curves).map((c) => Math.max(...c.map((p) => p[0]))));
  const skipped = Math.floor(reach * 100) / 100;
  const cost: Record<string, number> = {};
  for (const [m, c] of Object.entries(curves)) cost[m] = interpolate([[0, 0], ...c], skipped) ?? NaN;
  return { skipped, cost };
}

function activationsConclusion(syn: SyntheticEvalResult, model: ModelEvalResult | undefined, modelName: string): string {
  const f = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '?' : v.toFixed(3));
  const row = (m: string, k = 0.5) => syn.rows.find((r) => r.method === m && r.k === k);
  const curve = (m: string): [number, number][] => syn.rows.filter((r) => r.method === m).map((r) => [1 - r.weightsStreamed, r.relativeError]);
  const chess = row('chess-sq'), cats = row('cats'), oracle = row('oracle'), abs = row('chess-abs'), teal = row('teal');
  const eq = atEqualSkipped({ CHESS: curve('chess-sq'), CATS: curve('cats'), TEAL: curve('teal') });
  const chessWins = eq.cost.CHESS <= Math.min(eq.cost.CATS, eq.cost.TEAL);
  let s = `On the synthetic block at k = 0.5 (half the FFN channels skipped), CHESS's per-channel thresholds give relative output
error ${f(chess?.relativeError)} against ${f(cats?.relativeError)} for CATS's one threshold per layer — ${chess && cats ? `${(cats.relativeError / chess.relativeError).toFixed(1)}×` : '?'} less
error at the same sparsity — while the per-token oracle reaches ${f(oracle?.relativeError)}. CHESS with |a|·E[|up|] instead of
a²·E[up²] ranks channels almost the same way (${f(abs?.relativeError)} vs ${f(chess?.relativeError)}), so their lines coincide in the chart.
The fair comparison is at equal weights skipped, which sets the speed-up: TEAL thresholds the inputs of all seven projections, so at
the same k it skips more weights. At ${(eq.skipped * 100).toFixed(0)}% of the FFN weights skipped the errors are CHESS ${f(eq.cost.CHESS)},
CATS ${f(eq.cost.CATS)}, TEAL ${f(eq.cost.TEAL)}${chessWins ? ' — CHESS is lowest.' : ` — <strong>here CHESS does not win: TEAL is ${eq.cost.TEAL < eq.cost.CHESS ? 'lower' : 'as low'}</strong>,
because at equal weights skipped TEAL can use a lower k in each matrix than CHESS, which only ever skips slices of two of the three FFN matrices.`}`;
  if (model) {
    const m = (name: string, k = 0.5) => model.rows.find((r) => r.method === name && r.k === k);
    const mc = (name: string): [number, number][] => model.rows.filter((r) => r.method === name).map((r) => [1 - r.weightsStreamed, r.nllIncrease]);
    const me = atEqualSkipped({ CHESS: mc('CHESS w/o'), CATS: mc('CATS'), TEAL: mc('TEAL') });
    const loses = me.cost.TEAL < me.cost.CHESS;
    s += `<br/>On the real model (${escapeXml(modelName)}, dense NLL ${f(model.dense.meanNll)}) at k = 0.5 the NLL rises by
${f(m('CHESS w/o')?.nllIncrease)} nats/token with CHESS (FFN only), ${f(m('CATS')?.nllIncrease)} with CATS and ${f(m('TEAL')?.nllIncrease)} with TEAL;
adding attention sparsity (CHESS w/) costs ${f(m('CHESS w/')?.nllIncrease)}. At equal weights skipped (${(me.skipped * 100).toFixed(0)}% of the replaced matrices)
the increases are CHESS ${f(me.cost.CHESS)}, CATS ${f(me.cost.CATS)}, TEAL ${f(me.cost.TEAL)}${loses
    ? ` — <strong>on this model TEAL wins at equal weights skipped</strong>: it spreads the cut over all seven projections at a low k
each, while CHESS, which skips slices of only two FFN matrices, needs a much higher k to skip as many weights. CHESS's advantage here is per
unit of k, not per weight skipped.`
    : ' — CHESS is lowest.'}`;
  }
  return s;
}
