/**
 * Report section "SmolLM2-135M-Instruct": the papers' protocols on a real model, read from the
 * committed results (docs/kvcache/smollm2-decode-2048*.json: A²ATS and its baselines as the
 * model's KV cache; docs/activations/activations-corpus.json: CHESS, CATS, TEAL on the corpus),
 * with the same ΔNLL plots the docs open with — re-running them takes hours on a small machine.
 * One number is recomputed live as a reproducibility check: the dense NLL of the first evaluation
 * document of the activations run, compared with the value the committed file holds (same
 * tokens, float32 weights); when the model file or the corpus is absent (the model is not shipped
 * with the package: see docs/llama.md for how to fetch it) that check is skipped with its reason
 * and the committed tables and plots are still shown. The whole section is skipped, with its
 * reason and a conclusion, only when the committed results are absent.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SectionBuilder, ReportSection, SectionContext } from '../section.js';
import { htmlTable } from '../../plot/html-table.js';
import { escapeXml } from '../../plot/svg.js';
import { throwIfAborted } from '../../core/errors.js';
import { loadModel } from '../../node/load-model.js';
import { readGgufTokenizer } from '../../node/gguf-file.js';
import { readCorpus } from '../../node/read-corpus.js';
import { sequenceNll } from '../../llama/sequence-nll.js';
import { decodeRows } from '../../kvcache/eval/decode-report.js';
import type { CorpusEvalResult } from '../../activations/evaluate-corpus.js';
import { readSmollm2Results, smollm2Plots, SMOLLM2_ACTIVATION_RUNS, SMOLLM2_DECODE_RUNS, type LocateFile } from './smollm2-plots.js';

const MODEL_FILE = 'models/SmolLM2-135M-Instruct.Q4_1.gguf';
const CORPUS_MANIFEST = 'corpus/manifest.json';

/** The file under the current folder or the package root, whichever exists first. */
function locateInPackage(rel: string): string | undefined {
  const roots = [process.cwd(), fileURLToPath(new URL('../../../', import.meta.url))];
  return roots.map((r) => resolve(r, rel)).find((p) => existsSync(p));
}

/** `0.093 [0.038, 0.151]`, with "tie" when the interval includes zero. */
function interval(i: { estimate: number; lower: number; upper: number }): string {
  const tie = i.lower <= 0 && i.upper >= 0 ? ' tie' : '';
  return `${i.estimate.toFixed(3)} [${i.lower.toFixed(3)}, ${i.upper.toFixed(3)}]${tie}`;
}

function skipped(reason: string): ReportSection {
  return {
    id: 'smollm2', title: 'SmolLM2-135M-Instruct (real model)',
    html: `<p>Skipped: ${escapeXml(reason)}.</p>`, summary: `skipped: ${reason}`,
    conclusion: `<p>Nothing to conclude here: this section was skipped because ${escapeXml(reason)}. docs/kvcache.md and docs/activations.md hold the SmolLM2 results.</p>`,
    settings: 'not run',
  };
}

/** The live dense-NLL check of one document, or the reason it could not run. */
async function liveCheck(ctx: SectionContext, locate: LocateFile, act: CorpusEvalResult): Promise<{ html: string; summary: string }> {
  const modelPath = locate(MODEL_FILE), manifest = locate(CORPUS_MANIFEST);
  const why = !modelPath ? `${MODEL_FILE} is absent (fetch it with scripts/fetch-models, see docs/llama.md)`
    : !manifest ? `${CORPUS_MANIFEST} is absent (build the corpus with scripts/corpus, see docs/kvcache.md)` : undefined;
  if (why) return { html: `<p>Live check skipped: ${escapeXml(why)}; the tables and plots below are the committed results.</p>`, summary: `live check skipped: ${why}` };
  const doc = (await readCorpus(resolve(manifest!, '..'), 'eval')).find((d) => d.id === act.documents[0]);
  if (!doc) return { html: `<p>Live check skipped: document ${escapeXml(act.documents[0])} is not in the corpus.</p>`, summary: 'no live check (document not in the corpus)' };
  const t0 = performance.now();
  const tokens = act.documentTokens[0];
  const model = await loadModel(modelPath!, { kernels: ctx.kernels, weights: 'f32', maxSeqLen: Math.max(1024, tokens) });
  try {
    const tokenizer = readGgufTokenizer(modelPath!);
    const ids = tokenizer.encode(doc.text, { bos: tokenizer.addBos }).slice(0, tokens);
    const r = await sequenceNll(model, ids, { signal: ctx.signal });
    const nll = r.nllSum / r.tokens, committed = act.dense.perDocumentNll[0];
    const seconds = (performance.now() - t0) / 1000;
    return {
      html: `<p>Live check: dense NLL of <code>${escapeXml(doc.id)}</code> (first ${ids.length} tokens, float32 weights) `
        + `${nll.toFixed(5)} now, ${committed.toFixed(5)} in the committed run (|Δ| ${Math.abs(nll - committed).toExponential(1)}; ${seconds.toFixed(1)} s).</p>`,
      summary: `dense NLL of ${doc.id} ${nll.toFixed(4)} (committed ${committed.toFixed(4)})`,
    };
  } finally {
    model.dispose();
  }
}

