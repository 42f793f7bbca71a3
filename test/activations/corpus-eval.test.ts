/**
 * The corpus protocol on a small random model (letter tokenizer): k = 0 gives the dense NLL of
 * every document; the gate sparsity measured on held-out documents is the calibrated k; the
 * ΔNLL interval is the paired bootstrap of the per-document NLLs it reports; calibration
 * sequences respect their token budget, UUID share and seed; sequenceNll equals the sum over
 * step-by-step forward() calls; bad input names the argument.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import type { LlamaModel } from '../../src/llama/model.js';
import { tokenNll } from '../../src/llama/evaluate-nll.js';
import { sequenceNll } from '../../src/llama/sequence-nll.js';
import { Rng } from '../../src/core/rng.js';
import { bootstrapPairedDifference } from '../../src/core/stats/bootstrap.js';
import { evaluateCorpusSparsity } from '../../src/activations/evaluate-corpus.js';
import { corpusCalibrationSequences } from '../../src/activations/corpus-calibration.js';
import { answerLastWord } from '../../src/llama/eval/answer-last-word.js';
import { argmax } from '../../src/llama/sampler.js';
import { expectBadArgument, expectBadArgumentAsync } from '../_harness/bad-input.js';
import { letterTokenizer } from '../_harness/letter-tokenizer.js';

const SHAPE = { dim: 36, hiddenDim: 70, nLayers: 2, nHeads: 6, nKvHeads: 3, vocabSize: 64, seqLen: 64 };
const tokenizer = letterTokenizer(SHAPE.vocabSize);

/** Words of random lowercase letters (each letter one token). */
function randomText(seed: number, words: number): string {
  const rng = new Rng(seed);
  return Array.from({ length: words }, () => Array.from({ length: 1 + rng.int(6) }, () => String.fromCharCode(97 + rng.int(26))).join('')).join(' ');
}

const calibration = [{ text: randomText(1, 200), kind: 'info' }, { text: randomText(2, 200), kind: 'pydoc' }];
const evaluation = Array.from({ length: 5 }, (_, i) => ({ id: `doc-${i}`, text: randomText(10 + i, 40) }));

let kernels: CpuKernels;
let model: LlamaModel;
beforeAll(async () => {
  kernels = await createKernels({ backend: 'wasm' });
  model = randomLlama(SHAPE, { kernels, seed: 3, scale: 1.5 });
});

