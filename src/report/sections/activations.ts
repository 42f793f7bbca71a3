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
import { evaluateSyntheticSwiGlu } from '../../activations/evaluate-synthetic.js';
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
    sparsities: ks, calibrationTokens: ctx.quick ? 384 : 2048, testTokens: ctx.quick ? 128 : 1024,
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
  return { id: 'activations', title: 'Activation sparsity (CHESS)', html, summary };
};
