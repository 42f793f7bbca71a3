/**
 * `sparse-inference kvcache`: A²ATS retrieval-based KV-cache reduction (He et al., arXiv
 * 2502.12665). Sub-commands: `eval synthetic`, `eval model`, `ablations`, `calibrate`,
 * `inspect` a codebook file, `throughput` model.
 */
import type { CliCommand, CliContext } from '../command.js';
import { CliUsageError, VOCABULARY, parseArgs } from '../args.js';
import { loadTokenizer, openKernels, openModel, syncKernels, useThresholds } from '../model-runtime.js';
import { readCorpus } from '../../node/read-corpus.js';
import { DECODE_EVAL_METHODS, evaluateDecode, type DecodeEvalMethod } from '../../kvcache/eval/decode-eval.js';
import { decodeDeltaPplChart, decodeReport, decodeRows, passkeyChart, passkeyMarkdown } from '../../kvcache/eval/decode-report.js';
import { evaluatePasskey } from '../../kvcache/eval/passkey-eval.js';
import { buildPasskeySuite, PASSKEY_MIN_TOKENS } from '../../llama/eval/passkey-task.js';
import type { CodebookSet } from '../../kvcache/codebook-set.js';
import { captureDocuments, trainCodebookKinds } from '../../kvcache/eval/calibrate-documents.js';
import { createProgressBar } from '../progress.js';
import { SparseInferenceError } from '../../core/errors.js';
import { readTokenizer } from '../../llama/node-files.js';
import { splitStories } from '../../llama/split-stories.js';
import { writeSvg } from '../../plot/index.js';
import { evaluateSynthetic } from '../../kvcache/eval/synthetic-eval.js';
import { evaluateLlama, calibrateLlama } from '../../kvcache/eval/llama-eval.js';
import { runAblations } from '../../kvcache/eval/ablations.js';
import { evalMarkdownTable, evalTextTable, metricChart } from '../../kvcache/eval/format.js';
import { METHOD_NAMES, type MethodName } from '../../kvcache/eval/methods.js';
import type { EvalRow } from '../../kvcache/eval/eval-row.js';
import { readCodebookFile, writeCodebookFile } from '../../kvcache/codebook-file.js';
import { A100_HOST, LLAMA31_8B, PAPER_WORKLOAD, predictThroughput } from '../../kvcache/throughput-model.js';

/** Tokens each method answers a passkey prompt with (five digits and a little slack). */
const PASSKEY_ANSWER_TOKENS = 8;

const USAGE = `Usage: sparse-inference kvcache <eval|ablations|calibrate|passkey|inspect|throughput> [options]

A²ATS: windowed RoPE + query-aware vector quantisation to retrieve the few far tokens worth
attending to at each decode step (He et al., Findings of ACL 2025, arXiv 2502.12665).

  kvcache eval synthetic [--n 32768] [--steps 8] [--tests 2] [--cal-seqs 4] [--size 1024]
        [--iterations 25] [--budgets 0.015,0.03,0.06] [--mode total|perHead] [--base 500000]
        [--pairing half|adjacent] [--temperature 7] [--span-mean 192] [--low-freq-width 10] [--key-noise 0.15]
        [--window 64] [--sinks 8] [--distance 2048] [--seed 1]
        [--methods full,oracle,a2ats,vq-wrope,quest,pqcache]
      Calibrate on synthetic sequences, evaluate every method at every budget on others.
  kvcache eval model --model M.bin --tokenizer T.bin --text STORIES.txt [--calibration-stories 40]
        [--tokens 3000] [--budgets 0.05,0.1,0.2] [--size 256] [--window 16] [--sinks 4] [--distance 64]
        [--codebooks FILE] [--thresholds FILE] [--no-nll] [--seed 0]
      Capture on the first stories, measure retrieval quality and whole-model NLL on the others
      (--tokens held-out tokens). --codebooks: use 'kvcache calibrate --out FILE' instead of
      calibrating; --thresholds: with 'activations calibrate --out FILE' sparsity installed.
  kvcache eval model --model M.gguf --corpus DIR --codebooks QA.safetensors,PLAIN.safetensors
        [--documents 12] [--context 2048] [--scored 128] [--budgets 0.01,0.03,0.1] [--window 64] [--sinks 8]
        [--distance b] [--methods full,oracle,a2ats,vq-wrope,quest,pqcache] [--quest-page 16]
        [--metrics-every 1] [--ties-budget ρ] [--shard K/N] [--activations f32|int8] [--out DIR]
      The A²ATS protocol on the corpus's evaluation split: dense prefill of each document's first
      --context tokens, then retrieval in every layer at every decode step while the next --scored
      tokens are scored (teacher forcing). A²ATS uses per-head top-⌊ρn⌋ with GQA union; the other
      methods get A²ATS's realized far budget. ΔPPL/ΔNLL vs full with paired bootstrap intervals
      over documents, recall, output error, score errors per layer. --ties-budget: A²ATS again
      with ties broken toward recent tokens at that ρ. --shard K/N: only every N-th chosen
      document from the K-th (N processes share one run; scripts/kvcache-decode-report.mts
      --decode A.json,B.json merges them).
  kvcache ablations [synthetic options] [--budget 0.03]
      Codebook size, calibration size, H vs I, window w and distance b.
  kvcache calibrate --model M --tokenizer T --text F --out FILE.safetensors [--kind query-aware|plain]
        [--size 256] [--iterations 50] [--calibration-stories 40] [--window 16] [--distance 64] [--seed 0]
  kvcache calibrate --model M.gguf --corpus DIR --out FILE [--kind query-aware|plain|both --plain-out FILE]
        [--document-tokens 2048] [--query-tokens 256] [--window 64] [--distance 2048] [--seeds 0,1,2] [...]
      Train codebooks per (layer, KV head) — on TinyStories text, or on a corpus's calibration
      split (first --document-tokens of each document; queries of the first --query-tokens
      positions; --seeds: one capture, codebooks per k-means seed, written as FILE-seedN.ext).
      Use them with 'kvcache eval model --codebooks FILE[,FILE]' or
      'llama generate|ppl --codebooks FILE'.
  kvcache passkey --model M.gguf --codebooks QA.safetensors [--lengths 2048,4096] [--per-length 5]
        [--budget 0.03] [--methods full,a2ats,quest,oracle] [--window 64] [--sinks 8] [--seed 0] [--out DIR]
      Passkey retrieval: dense prefill of each prompt, then each method answers greedily with
      retrieval at every step; accuracy per length with bootstrap intervals over tasks. Each
      length is a prompt's tokens; it and the 8 answer tokens must fit the model's context
      (SmolLM2: 8192, so at most 8184).
  kvcache inspect FILE.safetensors [--json]
  kvcache throughput [--context 32768] [--budget 0.03] [--union 2] [--size 4096] [--slow-bytes 4]
        [--no-overlap]      Llama-3.1-8B on an A100-80GB host: max batch and tokens/s vs keeping all KV on the GPU.

Common: --backend auto|reference|wasm, --threads N (wasm kernel threads), --json
(machine-readable), --out DIR (eval and ablations: tables.md, rows.json and SVG plots),
-h/--help.
`;