describe('evaluateCorpusSparsity', () => {
  it('k = 0: every method gives the dense NLL of every document', async () => {
    const r = await evaluateCorpusSparsity(model, tokenizer, { calibration, evaluation },
      { sparsities: [0], calibrationTokens: 200, documentTokens: 48, quantile: 'exact' });
    expect(r.rows.map((x) => x.method)).toEqual(['CATS', 'CHESS w/o', 'CHESS w/', 'TEAL']);
    expect(r.documentTokens).toEqual(Array(5).fill(48));
    for (const row of r.rows) {
      row.perDocumentNll.forEach((v, d) => expect(Math.abs(v - r.dense.perDocumentNll[d]), `${row.method} doc ${d}`).toBeLessThan(1e-5));
      expect(Math.abs(row.deltaNll.estimate)).toBeLessThan(1e-5);
      expect(row.weightsStreamed).toBe(1);
    }
  });

  it('greedyTokens adds a TEAL greedy row whose thresholds reach each k and its comparisons with TEAL and CHESS', async () => {
    const r = await evaluateCorpusSparsity(model, tokenizer, { calibration, evaluation },
      { sparsities: [0.3, 0.6], calibrationTokens: 200, documentTokens: 40, quantile: 'exact', greedyTokens: 80, greedyBaseStep: 0.1 });
    expect([...new Set(r.rows.map((x) => x.method))]).toEqual(['CATS', 'CHESS w/o', 'CHESS w/', 'TEAL', 'TEAL greedy']);
    for (const k of [0.3, 0.6]) {
      const greedy = r.rows.find((x) => x.method === 'TEAL greedy' && x.k === k)!;
      const uniform = r.rows.find((x) => x.method === 'TEAL' && x.k === k)!;
      expect(greedy.perDocumentNll).toHaveLength(5);
      // The allocation differs by projection but streams about the same weights as uniform TEAL at that k.
      expect(Math.abs(greedy.weightsStreamed - uniform.weightsStreamed)).toBeLessThan(0.15);
      expect(greedy.perDocumentNll).not.toEqual(uniform.perDocumentNll);
      expect(r.comparisons.some((c) => c.k === k && c.a === 'TEAL greedy' && c.b === 'TEAL')).toBe(true);
      expect(r.comparisons.some((c) => c.k === k && c.a === 'CHESS w/o' && c.b === 'TEAL greedy')).toBe(true);
    }
    await expectBadArgumentAsync(() => evaluateCorpusSparsity(model, tokenizer, { calibration, evaluation },
      { sparsities: [0], calibrationTokens: 200, documentTokens: 40, greedyTokens: 80 }), 'options.sparsities');
  });

  it('k = 0.5: measured gate sparsity on held-out documents is near k, ΔNLL is the paired bootstrap of the documents', async () => {
    const r = await evaluateCorpusSparsity(model, tokenizer, { calibration, evaluation },
      { sparsities: [0.5], seeds: [0, 1], calibrationTokens: 300, documentTokens: 48, quantile: 'exact', seed: 4 });
    for (const row of r.rows) {
      if (row.method !== 'TEAL') expect(Math.abs(row.gateSparsity - 0.5), row.method).toBeLessThan(0.1);
      else for (const v of Object.values(row.inputSparsity)) expect(Math.abs(v! - 0.5)).toBeLessThan(0.15);
      expect(row.perSeed.map((s) => s.seed)).toEqual([0, 1]);
      // Per-document NLL is the mean over seeds; ΔNLL is bootstrapped over documents from exactly these.
      expect(row.deltaNll).toEqual(bootstrapPairedDifference(row.perDocumentNll, r.dense.perDocumentNll, { seed: 4 }));
      const meanDiff = row.perDocumentNll.reduce((s, v, d) => s + v - r.dense.perDocumentNll[d], 0) / 5;
      expect(row.deltaNll.estimate).toBeCloseTo(meanDiff, 12);
      expect(row.pplRatio.lower).toBeCloseTo(Math.exp(row.deltaNll.lower), 12);
      expect(row.deltaNll.units).toBe(5);
    }
    // Method against method: paired over the same documents, a − b.
    const nll = (m: string) => r.rows.find((x) => x.method === m)!.perDocumentNll;
    expect(r.comparisons.map((c) => `${c.a}|${c.b}`)).toEqual(['CHESS w/o|CATS', 'CHESS w/o|TEAL', 'CHESS w/|CHESS w/o']);
    expect(r.comparisons[0].difference).toEqual(bootstrapPairedDifference(nll('CHESS w/o'), nll('CATS'), { seed: 4 }));
  });

  it('rejects bad input, naming it', async () => {
    await expectBadArgumentAsync(() => evaluateCorpusSparsity(model, tokenizer, { calibration, evaluation: evaluation.slice(0, 1) }), 'corpus.evaluation');
    await expectBadArgumentAsync(() => evaluateCorpusSparsity(model, tokenizer, { calibration, evaluation }, { sparsities: [1] }), 'options.sparsities');
    await expectBadArgumentAsync(() => evaluateCorpusSparsity(model, tokenizer, { calibration, evaluation }, { documentTokens: 1 }), 'options.documentTokens');
    await expectBadArgumentAsync(() => evaluateCorpusSparsity(model, tokenizer, { calibration, evaluation }, { seeds: [-1] }), 'options.seeds');
    await expectBadArgumentAsync(() => evaluateCorpusSparsity(model, letterTokenizer(40), { calibration, evaluation }), 'tokenizer');
  });
});

