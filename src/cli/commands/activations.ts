/**
 * `sparse-inference activations <calibrate|eval>`: calibrate activation-sparsity thresholds
 * (CATS, CHESS, TEAL) on a model and text, and evaluate the methods on the synthetic SwiGLU
 * block and on a real model (CHESS, arXiv 2409.01366; see docs/activations.md).
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CliCommand, CliContext } from '../command.js';
import { CliUsageError, VOCABULARY, parseArgs } from '../args.js';
import { openKernels, openModel, syncKernels, useThresholds } from '../model-runtime.js';
import { createProgressBar } from '../progress.js';
import { SparseInferenceError } from '../../core/errors.js';
import { readTokenizer } from '../../llama/node-files.js';
import { readGgufTokenizer } from '../../node/gguf-file.js';
import { readCorpus } from '../../node/read-corpus.js';
import { STORY_SEPARATOR } from '../../llama/split-stories.js';
import { corpusCalibrationSequences } from '../../activations/corpus-calibration.js';
import { writeSvg } from '../../plot/write-svg.js';
import { calibrateOnSequences, calibrationSequences } from '../../activations/calibrate-model.js';
import { tealBlockGreedyAllocation } from '../../activations/teal-block-greedy.js';
import { firstTokens } from '../../activations/evaluate-corpus.js';
import { catsThresholds } from '../../activations/cats-thresholds.js';
import { chessThresholds } from '../../activations/chess-thresholds.js';
import { tealThresholds } from '../../activations/teal-thresholds.js';
import { tealGreedyAllocation } from '../../activations/teal-greedy.js';
import { checkThresholdsTarget, saveThresholds } from '../../activations/thresholds-node.js';
import { evaluateSyntheticSwiGlu } from '../../activations/evaluate-synthetic.js';
import { evaluateModelSparsity, splitCalibrationText, type ModelEvalResult } from '../../activations/evaluate-model.js';
import { evaluateNll } from '../../llama/evaluate-nll.js';
import type { LlamaModel } from '../../llama/model.js';
import type { TextTokenizer } from '../../llama/text-tokenizer.js';
import { corpusPplChart, modelNllChart, syntheticErrorChart } from '../../activations/plots.js';
import { evaluateCorpusSparsity, type CorpusEvalResult } from '../../activations/evaluate-corpus.js';
import { sequenceNll } from '../../llama/sequence-nll.js';
import { bootstrapPairedDifference } from '../../core/stats/bootstrap.js';
import {
  COMPARISON_HEADERS, CORPUS_HEADERS, LAST_WORD_HEADERS, comparisonRows, MODEL_HEADERS, SYNTHETIC_HEADERS, corpusRows, formatInterval, lastWordRows, markdownTable, modelRows, syntheticRows,
} from '../../activations/format-tables.js';

const BACKENDS = ['auto', 'reference', 'wasm'] as const;

const USAGE = `Usage: sparse-inference activations <subcommand> [options]

Activation sparsity for SwiGLU models (CHESS, EMNLP 2024; baselines CATS and TEAL).

Subcommands:
  calibrate --model M (--corpus DIR | --tokenizer T --text F) --sparsity k --method chess|cats|teal
            --out FILE [--variant sq|abs] [--greedy [--greedy-protocol block|next-input] [--greedy-tokens N]]
            [--tokens N] [--seed s] [--quantile exact|sketch]
            [--json] [--backend b] [--threads N]
            Run calibration text through the dense model (float32 weights; a GGUF file is
            dequantized and brings its own tokenizer), pool the activations and write the
            thresholds for target sparsity k in [0, 1) as JSON. --corpus DIR: segments of the
            corpus's calibration split drawn with --seed (default 0), 20% from its UUID text,
            N tokens (default 80000, sketch quantiles). --text F: stories split on
            <|endoftext|>, BOS-prefixed, from the start until N tokens (default 4096, exact
            quantiles). chess: channel-wise gate thresholds (--variant sq, the default, or abs)
            plus q/o input thresholds; cats: one gate threshold per layer; teal: input thresholds
            of all seven projections (--greedy: TEAL's block-wise greedy allocation, slow; protocol
            'block', the default, is the authors' greedyopt.py — each block alone, error of its
            output on the last 25% of the first N calibration tokens (default 2048); 'next-input'
            is this repo's older search through the whole model). Use
            the file with 'llama generate|ppl --thresholds FILE', 'kvcache eval model
            --thresholds FILE' or 'activations eval --thresholds FILE'.
  eval --model M --corpus DIR [--documents N] [--tokens T] [--sparsity 0.3,0.5,0.7]
            [--calibration-tokens N] [--seeds 0,1,2] [--last-word N] [--last-word-sparsity k]
            [--last-word-context T] [--greedy-tokens N] [--greedy-step 0.05]
            [--out DIR] [--seed s] [--json] [--backend b] [--threads N]
            The real-model protocol: thresholds calibrated on the corpus's calibration split
            (N tokens per seed, default 80000), NLL of the first T tokens (default: whole, up to
            the context) of N evaluation documents spread evenly over the list (default: all) for dense, CATS,
            CHESS w/o, CHESS w/ and TEAL at every k; ΔNLL and the perplexity ratio vs dense with
            95% bootstrap intervals over documents (per-document NLL averaged over seeds); with
            --last-word N, a last-word task of N passages of at most T tokens (default
            512) at k (default 0.5); with --greedy-tokens N, a "TEAL greedy" row too (the
            authors' block-wise greedy on the first N calibration tokens of each seed); for a GGUF model,
            the quantized dense NLL on the same tokens for reference. Slow at the defaults (every
            configuration runs every document token by token): see docs/activations.md.
            Writes DIR/activations-corpus.json and DIR/corpus-ppl.svg.
  eval      [--model M --tokenizer T --text F] [--sparsity 0.3,0.5,0.7] [--out DIR] [--quick]
            [--calibration-tokens N] [--tokens N] [--teal-greedy] [--seed s] [--json]
            [--thresholds FILE] [--backend b] [--threads N]
            (a) the synthetic SwiGLU block 512×1408: sparsity, objective, relative output
            error (Frobenius and mean per token) and weights streamed for oracle / CHESS-sq /
            CHESS-abs / CATS / TEAL;
            (b) with --model/--tokenizer/--text: calibrate on the second half of the stories,
            NLL on the first half for dense / CATS / CHESS w/o / CHESS w/ / TEAL.
            Writes DIR/activations-eval.json, DIR/synthetic-error.svg, DIR/model-nll.svg
            (default DIR: activations-eval). --tokens: test tokens of (a) and evaluation
            tokens of (b) (default 1024 and 3000); --calibration-tokens likewise (2048, 4096);
            --seed: the synthetic block and its data (default 7). --quick: fewer tokens.
            --thresholds FILE (with --model): also the NLL with that calibrated file installed,
            on the same held-out tokens.

Options:
  --backend auto|reference|wasm  Kernel backend (default auto)
  --threads N                    Kernel threads (wasm; default 1)
  -h, --help                     Show this help

Examples:
  sparse-inference activations calibrate --model SmolLM2-135M-Instruct.Q4_1.gguf --corpus corpus \\
      --sparsity 0.5 --method chess --out chess-0.5.json
  sparse-inference activations eval --model SmolLM2-135M-Instruct.Q4_1.gguf --corpus corpus \\
      --documents 12 --tokens 1024 --calibration-tokens 8192 --last-word 100
  sparse-inference activations calibrate --model stories260K.bin --tokenizer tok512.bin \\
      --text tinystories_sample.txt --sparsity 0.5 --method chess --out thresholds.json
  sparse-inference activations eval --model stories260K.bin --tokenizer tok512.bin \\
      --text tinystories_sample.txt
`;

function required(v: string | undefined, name: string): string {
  if (v === undefined || v === '') throw new CliUsageError(`--${name} is required`);
  return v;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read text ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function parseSparsities(s: string): number[] {
  const ks = s.split(',').map((x) => Number(x.trim()));
  if (ks.length === 0 || ks.some((k) => !(k >= 0 && k < 1))) throw new CliUsageError(`--sparsity must be numbers in [0, 1) separated by commas, got '${s}'`);
  return ks;
}

async function runCalibrate(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, {
    options: {
      model: { type: 'string' }, tokenizer: { type: 'string' }, text: { type: 'string' }, corpus: { type: 'string' }, out: { type: 'string' },
      sparsity: { type: 'number', min: 0, max: 0.999999 },
      method: { type: 'string', choices: ['chess', 'cats', 'teal'] },
      variant: { type: 'string', choices: ['sq', 'abs'], default: 'sq' },
      greedy: { type: 'boolean' },
      'greedy-protocol': { type: 'string', choices: ['block', 'next-input'], default: 'block' },
      'greedy-tokens': { type: 'number', integer: true, min: 2, default: 2048 },
      ...VOCABULARY.tokens,
      ...VOCABULARY.seed,
      quantile: { type: 'string', choices: ['exact', 'sketch'] },
      backend: { type: 'string', choices: BACKENDS, default: 'auto' },
      ...VOCABULARY.threads, ...VOCABULARY.json,
    },
  });
  const modelPath = required(values.model, 'model');
  const out = required(values.out, 'out');
  const method = required(values.method, 'method');
  if (values.sparsity === undefined) throw new CliUsageError('--sparsity is required');
  const k = values.sparsity;
  if (values.greedy && method !== 'teal') throw new CliUsageError('--greedy applies to --method teal only');
  if ((values.text === undefined) === (values.corpus === undefined)) throw new CliUsageError('give one of --text FILE (stories) or --corpus DIR (its calibration split)');
  await checkThresholdsTarget(out); // before the calibration, not after it
  await using run = await openKernels(values.backend, values.threads);
  const model = await openSparseModel(modelPath, run.kernels);
  const bar = createProgressBar(ctx, 'calibrate');
  try {
    const tokenizer = await modelTokenizer(modelPath, values.tokenizer, model.config.vocabSize);
    // A corpus's calibration documents stand in for the text of TEAL's greedy search too.
    const calibrationDocs = values.corpus === undefined ? undefined : await readCorpus(values.corpus, 'calibration');
    const text = calibrationDocs ? calibrationDocs.map((d) => d.text).join(`\n${STORY_SEPARATOR}\n`) : await readText(values.text!);
    // The corpus default is the paper's 64K text + 16K UUID tokens; pooled exact quantiles of that many need GBs.
    const quantile = (values.quantile ?? (calibrationDocs ? 'sketch' : 'exact')) as 'exact' | 'sketch';
    const progress = { quantile, chess: method === 'chess', signal: ctx.signal, onProgress: bar };
    const sequences = calibrationDocs
      ? corpusCalibrationSequences(tokenizer, calibrationDocs, { tokens: values.tokens ?? 80_000, seed: values.seed })
      : calibrationSequences(tokenizer, text, values.tokens ?? 4096, model.config.seqLen);
    const stats = await calibrateOnSequences(model, sequences, progress);
    let th;
    if (method === 'cats') th = catsThresholds(stats, k, { model: modelPath });
    else if (method === 'chess') th = chessThresholds(stats, k, { model: modelPath, variant: values.variant as 'sq' | 'abs' });
    else if (!values.greedy || k === 0) th = tealThresholds(stats, k, { model: modelPath });
    else {
      const greedy = { targets: [k], signal: ctx.signal, onProgress: bar };
      const g = values['greedy-protocol'] === 'block'
        ? await tealBlockGreedyAllocation(syncKernels(run.kernels, 'activations calibrate --greedy'), model, firstTokens(sequences, values['greedy-tokens']), stats, greedy)
        : await tealGreedyAllocation(model, tokenizer, text, stats, greedy);
      th = tealThresholds(stats, k, { model: modelPath, sparsities: g.sparsities[0] });
    }
    await saveThresholds(out, th);
    bar.done();
    if (values.json) {
      ctx.stdout(JSON.stringify({ file: out, ...th.metadata, calibrationTokens: stats.tokens }, null, 2) + '\n');
    } else {
      ctx.stdout(`wrote ${out}: ${th.metadata.method} thresholds for ${th.metadata.nLayers} layers at sparsity ${k} `
        + `(${stats.tokens} calibration tokens${calibrationDocs ? `, seed ${values.seed}` : ''}, ${stats.mode} quantiles)\n`);
    }
  } finally {
    bar.done();
    model.dispose();
  }
  return 0;
}

/** The model with float32 weights (the sparse components read float rows; a GGUF file is dequantized once). */
function openSparseModel(path: string, kernels: Parameters<typeof openModel>[1], maxSeqLen?: number) {
  return openModel(path, kernels, maxSeqLen, undefined, { weights: 'f32' });
}