const backendOpt = { type: 'string', choices: ['auto', 'reference', 'wasm'], default: 'auto' } as const;

function numberList(s: string, what: string): number[] {
  const v = s.split(',').map((x) => Number(x.trim()));
  if (v.length === 0 || v.some((x) => !Number.isFinite(x) || x < 0 || x > 1)) throw new CliUsageError(`${what} must be a comma-separated list of fractions in [0, 1], got '${s}'`);
  return v;
}

function methodList(s: string): MethodName[] {
  const v = s.split(',').map((x) => x.trim()) as MethodName[];
  for (const m of v) if (!(METHOD_NAMES as readonly string[]).includes(m)) throw new CliUsageError(`unknown method '${m}' (choose from ${METHOD_NAMES.join(', ')})`);
  return v;
}

async function readText(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

async function writeOutputs(dir: string | undefined, name: string, rows: EvalRow[], extra: object, title: string): Promise<string[]> {
  if (dir === undefined) return [];
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await mkdir(dir, { recursive: true });
  const files = [join(dir, `${name}.md`), join(dir, `${name}.json`), join(dir, `${name}-recall.svg`), join(dir, `${name}-error.svg`)];
  await writeFile(files[0], `# ${title}\n\n${evalMarkdownTable(rows)}`);
  await writeFile(files[1], JSON.stringify({ ...extra, rows }, null, 2));
  await writeSvg(files[2], metricChart(rows, 'recallMean', `${title}: recall`));
  await writeSvg(files[3], metricChart(rows, 'relErrorMean', `${title}: output error`));
  if (rows.some((r) => r.nllIncrease !== undefined)) {
    files.push(join(dir, `${name}-nll.svg`));
    await writeSvg(files[4], metricChart(rows, 'nllIncrease', `${title}: NLL increase`));
  }
  return files;
}

const syntheticOptions = {
  n: { type: 'number', integer: true, min: 128, default: 32768 },
  steps: { type: 'number', integer: true, min: 1, default: 8 },
  tests: { type: 'number', integer: true, min: 1, default: 2 },
  'cal-seqs': { type: 'number', integer: true, min: 1, default: 4 },
  size: { type: 'number', integer: true, min: 2, default: 1024 },
  iterations: { type: 'number', integer: true, min: 1, default: 25 },
  budgets: { type: 'string', default: '0.015,0.03,0.06' },
  mode: { type: 'string', choices: ['total', 'perHead'], default: 'total' },
  base: { type: 'number', min: 2, default: 500000 },
  pairing: { type: 'string', choices: ['half', 'adjacent'], default: 'half' },
  temperature: { type: 'number', min: 0.01, default: 7 },
  'span-mean': { type: 'number', min: 1, default: 192 },
  'low-freq-width': { type: 'number', min: 0.1, default: 10 },
  'key-noise': { type: 'number', min: 0, default: 0.15 },
  window: { type: 'number', integer: true, min: 0, default: 64 },
  sinks: { type: 'number', integer: true, min: 0, default: 8 },
  distance: { type: 'number', min: 0, default: 2048 },
  methods: { type: 'string', default: 'full,oracle,a2ats,vq-wrope,quest,pqcache' },
  seed: { type: 'number', integer: true, min: 0, default: 1 },
  backend: backendOpt, ...VOCABULARY.json, ...VOCABULARY.out, 'out-dir': { type: 'renamed', to: 'out' },
  ...VOCABULARY.threads,
} as const;

function syntheticFrom(values: Record<string, unknown>) {
  return {
    n: values.n as number, decodeSteps: values.steps as number, testSequences: values.tests as number,
    calibration: { sequences: values['cal-seqs'] as number, size: values.size as number, iterations: values.iterations as number, seed: values.seed as number },
    budgets: numberList(values.budgets as string, '--budgets'), budgetMode: values.mode as 'total' | 'perHead',
    synthetic: {
      ropeBase: values.base as number, ropePairing: values.pairing as 'half' | 'adjacent', temperature: values.temperature as number,
      spanMean: values['span-mean'] as number, lowFreqWidth: values['low-freq-width'] as number, keyNoise: values['key-noise'] as number,
      seed: values.seed as number,
    },
    window: values.window as number, sinks: values.sinks as number, distance: values.distance as number,
    methods: methodList(values.methods as string),
  };
}

async function runEvalSynthetic(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, { options: syntheticOptions });
  await using run = await openKernels(values.backend, values.threads);
  const kernels = syncKernels(run.kernels, 'kvcache eval');
  const bar = createProgressBar(ctx, 'kvcache eval synthetic');
  const o = syntheticFrom(values);
  let res;
  try {
    res = await evaluateSynthetic(kernels, { ...o, onProgress: bar, signal: ctx.signal });
  } finally {
    bar.done();
  }
  const title = `synthetic n=${res.n}, d=${res.config.headDim}, g=${res.config.groupSize}, base ${res.config.ropeBase} (${res.config.ropePairing}), T=${res.config.temperature}, ${o.budgetMode} budget`;
  const files = await writeOutputs(values.out, `synthetic-${o.budgetMode}`, res.rows, { config: res.config, wrope: res.wrope, sinks: res.sinks, seconds: res.seconds }, title);
  if (values.json) ctx.stdout(JSON.stringify({ config: res.config, wrope: res.wrope, sinks: res.sinks, seconds: res.seconds, rows: res.rows }, null, 2) + '\n');
  else ctx.stdout(`${title}\ncalibration ${res.seconds.calibration.toFixed(1)} s, evaluation ${res.seconds.evaluation.toFixed(1)} s\n${evalTextTable(res.rows)}${files.map((f) => `wrote ${f}\n`).join('')}`);
  return 0;
}

