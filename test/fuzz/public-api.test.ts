/**
 * Fuzz suite over the public entry points (src/index.ts and every subpath barrel): each callable
 * export gets hostile calls (fast-check; see hostile-values.ts) in a child process under a
 * watchdog (fuzz-driver.ts), and each call is classified: SparseInferenceError ('clean'), a
 * documented result, bad input accepted, another error (TypeError, RangeError, ...), NaN in the
 * result, a WebAssembly trap, or a hang (blocked, unsettled, or over the memory limit).
 *
 * Passing means: no trap and no hang anywhere, and every export not in OPEN below gives only
 * clean errors or documented results. OPEN lists what is known to be wrong today, each with its
 * class; the suite prints entries that have since become clean so the list only shrinks.
 * It prints how many exports it covered and the ones deliberately left out, with reasons.
 */
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzzExports } from './fuzz-driver.js';
import { countBy, formatTable, worstByExport } from './summarize.js';
import { OUTCOMES, type Outcome } from './protocol.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Exports not called, and why. (Constants are listed automatically.) */
const LEFT_OUT: Record<string, string> = {
  SparseInferenceError: 'the error type itself: any message is a valid message',
};

/** Exports whose normal return on these inputs is their documented behaviour. */
const DOCUMENTED: Record<string, string> = {
  wasmSupport: 'takes no arguments; reports what the runtime supports',
  parallelMissing: 'takes no arguments; returns the reason or null',
  isAsyncKernels: 'a type guard: false for anything that is not AsyncKernels',
  f32ToF16: 'converts any number, NaN and ±Infinity included (IEEE semantics)',
  f32ToBf16: 'converts any number, NaN and ±Infinity included (IEEE semantics)',
  logGamma: 'defined on (0, ∞); ln Γ of a huge finite argument is a huge finite number',
  silu: 'the activation x·σ(x) on any number (NaN in, NaN out; −∞·0 is NaN by IEEE)',
  escapeXml: 'String() of any value, escaped',
  settle: 'wraps any value as a finished step (maybe-async plumbing)',
  interleave: 'plumbing: returns a generator that validates when driven',
};

/** Known open defects: export → the worst class it still shows. Shrinks as they are fixed. */
const OPEN: Record<string, Outcome> = {
  ggmlByteSize: 'nan', ggufLlamaConfig: 'other',
  a2atsStep: 'nan', ActivationStatistics: 'nan', baselineStep: 'nan', bf16ToF32: 'nan',
  birthProbability: 'nan', bsplineRows: 'nan', budgetTokens: 'nan', deathProbability: 'nan',
  ExactPool: 'nan', f16ToF32: 'nan', FarSelector: 'nan', GaussianMarginal: 'nan', GlmEbic: 'nan',
  meanSquaredDistance: 'nan', packedGemvLength: 'nan', parameterCount: 'nan', projectionWeights: 'nan',
  sparseToDense: 'nan', spiralDistance2: 'nan', swissRollDistance2: 'nan', Tokenizer: 'nan',
  trimmedMse: 'nan', TwoTierKvCache: 'nan', WeightLayout: 'nan',
  bsplineDerivatives: 'other', calibrateModel: 'other', DeviceSlowTier: 'other', drawCurves: 'other',
  driveAsync: 'other', driveSync: 'other', effectiveSampleSize: 'other', evalHtmlTable: 'other',
  evalMarkdownTable: 'other', evalTextTable: 'other', evaluateDraws: 'other', evaluateNll: 'other',
  ExactAttention: 'other', exactKnotPosterior: 'other', ExactReference: 'other', FastTier: 'other',
  formatNumber: 'other', GatherSlowTier: 'other', generate: 'other', isomapEmbedding: 'other',
  kMode: 'other', knnGraph: 'other', knotDensity: 'other', KnotFit: 'other', kPosterior: 'other',
  LlamaModel: 'other', lloydUpdate: 'other', metricChart: 'other', modelNllChart: 'other',
  naturalSplineBasis: 'other', parseNumericCsv: 'other', pcaEmbedding: 'other', plotCurveFit: 'other',
  plotSurfaceFit: 'other', ResidentCodebook: 'other', runChain: 'other',
  sortedKnotSummary: 'other', sparsityStrategyName: 'other', splitRhat: 'other', stepMetrics: 'other',
  summarize: 'other', syntheticErrorChart: 'other', tensorBasis: 'other', toHfCheckpoint: 'other',
  viridis: 'other',
  argmax: 'accepted', bsplineBasis: 'accepted',
  defaultAblations: 'accepted', djRaw: 'accepted', findKnotExperiment: 'accepted', FullAttention: 'accepted',
  hfTensorName: 'accepted', hostResident: 'accepted', kmeansObjective: 'accepted',
  lloydIteration: 'accepted', seriesColor: 'accepted',
  settleAll: 'accepted', toAsyncKernels: 'accepted', toHfConfig: 'accepted',
};

it('every public export survives hostile input (prints coverage and the outcome table)', async () => {
  const t0 = Date.now();
  const run = await fuzzExports({ root: SRC, callsPerExport: 12, leftOut: LEFT_OUT, seed: 14 });
  const constants = run.exports.filter((e) => e.kind === 'value').map((e) => e.name);
  const worst = worstByExport(run.results, DOCUMENTED);
  const lines = [
    `fuzz: ${run.exports.length} exports; ${worst.size} called (${run.results.length} calls, ${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    `left out: ${constants.length} constants (${constants.join(', ')})`,
    ...Object.entries(LEFT_OUT).map(([n, why]) => `left out: ${n}: ${why}`),
    formatTable('exports by worst outcome:', countBy(worst.values(), (r) => r.outcome)),
    formatTable('calls by outcome:', countBy(run.results, (r) => r.outcome)),
  ];
  const rank = (o: Outcome) => OUTCOMES.indexOf(o);
  const unexpected: string[] = [];
  const fixed: string[] = [];
  for (const [name, r] of worst) {
    const allowed = OPEN[name] ?? 'documented';
    if (rank(r.outcome) > rank(allowed) || r.outcome === 'trap' || r.outcome === 'hang') {
      unexpected.push(`${r.outcome} ${name}(${r.args.join(', ')}): ${r.detail}`);
    } else if (name in OPEN && rank(r.outcome) <= rank('documented')) fixed.push(name);
  }
  if (fixed.length > 0) lines.push(`now clean (remove from OPEN): ${fixed.join(', ')}`);
  console.log(lines.join('\n'));
  expect(worst.size + Object.keys(LEFT_OUT).length + constants.length).toBe(run.exports.length);
  expect(unexpected).toEqual([]);
}, 170_000);