/** --tokenizer (llama2.c), else the BPE tokenizer a GGUF file carries. */
async function modelTokenizer(modelPath: string, tokenizerPath: string | undefined, vocabSize: number): Promise<TextTokenizer> {
  if (tokenizerPath !== undefined) return readTokenizer(tokenizerPath, vocabSize);
  if (modelPath.endsWith('.gguf')) return readGgufTokenizer(modelPath);
  throw new CliUsageError('--tokenizer is required (only a GGUF model carries its own)');
}

async function runEval(args: string[], ctx: CliContext): Promise<number> {
  if (args.includes('--corpus') || args.some((a) => a.startsWith('--corpus='))) return runCorpusEval(args, ctx);
  const { values } = parseArgs(args, {
    options: {
      model: { type: 'string' }, tokenizer: { type: 'string' }, text: { type: 'string' },
      sparsity: { type: 'string', default: '0.3,0.5,0.7' },
      out: { type: 'string', default: 'activations-eval' },
      quick: { type: 'boolean' }, ...VOCABULARY.json, 'teal-greedy': { type: 'boolean' },
      'calibration-tokens': { type: 'number', integer: true, min: 1 },
      ...VOCABULARY.tokens,
      ...VOCABULARY.seed, seed: { type: 'number', integer: true, min: 0, default: 7 },
      backend: { type: 'string', choices: BACKENDS, default: 'auto' },
      ...VOCABULARY.threads, ...VOCABULARY.thresholds,
    },
  });
  const ks = parseSparsities(values.sparsity);
  const real = [values.model, values.tokenizer, values.text];
  if (values.thresholds !== undefined && values.model === undefined) {
    throw new CliUsageError('--thresholds evaluates a calibrated file on a model: give --model, --tokenizer and --text too');
  }
  if (real.some((v) => v !== undefined) && real.some((v) => v === undefined)) {
    throw new CliUsageError('--model, --tokenizer and --text go together (the real-model evaluation needs all three)');
  }
  await using k = await openKernels(values.backend, values.threads);
  const kernels = syncKernels(k.kernels, 'activations eval');
  const quick = values.quick;
  const bar = createProgressBar(ctx, 'activations eval');
  const t0 = performance.now();
  let synthetic, model, fromFile;
  try {
    synthetic = await evaluateSyntheticSwiGlu(kernels, {
      sparsities: ks, calibrationTokens: values['calibration-tokens'] ?? (quick ? 512 : 2048),
      testTokens: values.tokens ?? (quick ? 256 : 1024), seed: values.seed, signal: ctx.signal, onProgress: (f, l) => bar(real[0] ? f / 3 : f, l),
    });
    if (values.model) {
      const m = await openModel(values.model, kernels);
      try {
        const tokenizer = await readTokenizer(values.tokenizer!, m.config.vocabSize);
        const text = await readText(values.text!);
        model = await evaluateModelSparsity(m, tokenizer, text, {
          sparsities: ks, calibrationTokens: values['calibration-tokens'] ?? (quick ? 1024 : 4096),
          evalTokens: values.tokens ?? (quick ? 600 : 3000), tealGreedy: values['teal-greedy'], modelName: values.model,
          signal: ctx.signal, onProgress: (f, l) => bar(1 / 3 + (2 * f) / 3, l),
        });
        if (values.thresholds) fromFile = await evaluateThresholdsFile(m, tokenizer, values.thresholds, text, model, ctx.signal);
      } finally {
        m.dispose();
      }
    }
  } finally {
    bar.done();
  }
  const seconds = (performance.now() - t0) / 1000;
  await mkdir(values.out, { recursive: true });
  const result = { backend: `${kernels.backend}/${kernels.variant}`, seconds, synthetic, model, thresholdsFile: fromFile };
  await writeFile(join(values.out, 'activations-eval.json'), JSON.stringify(result, null, 1) + '\n');
  await writeSvg(join(values.out, 'synthetic-error.svg'), syntheticErrorChart(synthetic));
  if (model) await writeSvg(join(values.out, 'model-nll.svg'), modelNllChart(model, basename(values.model!)));
  if (values.json) {
    ctx.stdout(JSON.stringify(result, null, 2) + '\n');
    return 0;
  }
  ctx.stdout(`## Synthetic SwiGLU ${synthetic.dim}×${synthetic.hidden} (${synthetic.calibrationTokens} calibration, ${synthetic.testTokens} test tokens)\n\n`);
  ctx.stdout(markdownTable(SYNTHETIC_HEADERS, syntheticRows(synthetic)));
  if (model) {
    ctx.stdout(`\n## ${values.model}: NLL on stories [0, ${model.evaluationStories[1]}) (${model.evalTokens} tokens), `
      + `calibrated on stories [${model.calibrationStories.join(', ')}) (${model.calibrationTokens} tokens)\n\n`);
    ctx.stdout(markdownTable(MODEL_HEADERS, modelRows(model)));
  }
  if (fromFile) {
    ctx.stdout(`\n${fromFile.file} (${fromFile.name}): NLL ${fromFile.meanNll.toFixed(4)} over the same ${fromFile.tokens} tokens, `
      + `${fromFile.nllIncrease >= 0 ? '+' : ''}${fromFile.nllIncrease.toFixed(4)} over dense\n`);
  }
  ctx.stdout(`\nwrote ${values.out}/activations-eval.json and SVG plots (${seconds.toFixed(1)} s, ${result.backend})\n`);
  return 0;
}