/**
 * --activations of the retrieval runs: float32 by default. With int8 activations (llama.cpp's
 * Q8_1 path, the GGUF default) a one-ulp difference between the retrieval cache's and the dense
 * cache's attention sums can flip a Q8_1 rounding, and on SmolLM2 full attention through the two
 * caches ends 0.1 nats apart on 4 tokens (float32 activations: 1e-6), so ΔNLL would mix that
 * noise into every method.
 */
const ACTIVATIONS_OPTION = { activations: { type: 'string', choices: ['f32', 'int8'], default: 'f32' } } as const;

const corpusEvalOptions = {
  model: { type: 'string' }, tokenizer: { type: 'string' }, corpus: { type: 'string' }, codebooks: { type: 'string' },
  documents: { type: 'number', integer: true, min: 1, default: 12 },
  context: { type: 'number', integer: true, min: 2, default: 2048 },
  scored: { type: 'number', integer: true, min: 1, default: 128 },
  budgets: { type: 'string', default: '0.01,0.03,0.1' },
  methods: { type: 'string', default: DECODE_EVAL_METHODS.join(',') },
  window: { type: 'number', integer: true, min: 0, default: 64 },
  sinks: { type: 'number', integer: true, min: 0, default: 8 },
  distance: { type: 'number', min: 0 },
  'quest-page': { type: 'number', integer: true, min: 1, default: 16 },
  'metrics-every': { type: 'number', integer: true, min: 1, default: 1 },
  'ties-budget': { type: 'number', min: 0, max: 1 },
  shard: { type: 'string' },
  ...ACTIVATIONS_OPTION,
  backend: backendOpt, ...VOCABULARY.json, ...VOCABULARY.out, ...VOCABULARY.threads,
} as const;

