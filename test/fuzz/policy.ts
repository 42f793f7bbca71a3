/**
 * The fuzz suite's lists: exports left out and exports whose normal return is documented
 * (shared by public-api.test.ts and the fuzz-table.ts script). Every other export must answer
 * every hostile call with a SparseInferenceError.
 */

/** Exports not called, and why. (Constants are listed automatically.) */
export const LEFT_OUT: Record<string, string> = {
  SparseInferenceError: 'the error type itself: any message is a valid message',
};

/** Exports whose normal return on these inputs is their documented behaviour. */
export const DOCUMENTED: Record<string, string> = {
  wasmSupport: 'takes no arguments; reports what the runtime supports',
  parallelMissing: 'takes no arguments; returns the reason or null',
  isCpuKernels: 'a type guard: false for anything that is not CPU kernels',
  isGgufSource: 'a predicate: false for anything that is not GGUF bytes',
  f32ToF16: 'converts any number, NaN and ±Infinity included (IEEE semantics)',
  f32ToBf16: 'converts any number, NaN and ±Infinity included (IEEE semantics)',
  logGamma: 'defined on (0, ∞); ln Γ of a huge finite argument is a huge finite number',
  silu: 'the activation x·σ(x) on any number (NaN in, NaN out; −∞·0 is NaN by IEEE)',
  escapeXml: 'String() of any value, escaped',
  viridis: 'clamps t to [0, 1] as documented (NaN is refused)',
  FullAttention: 'a method with no parameters: extra arguments are ignored',
  DenseFfn: 'a constructor with no parameters: extra arguments are ignored (bind() checks what it is given)',
  summarize: 'NaN entries are ignored by definition; with no number left it reports n = 0 and NaN statistics',
};

/** Methods of live instances (instance-methods.ts) whose normal return on these inputs is documented. */
export const METHODS_DOCUMENTED: Record<string, string> = {
  'Rng.gamma': 'Gamma variates exist for every finite positive shape, 1e300 included',
  'Rng.shuffle': 'permutes the given array in place whatever its values (NaN entries included)',
  'QuantileSketch.add': 'every finite value ≥ 0 is a valid sample, 1e300 included',
  'ExactPool.add': 'every finite magnitude ≥ 0 is a valid sample, 1e300 included',
  'SketchPool.add': 'every finite magnitude ≥ 0 is a valid sample, 1e300 included',
};
