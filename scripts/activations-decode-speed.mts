/**
 * End-to-end decode speed of SmolLM2-135M (float32 weights, wasm, 1 thread) with CHESS at
 * k = 0.5 without and with attention sparsification, against dense, at a long context; the
 * quantized (Q4_1, int8 activations) dense model for reference. One process, configurations
 * alternating round by round (this machine is shared: only same-run ratios mean anything).
 *
 * Each model prefills the first C tokens of an evaluation document once (dense); every
 * configuration then decodes the same next N tokens from position C (teacher forcing: the
 * cache rows after C are rewritten each time, so every configuration sees the same context).
 * Thresholds come from `calibrationTokens` tokens of the corpus's calibration split (seed 0).
 *
 * Beside each measured speed-up: its bound from the bytes a decode step need not read, with
 * the step's bytes = the seven projections of every layer (float32; what the counters call
 * "weights streamed" scales these) + the classifier + the KV cache at the context (float32).
 *
 *   npx tsx scripts/activations-decode-speed.mts [context = 4096] [rounds = 5] [tokens = 16] [calibrationTokens = 1024] [threads = 1]
 *
 * Writes bench/results/activations-decode-node.json (threads > 1: activations-decode-node-<threads>t.json;
 * the wasm kernels on that many worker threads over one shared memory).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { createKernels } from '../src/backends/create-kernels.ts';
import { readGgufModel, readGgufTokenizer } from '../src/node/gguf-file.ts';
import { readCorpus } from '../src/node/read-corpus.ts';
import { calibrateOnSequences } from '../src/activations/calibrate-model.ts';
import { corpusCalibrationSequences } from '../src/activations/corpus-calibration.ts';
import { chessThresholds } from '../src/activations/chess-thresholds.ts';
import { installActivationSparsity, type SparsityInstallation } from '../src/activations/install-sparsity.ts';
import type { LlamaModel } from '../src/llama/model.ts';

const [ctx, rounds, n, calTokens, threads] = [4096, 5, 16, 1024, 1].map((d, i) => Number(process.argv[2 + i] ?? d));
const modelPath = `${process.env.SPARSE_INFERENCE_MODELS ?? 'models'}/SmolLM2-135M-Instruct.Q4_1.gguf`;
const corpusDir = process.env.SPARSE_INFERENCE_CORPUS ?? 'corpus';

const kernels = await createKernels(threads > 1 ? { backend: 'threads', threads } : { backend: 'wasm' });
const tok = readGgufTokenizer(modelPath);
const evalDocs = await readCorpus(corpusDir, 'eval');
const doc = evalDocs.find((d) => d.tokens >= ctx + n);
if (!doc) throw new Error(`no evaluation document has ${ctx + n} tokens`);
const ids = tok.encode(doc.text, { bos: tok.addBos }).slice(0, ctx + n);

const f32 = await readGgufModel(modelPath, { kernels, maxSeqLen: ctx + n, weights: 'f32' });
const quantized = await readGgufModel(modelPath, { kernels, maxSeqLen: ctx + n });
const seqs = corpusCalibrationSequences(tok, await readCorpus(corpusDir, 'calibration'), { tokens: calTokens, seed: 0 });
const stats = await calibrateOnSequences(f32, seqs, { chess: true, quantile: 'sketch' });
const thresholds = chessThresholds(stats, 0.5, { model: modelPath });
for (const [name, m] of [['f32', f32], ['quantized', quantized]] as const) {
  const t0 = performance.now();
  await m.prefill(ids.slice(0, ctx));
  console.log(`${name}: prefill ${ctx} tokens in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

interface Config { name: string; model: LlamaModel; attention?: boolean }
const configs: Config[] = [
  { name: 'dense f32', model: f32 },
  { name: 'CHESS w/o k=0.5', model: f32, attention: false },
  { name: 'CHESS w/ k=0.5', model: f32, attention: true },
  { name: 'dense quantized', model: quantized },
];
const times = new Map<string, { wall: number[]; cpu: number[]; weightsStreamed?: number }>();
for (let r = 0; r < rounds; r++) {
  for (const c of configs) {
    let inst: SparsityInstallation | undefined;
    if (c.attention !== undefined) inst = await installActivationSparsity(c.model, thresholds, { attention: c.attention });
    try {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) await c.model.forward(ids[ctx + i], ctx + i);
      const cpu = process.cpuUsage(c0);
      const wall = (performance.now() - t0) / n;
      const entry = times.get(c.name) ?? { wall: [], cpu: [] };
      entry.wall.push(wall);
      entry.cpu.push((cpu.user + cpu.system) / 1000 / n);
      if (inst) entry.weightsStreamed = inst.counters.summary().weightsStreamed;
      times.set(c.name, entry);
      console.log(`round ${r} ${c.name}: ${wall.toFixed(1)} ms/token wall, ${((cpu.user + cpu.system) / 1000 / n).toFixed(1)} ms CPU`);
    } finally {
      await inst?.dispose();
    }
  }
}

// Bytes one decode step reads (float32 model): projections, classifier, KV cache at ctx.
const c = f32.config;
const projectionBytes = 4 * c.nLayers * (2 * c.dim * c.dim + 2 * c.dim * c.kvDim + 3 * c.dim * c.hiddenDim);
const classifierBytes = 4 * c.vocabSize * c.dim;
const kvBytes = 4 * c.nLayers * 2 * c.kvDim * ctx;
const stepBytes = projectionBytes + classifierBytes + kvBytes;
const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
const dense = times.get('dense f32')!;
const rows = configs.map(({ name }) => {
  const t = times.get(name)!;
  const skipped = t.weightsStreamed === undefined ? 0 : (1 - t.weightsStreamed) * projectionBytes;
  // Per-round ratios pair each configuration with the dense run of the same round.
  const ratios = t.cpu.map((v, i) => dense.cpu[i] / v).sort((a, b) => a - b);
  return {
    name, msPerTokenWall: median(t.wall), msPerTokenCpu: median(t.cpu), tokensPerSecondCpu: 1000 / median(t.cpu),
    speedupCpu: median(dense.cpu) / median(t.cpu), speedupCpuRange: [ratios[0], ratios[ratios.length - 1]],
    speedupWall: median(dense.wall) / median(t.wall),
    weightsStreamed: t.weightsStreamed ?? (name.startsWith('dense f32') ? 1 : undefined),
    boundFromBytesSkipped: name === 'dense quantized' ? undefined : stepBytes / (stepBytes - skipped),
  };
});
console.table(rows.map((r) => ({ ...r, speedupCpuRange: r.speedupCpuRange.map((x) => x.toFixed(3)).join('–') })));
const result = {
  script: 'scripts/activations-decode-speed.mts', context: ctx, rounds, tokensPerRound: n, calibrationTokens: stats.tokens,
  document: doc.id, backend: `${kernels.backend}/${kernels.variant}`, threads, loadAverage: os.loadavg(),
  bytesPerStep: { projections: projectionBytes, classifier: classifierBytes, kvCache: kvBytes }, rows,
};
writeFileSync(`bench/results/activations-decode-node${threads > 1 ? `-${threads}t` : ''}.json`, JSON.stringify(result, null, 1) + '\n');
(kernels as { dispose?: () => void }).dispose?.(); // stops the worker threads
f32.dispose();
quantized.dispose();