/** `eval model --corpus`: the dense-prefill + retrieval-decode protocol on the corpus's evaluation split. */
async function runEvalCorpus(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, { options: corpusEvalOptions });
  if (values.model === undefined) throw new CliUsageError('--model is required');
  const methods = values.methods.split(',').map((x) => x.trim()) as DecodeEvalMethod[];
  for (const m of methods) if (!(DECODE_EVAL_METHODS as readonly string[]).includes(m)) throw new CliUsageError(`unknown method '${m}' (choose from ${DECODE_EVAL_METHODS.join(', ')})`);
  const budgets = numberList(values.budgets, '--budgets');
  const codebooks = values.codebooks === undefined ? {} : await readCodebookFiles(values.codebooks);
  if (methods.includes('a2ats') && !codebooks.queryAware) throw new CliUsageError('method a2ats needs a query-aware codebook file in --codebooks');
  if (methods.includes('vq-wrope') && !codebooks.plain) throw new CliUsageError('method vq-wrope needs a plain codebook file in --codebooks (--codebooks QA.safetensors,PLAIN.safetensors)');
  const all = await readCorpus(values.corpus!, 'eval');
  if (values.documents > all.length) throw new CliUsageError(`--documents ${values.documents}: the corpus has ${all.length} evaluation documents`);
  // Evenly spaced through the manifest, so the documents come from as many sources as possible.
  const spread = Array.from({ length: values.documents }, (_, i) => all[Math.floor((i * all.length) / values.documents)]);
  // --shard K/N: every N-th of those documents from the K-th, so N processes split one run (merge with mergeDecodeResults).
  const [shard, shards] = values.shard === undefined ? [0, 1] : shardOf(values.shard);
  const chosen = spread.filter((_, i) => i % shards === shard);
  await using run = await openKernels(values.backend, values.threads);
  const kernels = syncKernels(run.kernels, 'kvcache eval');
  const model = await openModel(values.model, kernels, values.context + values.scored, values.activations as 'int8' | 'f32');
  const bar = createProgressBar(ctx, 'kvcache eval model');
  try {
    const tokenizer = await loadTokenizer(values, model.config.vocabSize);
    const docs = chosen.map((d) => ({ id: d.id, ids: tokenizer.encode(d.text) }));
    const res = await evaluateDecode(kernels, model, docs, {
      context: values.context, scored: values.scored, budgets, methods, window: values.window, sinks: values.sinks,
      distance: values.distance, codebooks, questPageSize: values['quest-page'], metricsEvery: values['metrics-every'],
      tiesBudget: values['ties-budget'], onProgress: bar, signal: ctx.signal,
    });
    bar.done();
    const rows = decodeRows(res);
    const title = `${values.model}: ${res.documents.length} documents, context ${res.context}, last ${res.scored} tokens scored; w=${res.window}, sinks ${res.sinks}, b=${res.distance}`;
    const tables = decodeReport(res, rows, title);
    if (values.out) {
      const { mkdir, writeFile } = await import('node:fs/promises');
      await mkdir(values.out, { recursive: true });
      await writeFile(`${values.out}/decode.md`, tables);
      await writeFile(`${values.out}/decode.json`, JSON.stringify({ ...res, rows }, null, 2));
      await writeSvg(`${values.out}/decode-delta-ppl.svg`, decodeDeltaPplChart(res, rows, `ΔPPL vs full attention (${res.documents.length} documents, 95% paired bootstrap)`));
    }
    if (values.json) ctx.stdout(JSON.stringify({ ...res, rows }, null, 2) + '\n');
    else ctx.stdout(`${tables}\nprefill ${res.seconds.prefill.toFixed(0)} s, decode ${res.seconds.decode.toFixed(0)} s\n${values.out ? `wrote ${values.out}/decode.md, decode.json, decode-delta-ppl.svg\n` : ''}`);
  } finally {
    bar.done();
    model.dispose();
  }
  return 0;
}