/**
 * `activations eval --model X.gguf --corpus DIR`: calibrate on the corpus's calibration split,
 * score dense and every method on its evaluation documents with intervals over documents, and
 * (GGUF) the quantized dense model on the same tokens for reference.
 */
async function runCorpusEval(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, {
    options: {
      model: { type: 'string' }, tokenizer: { type: 'string' }, corpus: { type: 'string' },
      sparsity: { type: 'string', default: '0.3,0.5,0.7' },
      out: { type: 'string', default: 'activations-eval' },
      documents: { type: 'number', integer: true, min: 2 },
      ...VOCABULARY.tokens,
      'calibration-tokens': { type: 'number', integer: true, min: 1, default: 80_000 },
      seeds: { type: 'string', default: '0' },
      'last-word': { type: 'number', integer: true, min: 0, default: 0 },
      'last-word-sparsity': { type: 'number', min: 0, max: 0.999999, default: 0.5 },
      'last-word-context': { type: 'number', integer: true, min: 16, default: 512 },
      'greedy-tokens': { type: 'number', integer: true, min: 0, default: 0 },
      'greedy-step': { type: 'number', min: 0.001, max: 0.5, default: 0.05 },
      quantile: { type: 'string', choices: ['exact', 'sketch'], default: 'sketch' },
      ...VOCABULARY.seed,
      backend: { type: 'string', choices: BACKENDS, default: 'auto' },
      ...VOCABULARY.threads, ...VOCABULARY.json,
    },
  });
  const modelPath = required(values.model, 'model');
  const corpusDir = required(values.corpus, 'corpus');
  const ks = parseSparsities(values.sparsity);
  const seeds = values.seeds.split(',').map((x) => Number(x.trim()));
  if (seeds.some((x) => !Number.isInteger(x) || x < 0)) throw new CliUsageError(`--seeds must be non-negative integers separated by commas, got '${values.seeds}'`);
  const calibration = await readCorpus(corpusDir, 'calibration');
  const evaluation = spreadOut(await readCorpus(corpusDir, 'eval'), values.documents);
  await using k = await openKernels(values.backend, values.threads);
  const kernels = syncKernels(k.kernels, 'activations eval');
  const maxSeqLen = values.tokens === undefined ? undefined : Math.max(values.tokens, 1024);
  const bar = createProgressBar(ctx, 'activations eval');
  const t0 = performance.now();
  let result, quantized;
  try {
    const model = await openSparseModel(modelPath, kernels, maxSeqLen);
    try {
      const tokenizer = await modelTokenizer(modelPath, values.tokenizer, model.config.vocabSize);
      result = await evaluateCorpusSparsity(model, tokenizer, { calibration, evaluation }, {
        sparsities: ks, seeds, calibrationTokens: values['calibration-tokens'], documentTokens: values.tokens,
        quantile: values.quantile as 'exact' | 'sketch', lastWordTasks: values['last-word'], lastWordSparsity: values['last-word-sparsity'],
        lastWordContextTokens: values['last-word-context'], greedyTokens: values['greedy-tokens'], greedyBaseStep: values['greedy-step'],
        seed: values.seed, modelName: modelPath, signal: ctx.signal, onProgress: (f, l) => bar(0.95 * f, l),
      });
    } finally {
      model.dispose();
    }
    if (modelPath.endsWith('.gguf')) quantized = await quantizedReference(modelPath, kernels, maxSeqLen, evaluation, result, values.seed, ctx.signal);
  } finally {
    bar.done();
  }
  const seconds = (performance.now() - t0) / 1000;
  await mkdir(values.out, { recursive: true });
  const out = { command: `activations eval ${args.join(' ')}`, backend: `${kernels.backend}/${kernels.variant}`, seconds, ...result, quantizedDense: quantized };
  await writeFile(join(values.out, 'activations-corpus.json'), JSON.stringify(out, null, 1) + '\n');
  await writeSvg(join(values.out, 'corpus-ppl.svg'), corpusPplChart(result, basename(modelPath)));
  if (values.json) {
    ctx.stdout(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  const tokens = result.documentTokens.reduce((s, t) => s + t - 1, 0);
  ctx.stdout(`## ${basename(modelPath)} (float32 weights): ${result.documents.length} evaluation documents, ${tokens} predicted tokens; `
    + `thresholds from ${result.calibrationTokens} calibration tokens, seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')}\n\n`);
  ctx.stdout(markdownTable(CORPUS_HEADERS, corpusRows(result)));
  ctx.stdout(`\nMethod against method (paired over documents; negative favours the first):\n\n${markdownTable(COMPARISON_HEADERS, comparisonRows(result.comparisons))}`);
  if (quantized) ctx.stdout(`\nquantized dense (${quantized.weights}): NLL ${quantized.meanNll.toFixed(4)}, ΔNLL vs float32 dense ${formatInterval(quantized.deltaNll)}\n`);
  if (result.lastWord) {
    ctx.stdout(`\n## Last-word task: ${result.lastWord.tasks.length} passages, k = ${result.lastWord.k}\n\n`);
    ctx.stdout(markdownTable(LAST_WORD_HEADERS, lastWordRows(result.lastWord)));
  }
  ctx.stdout(`\nwrote ${values.out}/activations-corpus.json and corpus-ppl.svg (${seconds.toFixed(1)} s, ${out.backend})\n`);
  return 0;
}

/**
 * n documents evenly spaced through the list (all when n is absent): the corpus lists a manual's
 * documents next to each other, and a prefix would take few manuals.
 */
function spreadOut<T>(docs: T[], n: number | undefined): T[] {
  if (n === undefined || n >= docs.length) return docs;
  return Array.from({ length: n }, (_, i) => docs[Math.floor((i * docs.length) / n)]);
}

/** The quantized GGUF model's dense NLL on the same document tokens, paired with the float32 dense run. */
async function quantizedReference(path: string, kernels: Parameters<typeof openModel>[1], maxSeqLen: number | undefined,
  evaluation: { text: string }[], result: CorpusEvalResult, seed: number, signal?: AbortSignal) {
  const model = await openModel(path, kernels, maxSeqLen);
  try {
    const tokenizer = readGgufTokenizer(path);
    const nll: number[] = [];
    for (let i = 0; i < evaluation.length; i++) {
      const ids = tokenizer.encode(evaluation[i].text, { bos: tokenizer.addBos }).slice(0, result.documentTokens[i]);
      const r = await sequenceNll(model, ids, { signal });
      nll.push(r.nllSum / r.tokens);
    }
    const meanNll = nll.reduce((s, v) => s + v, 0) / nll.length;
    return { weights: 'quantized', meanNll, perDocumentNll: nll, deltaNll: bootstrapPairedDifference(nll, result.dense.perDocumentNll, { seed }) };
  } finally {
    model.dispose();
  }
}

/**
 * NLL with a thresholds file (from `activations calibrate --out`) installed, on the same held-out
 * stories and token count as the calibrated methods, so its row compares with theirs.
 */
async function evaluateThresholdsFile(model: LlamaModel, tokenizer: TextTokenizer, file: string, text: string,
  evaluated: ModelEvalResult, signal?: AbortSignal) {
  const installation = await useThresholds(model, file);
  try {
    const r = await evaluateNll(model, tokenizer, splitCalibrationText(text).evaluation, { maxTokens: evaluated.evalTokens, signal });
    return { file, name: installation.name, meanNll: r.meanNll, tokens: r.tokens, nllIncrease: r.meanNll - evaluated.dense.meanNll };
  } finally {
    await installation.dispose();
  }
}

export const activationsCommand: CliCommand = {
  name: 'activations',
  summary: 'Activation sparsity (CHESS, CATS, TEAL): calibrate thresholds, evaluate accuracy',
  usage: USAGE,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === 'calibrate') return runCalibrate(rest, ctx);
    if (sub === 'eval') return runEval(rest, ctx);
    throw new CliUsageError(sub === undefined ? 'activations needs a subcommand: calibrate or eval' : `unknown subcommand '${sub}' (calibrate, eval)`);
  },
};