/**
 * The section, reading its files through `locate` (default: the current folder, then the package
 * root); tests pass a `locate` that hides the model, the corpus or the results.
 */
export function createSmollm2Section(locate: LocateFile = locateInPackage): SectionBuilder {
  return async (ctx) => {
    throwIfAborted(ctx.signal, 'smollm2 section');
    const { kv, act } = await readSmollm2Results(locate);
    if (kv.runs.length === 0 || act.runs.length === 0) {
      return skipped(`the committed results ${[...SMOLLM2_DECODE_RUNS, ...SMOLLM2_ACTIVATION_RUNS].filter((f) => !kv.files.includes(f) && !act.files.includes(f)).join(', ')} are absent`);
    }
    const decode = kv.runs[0], sweep = act.runs[0];

    ctx.onProgress?.(0.1, 'SmolLM2: dense NLL of one document');
    const live = await liveCheck(ctx, locate, sweep);
    ctx.onProgress?.(0.9, 'SmolLM2: tables and plots');

    // Every (method, ρ) once, from the first run that holds it (the runs share documents).
    // Each row over its own run's documents (the runs at ρ = 0.01 and 0.1 hold fewer).
    const seen = new Set<string>();
    const kvRows = kv.runs.flatMap((run) => decodeRows(run).map((row) => ({ ...row, documents: run.documents.length }))).filter((r) => {
      const key = `${r.method}|${r.budget}`;
      if (r.method === 'full' || r.ties !== 'oldest' || seen.has(key)) return false;
      seen.add(key);
      return true;
    }).sort((a, b) => a.budget - b.budget);
    const kvTable = htmlTable(['method', 'ρ', 'documents', 'tokens attended', 'ΔNLL vs full [95% CI]'],
      kvRows.map((r) => [r.method, r.budget, r.documents, `${(100 * r.realized.selected).toFixed(2)}%`, interval(r.deltaNll)]));
    // TEAL has no gate threshold: its gate sparsity is NaN, stored as null.
    const actRows = sweep.rows.map((r) => [r.method, r.k, typeof r.gateSparsity === 'number' ? r.gateSparsity.toFixed(3) : '—', interval(r.deltaNll)]);
    const actTable = htmlTable(['method', 'k', 'gate sparsity', 'ΔNLL vs dense [95% CI]'], actRows, { digits: 3 });
    const plots = await smollm2Plots(locate);

    const a2ats = kvRows.find((r) => r.method === 'a2ats' && r.budget === 0.03);
    const chess = sweep.rows.find((r) => r.method === 'CHESS w/o' && r.k === 0.5);
    const headline = [a2ats && `A²ATS at ρ = 0.03: ΔNLL ${interval(a2ats.deltaNll)}`, chess && `CHESS w/o at k = 0.5: ΔNLL ${interval(chess.deltaNll)}`]
      .filter(Boolean).join('; ');
    return {
      id: 'smollm2',
      title: 'SmolLM2-135M-Instruct (real model)',
      conclusion: `<p>${escapeXml(headline)} (nats per token against the same model without the method; 95% paired bootstrap over documents; "tie": the interval includes zero).</p>`,
      settings: `committed runs: A²ATS ${decode.documents.length} documents × (${decode.context} context + ${decode.scored} scored tokens), ${kv.files.length} run(s); `
        + `activations ${sweep.documents.length} documents × ${sweep.documentTokens[0]} tokens, calibration seeds ${sweep.seeds.join(', ')}`,
      html: `${live.html}<h3>A²ATS and baselines as the KV cache (dense prefill, retrieval at every decode step)</h3>${plots.kvcache ?? ''}${kvTable}`
        + `<h3>Activation sparsity (thresholds from the corpus's calibration split)</h3>${plots.activations ?? ''}${actTable}`
        + `<p>Commands and departures from the papers' protocols: docs/kvcache.md and docs/activations.md.</p>`,
      summary: `${headline}; ${live.summary}`,
    };
  };
}

export const smollm2Section: SectionBuilder = createSmollm2Section();