/** `kvcache passkey`: passkey retrieval accuracy per method and prompt length. */
async function runPasskey(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, {
    options: {
      model: { type: 'string' }, tokenizer: { type: 'string' }, codebooks: { type: 'string' },
      lengths: { type: 'string', default: '2048,4096' },
      'per-length': { type: 'number', integer: true, min: 1, default: 5 },
      budget: { type: 'number', min: 0, max: 1, default: 0.03 },
      methods: { type: 'string', default: 'full,a2ats,quest,oracle' },
      window: { type: 'number', integer: true, min: 0, default: 64 },
      sinks: { type: 'number', integer: true, min: 0, default: 8 },
      distance: { type: 'number', min: 0 },
      ...ACTIVATIONS_OPTION,
      ...VOCABULARY.seed, backend: backendOpt, ...VOCABULARY.json, ...VOCABULARY.out, ...VOCABULARY.threads,
    },
  });
  if (values.model === undefined) throw new CliUsageError('--model is required');
  const lengths = values.lengths.split(',').map((x) => Number(x.trim()));
  if (lengths.some((n) => !Number.isInteger(n) || n < PASSKEY_MIN_TOKENS)) throw new CliUsageError(`--lengths must be whole token counts ≥ ${PASSKEY_MIN_TOKENS}, got '${values.lengths}'`);
  const methods = values.methods.split(',').map((x) => x.trim()) as DecodeEvalMethod[];
  for (const m of methods) if (!(DECODE_EVAL_METHODS as readonly string[]).includes(m)) throw new CliUsageError(`unknown method '${m}' (choose from ${DECODE_EVAL_METHODS.join(', ')})`);
  const codebooks = values.codebooks === undefined ? {} : await readCodebookFiles(values.codebooks);
  if (methods.includes('a2ats') && !codebooks.queryAware) throw new CliUsageError('method a2ats needs a query-aware codebook file in --codebooks');
  if (methods.includes('vq-wrope') && !codebooks.plain) throw new CliUsageError('method vq-wrope needs a plain codebook file in --codebooks');
  await using run = await openKernels(values.backend, values.threads);
  const kernels = syncKernels(run.kernels, 'kvcache passkey');
  const longest = Math.max(...lengths);
  const model = await openModel(values.model, kernels, longest + PASSKEY_ANSWER_TOKENS, values.activations as 'int8' | 'f32').catch((e: unknown) => {
    // The model refuses a context longer than its own: say which option asked for it.
    if (e instanceof SparseInferenceError && e.code === 'BAD_ARGUMENT' && e.message.startsWith('maxSeqLen')) {
      throw new CliUsageError(`--lengths ${longest}: the prompt and its ${PASSKEY_ANSWER_TOKENS} answer tokens need ${longest + PASSKEY_ANSWER_TOKENS} positions; ${e.message.replace(/^maxSeqLen must be/, 'the model allows')}`);
    }
    throw e;
  });
  const bar = createProgressBar(ctx, 'kvcache passkey');
  try {
    const tokenizer = await loadTokenizer(values, model.config.vocabSize);
    const tasks = buildPasskeySuite(tokenizer, { lengths, perLength: values['per-length'], seed: values.seed });
    const trials = await evaluatePasskey(kernels, model, tokenizer, tasks, {
      budget: values.budget, methods, answerTokens: PASSKEY_ANSWER_TOKENS, window: values.window, sinks: values.sinks, distance: values.distance, codebooks, onProgress: bar, signal: ctx.signal,
    });
    bar.done();
    const table = `# Passkey retrieval, ρ = ${values.budget}, ${values['per-length']} tasks per length (seed ${values.seed})\n\n${passkeyMarkdown(trials)}`;
    if (values.out) {
      const { mkdir, writeFile } = await import('node:fs/promises');
      await mkdir(values.out, { recursive: true });
      await writeFile(`${values.out}/passkey.md`, table);
      await writeFile(`${values.out}/passkey.json`, JSON.stringify(trials, null, 2));
      await writeSvg(`${values.out}/passkey.svg`, passkeyChart(trials, `Passkey accuracy, ρ = ${values.budget} (95% bootstrap over tasks)`));
    }
    ctx.stdout(values.json ? JSON.stringify(trials, null, 2) + '\n' : table + (values.out ? `wrote ${values.out}/passkey.md, passkey.json, passkey.svg\n` : ''));
  } finally {
    bar.done();
    model.dispose();
  }
  return 0;
}

/** --shard K/N with 0 ≤ K < N. */
function shardOf(s: string): [number, number] {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new CliUsageError(`--shard must be K/N with 0 ≤ K < N, got '${s}'`);
  return [Number(m[1]), Number(m[2])];
}

/** --seeds 0,1,2: distinct non-negative integers. */
function seedList(s: string): number[] {
  const v = s.split(',').map((x) => Number(x.trim()));
  if (v.length === 0 || v.some((x) => !Number.isInteger(x) || x < 0) || new Set(v).size !== v.length) throw new CliUsageError(`--seeds must be distinct non-negative integers separated by commas, got '${s}'`);
  return v;
}

/** qa.safetensors + seed 2 → qa-seed2.safetensors (the seed before the extension). */
export function withSeed(file: string, seed: number): string {
  const dot = file.lastIndexOf('.'), slash = file.lastIndexOf('/');
  return dot > slash + 1 ? `${file.slice(0, dot)}-seed${seed}${file.slice(dot)}` : `${file}-seed${seed}`;
}

/** --codebooks FILE[,FILE]: a query-aware and/or a plain set. */
async function readCodebookFiles(list: string): Promise<{ queryAware?: CodebookSet; plain?: CodebookSet }> {
  const { readFile } = await import('node:fs/promises');
  const out: { queryAware?: CodebookSet; plain?: CodebookSet } = {};
  for (const file of list.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (e) {
      throw new SparseInferenceError('BAD_FILE', `cannot read ${file}: ${(e as Error).message}`, { cause: e });
    }
    const set = readCodebookFile(bytes, file);
    const key = set.info.kind === 'query-aware' ? 'queryAware' : 'plain';
    if (out[key]) throw new CliUsageError(`--codebooks names two ${set.info.kind} files`);
    out[key] = set;
  }
  return out;
}