describe('corpusCalibrationSequences', () => {
  const docs = [...calibration, { text: randomText(5, 300), kind: 'uuid' }];

  it('takes the token budget, the UUID share of it, and differs by seed only', () => {
    const a = corpusCalibrationSequences(tokenizer, docs, { tokens: 400, seed: 0, segmentTokens: 32, uuidShare: 0.25 });
    const total = a.reduce((s, q) => s + q.length, 0);
    expect(total).toBe(400);
    expect(a.every((q) => q.length <= 32 && q.length >= 2 && q[0] === tokenizer.bosId)).toBe(true);
    const uuidIds = new Set(tokenizer.encode(docs[2].text));
    // The last sequences are the UUID ones (text first): their tokens come from the UUID document.
    let uuidTokens = 0;
    for (let i = a.length - 1; i >= 0 && uuidTokens < 100; i--) {
      expect(a[i].slice(1).every((t) => uuidIds.has(t))).toBe(true);
      uuidTokens += a[i].length;
    }
    expect(uuidTokens).toBe(100);
    expect(corpusCalibrationSequences(tokenizer, docs, { tokens: 400, seed: 0, segmentTokens: 32, uuidShare: 0.25 })).toEqual(a);
    expect(corpusCalibrationSequences(tokenizer, docs, { tokens: 400, seed: 1, segmentTokens: 32, uuidShare: 0.25 })).not.toEqual(a);
  });

  it('rejects bad input, naming it', () => {
    expectBadArgument(() => corpusCalibrationSequences(tokenizer, [], { tokens: 10, seed: 0 }), 'documents');
    expectBadArgument(() => corpusCalibrationSequences(tokenizer, docs, { tokens: 0, seed: 0 }), 'options.tokens');
    expectBadArgument(() => corpusCalibrationSequences(tokenizer, docs, { tokens: 10, seed: 0, uuidShare: 2 }), 'options.uuidShare');
    expectBadArgument(() => corpusCalibrationSequences(tokenizer, [{ text: 1 as unknown as string, kind: 'info' }], { tokens: 10, seed: 0 }), 'documents');
  });
});

describe('sequenceNll', () => {
  it('equals the NLL summed over step-by-step forward() calls', async () => {
    const ids = tokenizer.encode(evaluation[0].text, { bos: true }).slice(0, 40);
    const r = await sequenceNll(model, ids);
    model.reset();
    let sum = 0;
    for (let i = 0; i + 1 < ids.length; i++) sum += tokenNll(await model.forward(ids[i], i), SHAPE.vocabSize, ids[i + 1]);
    expect(r.tokens).toBe(ids.length - 1);
    expect(Math.abs(r.nllSum - sum)).toBeLessThan(1e-4 * sum);
    await expectBadArgumentAsync(() => sequenceNll(model, [1]), 'ids');
    await expectBadArgumentAsync(() => sequenceNll(model, [1, 999]), 'ids');
  });
});

describe('answerLastWord', () => {
  it('is the greedy continuation, decoded step by step, scored on its first word', async () => {
    const prompt = evaluation[1].text.slice(0, 30);
    const r = await answerLastWord(model, tokenizer, { prompt, target: 'abc', promptTokens: 0, documentIndex: 0, targetCharOffset: 0 }, { maxNewTokens: 6 });
    // Oracle: the same greedy steps through forward(); the answer stops at most after 6 tokens.
    const ids = tokenizer.encode(prompt, { bos: tokenizer.addBos });
    model.reset();
    let logits: Float32Array = new Float32Array(0);
    for (let i = 0; i < ids.length; i++) logits = await model.forward(ids[i], i);
    const out: number[] = [];
    for (let pos = ids.length; out.length < 6; pos++) {
      out.push(argmax(logits, SHAPE.vocabSize));
      const text = tokenizer.decodeAll(out);
      if (/^\s*[A-Za-z]+[^A-Za-z]/.test(text) || tokenizer.stopTokens.includes(out[out.length - 1])) break;
      logits = await model.forward(out[out.length - 1], pos);
    }
    expect(r.continuation).toBe(tokenizer.decodeAll(out));
    const first = /^\s*([A-Za-z]+)/.exec(r.continuation)?.[1];
    expect((await answerLastWord(model, tokenizer, { prompt, target: first ?? 'zzzz', promptTokens: 0, documentIndex: 0, targetCharOffset: 0 }, { maxNewTokens: 6 })).correct).toBe(first !== undefined);
    await expectBadArgumentAsync(() => answerLastWord(model, tokenizer, null as never), 'task');
    await expectBadArgumentAsync(() => answerLastWord(model, tokenizer, { prompt, target: 'x', promptTokens: 0, documentIndex: 0, targetCharOffset: 0 }, { maxNewTokens: 0 }), 'opts.maxNewTokens');
  });
});
