/**
 * Report section "KV-cache retrieval (A²ATS)": the synthetic long-context study (every method at
 * every budget, recall and output-error plots), the real-model study when a checkpoint and a
 * TinyStories text (../data/tinystories_sample.txt beside the model's folder) are given, and the
 * throughput model. Sizes are reduced for the report (the full tables: docs/kvcache.md, or
 * `sparse-inference kvcache eval synthetic` / `eval model`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { SectionBuilder } from '../section.js';
import { htmlTable } from '../../plot/html-table.js';
import { escapeXml } from '../../plot/svg.js';
import { throwIfAborted } from '../../core/errors.js';
import { evaluateSynthetic } from '../../kvcache/eval/synthetic-eval.js';
import { evaluateLlama, type LlamaEvalResult } from '../../kvcache/eval/llama-eval.js';
import type { EvalRow } from '../../kvcache/eval/eval-row.js';
import { evalHtmlTable, metricChart } from '../../kvcache/eval/format.js';
import { A100_HOST, LLAMA31_8B, PAPER_WORKLOAD, predictThroughput } from '../../kvcache/throughput-model.js';
import { readLlamaModel, readTokenizer } from '../../llama/node-files.js';

export const kvcacheSection: SectionBuilder = async (ctx) => {
  throwIfAborted(ctx.signal, 'kvcache section');
  const textPath = ctx.modelPath ? resolve(dirname(ctx.modelPath), '..', 'data', 'tinystories_sample.txt') : undefined;
  const real = ctx.modelPath !== undefined && ctx.tokenizerPath !== undefined && textPath !== undefined && existsSync(textPath);
  const share = real ? 0.5 : 1;
  const q = ctx.quick;
  const synSettings = {
    n: q ? 4096 : 16384, decodeSteps: q ? 2 : 4, testSequences: 1, budgets: q ? [0.03, 0.06] : [0.015, 0.03, 0.06],
    calibration: { sequences: q ? 8 : 4, size: q ? 256 : 512, iterations: q ? 8 : 15, length: q ? 4096 : 16384 },
  };
  const seeded = ctx.seed === undefined ? {} : { synthetic: { seed: ctx.seed }, calibration: { ...synSettings.calibration, seed: ctx.seed } };
  const syn = await evaluateSynthetic(ctx.kernels, {
    ...synSettings, ...seeded,
    signal: ctx.signal, onProgress: (f, l) => ctx.onProgress?.(f * share, `synthetic: ${l}`),
  });
  let model: LlamaEvalResult | undefined;
  if (real) {
    const m = await readLlamaModel(ctx.modelPath!, { kernels: ctx.kernels });
    try {
      const tokenizer = await readTokenizer(ctx.tokenizerPath!, m.config.vocabSize);
      model = await evaluateLlama(ctx.kernels, m, tokenizer, await readFile(textPath!, 'utf8'), {
        calibrationStories: q ? 15 : 40, evalTokens: q ? 200 : 1500, budgets: q ? [0.1] : [0.05, 0.1, 0.2],
        codebookSize: q ? 64 : 256, kmeansIterations: q ? 10 : 50, signal: ctx.signal,
        onProgress: (f, l) => ctx.onProgress?.(share + (1 - share) * f, `${basename(ctx.modelPath!)}: ${l}`),
      });
    } finally {
      m.dispose();
    }
  }
  ctx.onProgress?.(1, 'done');

  const tp = [1, 1.5, 2].map((u) => ({ u, p: predictThroughput(LLAMA31_8B, A100_HOST, { ...PAPER_WORKLOAD, unionFactor: u }) }));
  const tpRows = tp.map(({ u, p }) => [u, p.baseline.maxBatch, p.baseline.atMax.tokensPerSecond.toFixed(0), p.a2ats.maxBatch,
    p.a2ats.atMax.tokensPerSecond.toFixed(0), p.a2ats.atMax.bound, `${p.speedup.toFixed(2)}x`]);

  const rho = 0.03;
  const at = (rows: EvalRow[], m: string, b: number) => rows.find((r) => r.method.startsWith(m) && r.budget === b);
  const fmt = (v: number | undefined, d = 3) => (v === undefined || !Number.isFinite(v) ? '?' : v.toFixed(d));
  let summary = `synthetic n=${syn.n} at ρ=${rho}: recall A²ATS ${fmt(at(syn.rows, 'a2ats', rho)?.recallMean)}, Quest ${fmt(at(syn.rows, 'quest', rho)?.recallMean)}, `
    + `PQCache ${fmt(at(syn.rows, 'pqcache', rho)?.recallMean)}, oracle ${fmt(at(syn.rows, 'oracle', rho)?.recallMean)}`;
  if (model) {
    const b = 0.1;
    summary += `; ${basename(ctx.modelPath!)} at ρ=${b}: ΔNLL A²ATS +${fmt(at(model.rows, 'a2ats', b)?.nllIncrease, 4)}, Quest +${fmt(at(model.rows, 'quest', b)?.nllIncrease, 4)}, PQCache +${fmt(at(model.rows, 'pqcache', b)?.nllIncrease, 4)}`;
  }
  const c = syn.config;
  const cal = synSettings.calibration;
  const conclusion = kvConclusion(syn.rows, rho, cal, model, ctx.modelPath ? basename(ctx.modelPath) : '');
  const settings = `synthetic n = ${syn.n}, ${synSettings.decodeSteps} decode steps × ${synSettings.testSequences} test sequence, `
    + `budgets ρ ∈ {${synSettings.budgets.join(', ')}}, codebooks of ${cal.size} centroids from ${cal.sequences} calibration sequences of `
    + `${cal.length} tokens (${cal.iterations} k-means iterations)`
    + (model ? `; ${basename(ctx.modelPath!)}: ${q ? 15 : 40} calibration stories, ${model.evalTokens} held-out tokens, ρ ∈ {${(q ? [0.1] : [0.05, 0.1, 0.2]).join(', ')}}, ${q ? 64 : 256} centroids` : '')
    + (q ? ' (quiet default; demo --full: n = 16384, 3 budgets)' : ' (--full)');
  const realHtml = model
    ? `<h3>Real model: ${escapeXml(basename(ctx.modelPath!))}</h3>
<p>Calibrated on the first stories (${model.calibrationTokens} tokens) of <code>${escapeXml(basename(textPath!))}</code>;
retrieval metrics and whole-model NLL on ${model.evalTokens} held-out tokens (exact NLL ${model.exactNll.toFixed(4)}).
Window, sinks and distance scaled to the 512-token context: w = ${model.wrope.window}, s = ${model.sinks}, b = ${model.wrope.distance}.
Budgets are exact and equal for every method ("total" mode); the realized budget includes sinks and window.</p>
${evalHtmlTable(model.rows)}
${metricChart(model.rows, 'nllIncrease', 'real model: NLL increase vs realized budget')}
${metricChart(model.rows, 'recallMean', 'real model: attention-mass recall')}`
    : `<p>Real model: pass <code>--model</code> and <code>--tokenizer</code> (with <code>../data/tinystories_sample.txt</code>
beside the model's folder) or run <code>sparse-inference kvcache eval model</code>.</p>`;
  const html = `<p>A²ATS (He et al., Findings of ACL 2025) keeps only a few far tokens per decode step. Far tokens are ranked
with windowed RoPE — exact rotation inside a window of w tokens, one fixed rotation R(b) beyond it, so keys are stored
pre-RoPE and one offline codebook serves every input — and query-aware vector quantisation: centroids minimise
(k − c)H(k − c)ᵀ with H = E[q̃ᵀq̃], i.e. k-means on kL with H = LLᵀ. A step scores all far tokens with one lookup
table t = q̃Cᵀ/√d and a gather by code, keeps the top ρ·n per head (union over the GQA group), and attends exactly
to them plus sinks and window. Baselines share the same selection code: the exact oracle, Quest page bounds,
per-request product quantisation (PQCache) and plain VQ (H = I).</p>
<h3>Synthetic long context (n = ${syn.n}, d = ${c.headDim}, g = ${c.groupSize}, RoPE base ${c.ropeBase}, ${c.ropePairing} pairs, temperature ${c.temperature})</h3>
<p>Codebooks of ${syn.codebooks.queryAware?.info.size ?? '?'} centroids calibrated on other sequences; every method gets exactly the same
number of far tokens per KV head. Reduced sizes for the report — the 32K tables and the ablations are in docs/kvcache.md.</p>
${evalHtmlTable(syn.rows)}
${metricChart(syn.rows, 'recallMean', 'synthetic: attention-mass recall vs realized budget')}
${metricChart(syn.rows, 'relErrorMean', 'synthetic: output relative error vs realized budget')}
${realHtml}
<h3>Throughput model (Llama-3.1-8B, A100-80GB host, 32K context, ρ = 0.03)</h3>
<p>Roofline model of batched decoding (formulas in docs/kvcache.md): the baseline keeps all fp16 KV on the GPU;
A²ATS keeps codes, codebooks and sinks + window there and the fp32 KV in host memory, reading only retrieved rows.
u is the GQA union factor (realized far tokens = u·ρn).</p>
${htmlTable(['union u', 'baseline max batch', 'baseline tok/s', 'A²ATS max batch', 'A²ATS tok/s', 'A²ATS bound', 'speedup'], tpRows)}
<p class="summary-line">${escapeXml(summary)}</p>`;
  return { id: 'kvcache', title: 'KV-cache retrieval (A²ATS)', html, summary, conclusion, settings };
};

/**
 * What to conclude from the synthetic rows at budget `rho` (and the real-model rows), in
 * particular where A²ATS loses and why — read from this run's numbers, not assumed.
 */