async function runEvalModel(args: string[], ctx: CliContext): Promise<number> {
  if (args.includes('--corpus') || args.some((a) => a.startsWith('--corpus='))) return runEvalCorpus(args, ctx);
  const { values } = parseArgs(args, {
    options: {
      model: { type: 'string' }, tokenizer: { type: 'string' }, text: { type: 'string' },
      'calibration-stories': { type: 'number', integer: true, min: 1, default: 40 },
      'cal-stories': { type: 'renamed', to: 'calibration-stories' },
      ...VOCABULARY.tokens,
      tokens: { type: 'number', integer: true, min: 1, default: 3000 },
      budgets: { type: 'string', default: '0.05,0.1,0.2' },
      mode: { type: 'string', choices: ['total', 'perHead'], default: 'total' },
      size: { type: 'number', integer: true, min: 2, default: 256 },
      iterations: { type: 'number', integer: true, min: 1, default: 50 },
      window: { type: 'number', integer: true, min: 0, default: 16 },
      sinks: { type: 'number', integer: true, min: 0, default: 4 },
      distance: { type: 'number', min: 0, default: 64 },
      methods: { type: 'string', default: 'full,oracle,a2ats,vq-wrope,quest,pqcache' },
      ...VOCABULARY.codebooks, ...VOCABULARY.thresholds, 'no-nll': { type: 'boolean' },
      ...VOCABULARY.seed,
      backend: backendOpt, ...VOCABULARY.json, ...VOCABULARY.out, 'out-dir': { type: 'renamed', to: 'out' },
      ...VOCABULARY.threads,
    },
  });
  for (const k of ['model', 'tokenizer', 'text'] as const) if (values[k] === undefined) throw new CliUsageError(`--${k} is required`);
  await using run = await openKernels(values.backend, values.threads);
  const kernels = syncKernels(run.kernels, 'kvcache eval');
  const model = await openModel(values.model, kernels);
  const sparsity = values.thresholds ? await useThresholds(model, values.thresholds) : undefined;
  const bar = createProgressBar(ctx, 'kvcache eval model');
  try {
    const tokenizer = await readTokenizer(values.tokenizer!, model.config.vocabSize);
    const text = await readText(values.text!);
    let codebooks;
    if (values.codebooks) {
      const { readFile } = await import('node:fs/promises');
      const set = readCodebookFile(new Uint8Array(await readFile(values.codebooks)), values.codebooks);
      codebooks = set.info.kind === 'query-aware' ? { queryAware: set } : { plain: set };
    }
    const res = await evaluateLlama(kernels, model, tokenizer, text, {
      calibrationStories: values['calibration-stories'], evalTokens: values.tokens, budgets: numberList(values.budgets, '--budgets'),
      budgetMode: values.mode as 'total' | 'perHead', codebookSize: values.size, kmeansIterations: values.iterations,
      window: values.window, sinks: values.sinks, distance: values.distance, methods: methodList(values.methods),
      codebooks, skipNll: values['no-nll'], seed: values.seed, onProgress: bar, signal: ctx.signal,
    });
    bar.done();
    const title = `${values.model} (${model.config.nLayers} layers, head dim ${model.config.headDim}), w=${res.wrope.window}, s=${res.sinks}, b=${res.wrope.distance}`
      + (sparsity ? `, activation sparsity ${sparsity.name}` : '');
    const extra = { exactNll: res.exactNll, evalTokens: res.evalTokens, calibrationTokens: res.calibrationTokens, wrope: res.wrope, sinks: res.sinks, seconds: res.seconds };
    const files = await writeOutputs(values.out, 'model', res.rows, extra, title);
    if (values.json) ctx.stdout(JSON.stringify({ ...extra, rows: res.rows }, null, 2) + '\n');
    else ctx.stdout(`${title}\nexact NLL ${res.exactNll.toFixed(4)} on ${res.evalTokens} tokens; calibration ${res.calibrationTokens} tokens\n${evalTextTable(res.rows)}${files.map((f) => `wrote ${f}\n`).join('')}`);
  } finally {
    bar.done();
    await sparsity?.dispose();
    model.dispose();
  }
  return 0;
}

async function runAblationsCmd(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, { options: { ...syntheticOptions, n: { type: 'number', integer: true, min: 128, default: 16384 }, budget: { type: 'number', min: 0, max: 1, default: 0.03 } } });
  await using run = await openKernels(values.backend, values.threads);
  const kernels = syncKernels(run.kernels, 'kvcache ablations');
  const bar = createProgressBar(ctx, 'kvcache ablations');
  const base = { ...syntheticFrom({ ...values, methods: values.methods === syntheticOptions.methods.default ? 'oracle,a2ats,vq-wrope,quest,pqcache' : values.methods }), budgets: [values.budget] };
  let rows;
  try {
    rows = await runAblations(kernels, { ...base, onProgress: bar, signal: ctx.signal });
  } finally {
    bar.done();
  }
  if (values.json) { ctx.stdout(JSON.stringify(rows, null, 2) + '\n'); return 0; }
  const lines = ['| factor | value | method | realized budget | recall mean | recall p5 | rel. error | score MSE | score MSE top-K |', '|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.factor} | ${r.value} | ${r.method} | ${r.realizedBudget.toFixed(4)} | ${r.recallMean.toFixed(3)} | ${r.recallP5.toFixed(3)} | ${r.relErrorMean.toFixed(3)} | ${Number.isFinite(r.scoreMse) ? r.scoreMse.toFixed(3) : '—'} | ${Number.isFinite(r.scoreMseTop) ? r.scoreMseTop.toFixed(3) : '—'} |`);
  const md = lines.join('\n') + '\n';
  if (values.out) {
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(values.out, { recursive: true });
    await writeFile(`${values.out}/ablations.md`, md);
    await writeFile(`${values.out}/ablations.json`, JSON.stringify(rows, null, 2));
  }
  ctx.stdout(md);
  return 0;
}

