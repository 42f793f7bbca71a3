/**
 * Report section "SmolLM2-135M-Instruct": the papers' protocols on a real model, read from the
 * committed results (docs/kvcache/smollm2-decode-2048.json, else smollm2-decode.json: A²ATS and its baselines as the model's KV
 * cache; docs/activations/activations-corpus.json: CHESS, CATS, TEAL on the corpus) — re-running
 * them takes hours on a small machine. One number is recomputed live as a reproducibility check:
 * the dense NLL of the first evaluation document of the activations run, compared with the value
 * the committed file holds (same tokens, float32 weights).
 *
 * Skipped, with the reason on the page, when the model file, the corpus or a results file is
 * missing (the model is not shipped with the package: see docs/llama.md for how to fetch it).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SectionBuilder, ReportSection } from '../section.js';
import { htmlTable } from '../../plot/html-table.js';
import { escapeXml } from '../../plot/svg.js';
import { throwIfAborted } from '../../core/errors.js';
import { loadModel } from '../../node/load-model.js';
import { readGgufTokenizer } from '../../node/gguf-file.js';
import { readCorpus } from '../../node/read-corpus.js';
import { sequenceNll } from '../../llama/sequence-nll.js';

const MODEL_FILE = 'models/SmolLM2-135M-Instruct.Q4_1.gguf';
/** The 2,048-token-context run first; the earlier 512-token budget sweep when it is absent. */
const DECODE_RESULTS = ['docs/kvcache/smollm2-decode-2048.json', 'docs/kvcache/smollm2-decode.json'];
const ACTIVATION_RESULTS = 'docs/activations/activations-corpus.json';

interface Interval { estimate: number; lower: number; upper: number }
interface DecodeResults {
  documents: { id: string }[]; context: number; scored: number;
  rows: { method: string; budget: number; ties: string; realized: { far: number }; deltaNll: Interval }[];
}
interface ActivationResults {
  command?: string; documents: string[]; documentTokens: number[]; seeds: number[];
  dense: { meanNll: number; perDocumentNll: number[] };
  rows: { method: string; k: number; deltaNll: Interval; gateSparsity: number | null }[];
}

/** The first of `rel` under the current folder or the package root that exists. */
function locate(rel: string): string | undefined {
  const roots = [process.cwd(), fileURLToPath(new URL('../../../', import.meta.url))];
  return roots.map((r) => resolve(r, rel)).find((p) => existsSync(p));
}

/** `0.093 [0.038, 0.151]`, with "tie" when the interval includes zero. */
function interval(i: Interval): string {
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

export const smollm2Section: SectionBuilder = async (ctx) => {
  throwIfAborted(ctx.signal, 'smollm2 section');
  const modelPath = locate(MODEL_FILE), corpusDir = locate('corpus/manifest.json');
  const decodePath = DECODE_RESULTS.map(locate).find((p) => p !== undefined), activationPath = locate(ACTIVATION_RESULTS);
  if (!modelPath) return skipped(`${MODEL_FILE} is absent (fetch it with scripts/fetch-models, see docs/llama.md)`);
  if (!corpusDir) return skipped('corpus/ is absent (build it with scripts/corpus, see docs/kvcache.md)');
  if (!decodePath || !activationPath) return skipped(`the committed results ${DECODE_RESULTS[1]} and ${ACTIVATION_RESULTS} are absent`);
  const decode = JSON.parse(await readFile(decodePath, 'utf8')) as DecodeResults;
  const act = JSON.parse(await readFile(activationPath, 'utf8')) as ActivationResults;

  // Live check: the dense NLL of the activations run's first document, on the same tokens.
  ctx.onProgress?.(0.1, 'SmolLM2: dense NLL of one document');
  const doc = (await readCorpus(resolve(corpusDir, '..'), 'eval')).find((d) => d.id === act.documents[0]);
  let live = '';
  let liveSummary = 'no live check (document not in the corpus)';
  if (doc) {
    const t0 = performance.now();
    const model = await loadModel(modelPath, { kernels: ctx.kernels, weights: 'f32', maxSeqLen: Math.max(1024, act.documentTokens[0]) });
    try {
      const tokenizer = readGgufTokenizer(modelPath);
      const ids = tokenizer.encode(doc.text, { bos: tokenizer.addBos }).slice(0, act.documentTokens[0]);
      const r = await sequenceNll(model, ids, { signal: ctx.signal });
      const nll = r.nllSum / r.tokens, committed = act.dense.perDocumentNll[0];
      const seconds = (performance.now() - t0) / 1000;
      live = `<p>Live check: dense NLL of <code>${escapeXml(doc.id)}</code> (first ${ids.length} tokens, float32 weights) `
        + `${nll.toFixed(5)} now, ${committed.toFixed(5)} in the committed run (|Δ| ${Math.abs(nll - committed).toExponential(1)}; ${seconds.toFixed(1)} s).</p>`;
      liveSummary = `dense NLL of ${doc.id} ${nll.toFixed(4)} (committed ${committed.toFixed(4)})`;
    } finally {
      model.dispose();
    }
  }
  ctx.onProgress?.(0.9, 'SmolLM2: tables');

  const kvRows = decode.rows.filter((r) => r.method !== 'full' && r.ties === 'oldest')
    .map((r) => [r.method, r.budget, `${(100 * r.realized.far).toFixed(2)}%`, interval(r.deltaNll)]);
  const kvTable = htmlTable(['method', 'ρ', 'far tokens read', 'ΔNLL vs full [95% CI]'], kvRows);
  // TEAL has no gate threshold: its gate sparsity is NaN, stored as null.
  const actRows = act.rows.map((r) => [r.method, r.k, typeof r.gateSparsity === 'number' ? r.gateSparsity.toFixed(3) : '—', interval(r.deltaNll)]);
  const actTable = htmlTable(['method', 'k', 'gate sparsity', 'ΔNLL vs dense [95% CI]'], actRows, { digits: 3 });
  const a2ats = decode.rows.find((r) => r.method === 'a2ats' && r.budget === 0.03 && r.ties === 'oldest');
  const chess = act.rows.find((r) => r.method === 'CHESS w/o' && r.k === 0.5);
  const headline = [a2ats && `A²ATS at ρ = 0.03: ΔNLL ${interval(a2ats.deltaNll)}`, chess && `CHESS w/o at k = 0.5: ΔNLL ${interval(chess.deltaNll)}`]
    .filter(Boolean).join('; ');
  return {
    id: 'smollm2',
    title: 'SmolLM2-135M-Instruct (real model)',
    conclusion: `<p>${escapeXml(headline)} (nats per token against the same model without the method; 95% paired bootstrap over documents; "tie": the interval includes zero).</p>`,
    settings: `committed runs: A²ATS ${decode.documents.length} documents × (${decode.context} context + ${decode.scored} scored tokens); `
      + `activations ${act.documents.length} documents × ${act.documentTokens[0]} tokens, calibration seeds ${act.seeds.join(', ')}`,
    html: `${live}<h3>A²ATS and baselines as the KV cache (dense prefill, retrieval at every decode step)</h3>${kvTable}`
      + `<h3>Activation sparsity (thresholds from the corpus's calibration split)</h3>${actTable}`
      + `<p>Commands and departures from the papers' protocols: docs/kvcache.md and docs/activations.md.</p>`,
    summary: `${headline}; ${liveSummary}`,
  };
};