function kvConclusion(rows: EvalRow[], rho: number, cal: { sequences: number; size: number; length: number },
  model: LlamaEvalResult | undefined, modelName: string): string {
  const row = (m: string) => rows.find((r) => r.method.startsWith(m) && r.budget === rho);
  const a = row('a2ats'), qu = row('quest'), pq = row('pqcache'), or = row('oracle'), vq = row('vq-wrope');
  if (!a || !qu || !pq || !or) return `The synthetic study did not produce every method at ρ = ${rho}.`;
  const f = (v: number) => v.toFixed(3);
  const kb = (r: EvalRow) => (r.bytesPerStep / 1024).toFixed(0);
  const best = [qu, pq].reduce((x, y) => (y.recallMean > x.recallMean ? y : x));
  const name = (r: EvalRow) => (r === qu ? 'Quest' : 'PQCache');
  let s = `At ρ = ${rho} (every method attends to the same ${(a.realizedBudget * 100).toFixed(1)}% of the context) the attention-mass
recall is A²ATS ${f(a.recallMean)}, Quest ${f(qu.recallMean)}, PQCache ${f(pq.recallMean)}${vq ? `, plain VQ ${f(vq.recallMean)}` : ''}
against the exact top-k oracle's ${f(or.recallMean)}. `;
  if (a.recallMean < best.recallMean) {
    s += `<strong>Here A²ATS loses to ${name(best)}${a.recallMean < Math.min(qu.recallMean, pq.recallMean) ? ' and to the other baseline too' : ''}.</strong>
Why: its codebook (${cal.size} centroids) is calibrated once, offline, on ${cal.sequences} other sequences of ${cal.length} tokens and shared
by every request, so its score estimates are coarser — normalised score error ${f(a.scoreMse)} against PQCache's ${f(pq.scoreMse)},
whose codebooks are fitted to this very request by a k-means at prefill that this table does not charge for.${qu.recallMean > a.recallMean
    ? ' Quest\'s page bounds profit from the long topic spans of this synthetic data (16-token pages mostly hold one topic).' : ''}
What A²ATS buys: no per-request clustering, one index for all requests, and ${kb(a)} KB read per step and layer against Quest's
${kb(qu)} KB (PQCache ${kb(pq)} KB)`;
    if (vq) {
      const d = a.recallMean - vq.recallMean;
      s += Math.abs(d) < 0.01 ? `; at this size its query-aware metric gains nothing over plain VQ (${f(a.recallMean)} vs ${f(vq.recallMean)}).`
        : d > 0 ? `; its query-aware metric beats plain VQ (${f(a.recallMean)} vs ${f(vq.recallMean)}).`
          : `; <strong>plain VQ does better here</strong> (${f(vq.recallMean)} vs ${f(a.recallMean)}): the query metric H is estimated from the same few calibration sequences.`;
    } else s += '.';
    s += ` The ablations in docs/kvcache.md (n = 16384) show the loss shrinking with calibration data (A²ATS recall 0.384 with 2 sequences,
0.574 with 8, Quest 0.581) and reversing on data with short topic spans (mean 16 tokens: A²ATS 0.705, PQCache 0.700, Quest 0.442).`;
  } else {
    s += `A²ATS has the highest recall of the approximate methods here, reading ${kb(a)} KB per step and layer (Quest ${kb(qu)} KB, PQCache ${kb(pq)} KB).`;
  }
  if (model) {
    const b = 0.1;
    const m = (k: string) => model.rows.find((r) => r.method.startsWith(k) && r.budget === b);
    const ma = m('a2ats'), mq = m('quest'), mp = m('pqcache');
    if (ma && mq && mp) {
      s += ` On the real model (${escapeXml(modelName)}, 512-token context) at ρ = ${b} the whole-model NLL rises by ${ma.nllIncrease!.toFixed(4)}
nats/token with A²ATS, ${mq.nllIncrease!.toFixed(4)} with Quest and ${mp.nllIncrease!.toFixed(4)} with PQCache (exact NLL ${model.exactNll.toFixed(3)}
over ${model.evalTokens} tokens); at this short context every method keeps most of the attention mass, so the differences are small.`;
    }
  }
  return s;
}