async function runCalibrate(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, {
    options: {
      model: { type: 'string' }, tokenizer: { type: 'string' }, text: { type: 'string' }, corpus: { type: 'string' },
      out: { type: 'string' }, 'plain-out': { type: 'string' },
      kind: { type: 'string', choices: ['query-aware', 'plain', 'both'], default: 'query-aware' },
      size: { type: 'number', integer: true, min: 2, default: 256 },
      iterations: { type: 'number', integer: true, min: 1, default: 50 },
      'calibration-stories': { type: 'number', integer: true, min: 1, default: 40 },
      'cal-stories': { type: 'renamed', to: 'calibration-stories' },
      'document-tokens': { type: 'number', integer: true, min: 2, default: 2048 },
      'query-tokens': { type: 'number', integer: true, min: 1, default: 256 },
      window: { type: 'number', integer: true, min: 0 },
      distance: { type: 'number', min: 0 },
      seeds: { type: 'string' },
      ...VOCABULARY.seed, ...VOCABULARY.json,
      backend: backendOpt, ...VOCABULARY.threads,
    },
  });
  const corpus = values.corpus;
  const seeds = values.seeds === undefined ? [values.seed] : seedList(values.seeds);
  if (seeds.length > 1 && !corpus) throw new CliUsageError('--seeds needs --corpus (one capture, codebooks trained per seed)');
  if (corpus !== undefined && values.text !== undefined) throw new CliUsageError('give --corpus DIR or --text STORIES.txt, not both');
  for (const k of corpus ? ['model', 'out'] as const : ['model', 'tokenizer', 'text', 'out'] as const) if (values[k] === undefined) throw new CliUsageError(`--${k} is required`);
  if (values.kind === 'both' && values['plain-out'] === undefined) throw new CliUsageError('--kind both needs --plain-out FILE for the plain codebooks');
  const kinds: ('query-aware' | 'plain')[] = values.kind === 'both' ? ['query-aware', 'plain'] : [values.kind as 'query-aware' | 'plain'];
  // A corpus run uses the paper's window and distance unless told otherwise; stories keep the 512-token scale.
  const window = values.window ?? (corpus ? 64 : 16), distance = values.distance ?? (corpus ? 2048 : 64);
  await using run = await openKernels(values.backend, values.threads);
  const kernels = syncKernels(run.kernels, 'kvcache calibrate');
  const model = await openModel(values.model, kernels, corpus ? values['document-tokens'] : undefined);
  const bar = createProgressBar(ctx, 'kvcache calibrate');
  try {
    const c = model.config;
    const wrope = { window, distance, base: c.ropeBase, pairing: c.ropePairing };
    const training = { size: values.size, iterations: values.iterations, seed: values.seed, kinds, onProgress: bar, signal: ctx.signal };
    let tokens, queries: number | undefined, seconds: { capture?: number; train: number } | undefined, documents: string[] | undefined;
    const written: { file: string; set: CodebookSet }[] = [];
    const { writeFile } = await import('node:fs/promises');
    const save = async (sets: { queryAware?: CodebookSet; plain?: CodebookSet }, seed: number) => {
      const tag = (file: string) => seeds.length > 1 ? withSeed(file, seed) : file;
      if (sets.queryAware) written.push({ file: tag(values.out!), set: sets.queryAware });
      if (sets.plain) written.push({ file: tag(kinds.length === 2 ? values['plain-out']! : values.out!), set: sets.plain });
      for (const w of written.slice(-kinds.length)) await writeFile(w.file, writeCodebookFile(w.set));
    };
    if (corpus) {
      const tokenizer = await loadTokenizer(values, c.vocabSize);
      const docs = await readCorpus(corpus, 'calibration');
      documents = docs.map((d) => d.id);
      const ids = docs.map((d) => tokenizer.encode(d.text).slice(0, values['document-tokens']));
      // One capture, then one training per seed: the seed only moves the k-means initialisation.
      const capture = await captureDocuments(kernels, model, ids, wrope, { queryTokens: values['query-tokens'], onProgress: bar, signal: ctx.signal }, 0.2);
      const t1 = performance.now();
      for (let i = 0; i < seeds.length; i++) {
        const step = (f: number, l: string) => bar(0.2 + 0.8 * (i + f) / seeds.length, `seed ${seeds[i]}: ${l}`);
        await save(await trainCodebookKinds(kernels, capture.calibration, { ...training, seed: seeds[i], onProgress: step }, 0), seeds[i]);
      }
      ({ tokens, queryPositions: queries } = capture);
      seconds = { capture: capture.seconds, train: (performance.now() - t1) / 1000 };
    } else {
      const tokenizer = await readTokenizer(values.tokenizer!, c.vocabSize);
      const stories = splitStories(await readText(values.text!)).slice(0, values['calibration-stories']);
      const r = await calibrateLlama(kernels, model, tokenizer, stories, wrope, training);
      tokens = r.tokens;
      await save(r.sets, values.seed);
    }
    bar.done();
    const files = written.map((w) => ({ file: w.file, ...w.set.info }));
    // One kind: its file and info at the top level (as before --kind both existed); both: under files.
    if (values.json) ctx.stdout(JSON.stringify({ ...(files.length === 1 ? files[0] : { files }), tokens, queryPositions: queries, documents, seconds }, null, 2) + '\n');
    else {
      for (const { file, set } of written) {
        const k = set.info.kmeans!;
        ctx.stdout(`${set.info.kind} codebooks: ${c.nLayers} layers × ${c.nKvHeads} KV heads × ${set.info.size} centroids (d = ${c.headDim}) from ${tokens} tokens`
          + `${queries === undefined ? '' : ` (queries of ${queries} positions)`}; k-means ≤ ${k.maxIterations} iterations, mean ${k.iterationsMean.toFixed(1)}, `
          + `max ${k.iterationsMax}, ${k.converged}/${c.nLayers * c.nKvHeads} converged → ${file}\n`);
      }
      if (seconds) ctx.stdout(`time: ${JSON.stringify(seconds)} s\n`);
    }
  } finally {
    bar.done();
    model.dispose();
  }
  return 0;
}

async function runInspect(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs(args, { options: { ...VOCABULARY.json }, positionals: { min: 1, max: 1 } });
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(positionals[0]));
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read ${positionals[0]}: ${(e as Error).message}`, { cause: e });
  }
  const set = readCodebookFile(bytes, positionals[0]);
  const i = set.info;
  if (values.json) ctx.stdout(JSON.stringify(i, null, 2) + '\n');
  else {
    ctx.stdout(`${positionals[0]}: ${i.kind} codebooks, ${i.nLayers} layers × ${i.nKvHeads} KV heads × ${i.size} centroids of dimension ${i.headDim}\n`
      + `WRoPE window ${i.wrope.window}, distance ${i.wrope.distance}, base ${i.wrope.base} (${i.wrope.pairing}); `
      + `calibrated on ${i.calibrationTokens} keys and ${i.calibrationQueries} queries per codebook\n`);
  }
  return 0;
}

async function runThroughput(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, {
    options: {
      context: { type: 'number', integer: true, min: 1, default: PAPER_WORKLOAD.context },
      budget: { type: 'number', min: 0, max: 1, default: PAPER_WORKLOAD.budget },
      union: { type: 'number', min: 1, max: 4, default: PAPER_WORKLOAD.unionFactor },
      size: { type: 'number', integer: true, min: 2, default: PAPER_WORKLOAD.codebookSize },
      'slow-bytes': { type: 'number', min: 0.5, max: 8, default: PAPER_WORKLOAD.slowKvBytes },
      'no-overlap': { type: 'boolean' }, json: { type: 'boolean' },
    },
  });
  const p = predictThroughput(LLAMA31_8B, A100_HOST, {
    ...PAPER_WORKLOAD, context: values.context, budget: values.budget, unionFactor: values.union, codebookSize: values.size,
    slowKvBytes: values['slow-bytes'], overlap: !values['no-overlap'],
  });
  if (values.json) { ctx.stdout(JSON.stringify(p, null, 2) + '\n'); return 0; }
  ctx.stdout([
    `Llama-3.1-8B, A100-80GB (2.0 TB/s) + 1 TiB host DRAM (200 GB/s) over PCIe 4.0 (25 GB/s); context ${values.context}, ρ = ${values.budget}, union ×${values.union}`,
    `baseline (all KV on GPU, fp16): max batch ${p.baseline.maxBatch}, ${p.baseline.atMax.tokensPerSecond.toFixed(0)} tokens/s`,
    `A²ATS two-tier: max batch ${p.a2ats.maxBatch} (${p.a2ats.capacityLimit}-tier memory bound), ${p.a2ats.atMax.tokensPerSecond.toFixed(0)} tokens/s `
      + `(fast ${(p.a2ats.atMax.fastSeconds * 1e3).toFixed(1)} ms, slow ${(p.a2ats.atMax.slowSeconds * 1e3).toFixed(1)} ms, link ${(p.a2ats.atMax.linkSeconds * 1e3).toFixed(1)} ms per step; ${p.a2ats.atMax.bound}-bound)`,
    `speedup ${p.speedup.toFixed(2)}x`, '',
  ].join('\n'));
  return 0;
}

export const kvcacheCommand: CliCommand = {
  name: 'kvcache',
  summary: 'A²ATS KV-cache retrieval: evaluate on synthetic data or a real model, calibrate codebooks, throughput model',
  usage: USAGE,
  async run(args: string[], ctx: CliContext): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === '-h' || sub === '--help') { ctx.stdout(USAGE); return sub === undefined ? 2 : 0; }
    if (rest.includes('-h') || rest.includes('--help')) { ctx.stdout(USAGE); return 0; }
    switch (sub) {
      case 'eval': {
        const [what, ...more] = rest;
        if (what === 'synthetic') return runEvalSynthetic(more, ctx);
        if (what === 'model') return runEvalModel(more, ctx);
        throw new CliUsageError(`kvcache eval needs 'synthetic' or 'model', got ${what === undefined ? 'nothing' : `'${what}'`}`);
      }
      case 'ablations': return runAblationsCmd(rest, ctx);
      case 'calibrate': return runCalibrate(rest, ctx);
      case 'passkey': return runPasskey(rest, ctx);
      case 'inspect': return runInspect(rest, ctx);
      case 'throughput': return runThroughput(rest, ctx);
      default: throw new CliUsageError(`unknown kvcache sub-command '${sub}' (eval, ablations, calibrate, passkey, inspect, throughput)`);
    }
  },
};
