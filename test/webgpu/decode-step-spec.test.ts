/**
 * checkDecodeStepSpec (src/kernels/decode-step.ts) on the per-layer method fields the WebGPU step
 * runs itself: a gate-thresholded FFN (gatedFfn) and thresholded projection inputs
 * (inputThresholds). A wrong one is BAD_ARGUMENT naming the field; a consistent spec passes.
 * Device arrays are stand-ins with read/write (the check looks at lengths only), so no GPU is needed.
 */
import { describe, expect, it } from 'vitest';
import { checkDecodeStepSpec, type DecodeStepSpec } from '../../src/kernels/decode-step.js';
import type { DeviceArray } from '../../src/kernels/device-array.js';

const device = (length: number) => ({ length, read: async () => new Float32Array(length), write: () => undefined }) as unknown as DeviceArray<Float32Array>;

const dim = 8, hiddenDim = 12, nLayers = 2, seqLen = 4, vocabSize = 5;
function spec(extra: Partial<DecodeStepSpec> = {}): DecodeStepSpec {
  const layer = (l: number) => {
    const base = vocabSize * dim + l * 1000;
    return { rmsAtt: base, wq: base + 8, wk: base + 80, wv: base + 160, wo: base + 240, rmsFfn: base + 320, w1: base + 330, w2: base + 430, w3: base + 530 };
  };
  return {
    dim, hiddenDim, nLayers, nHeads: 2, nKvHeads: 2, headDim: 4, vocabSize, seqLen, ropeBase: 10000, ropePairing: 'half', normEps: 1e-5,
    weights: device(5000), tokEmb: 0, rmsFinal: 4000, wcls: 0, layers: [layer(0), layer(1)],
    kv: Array.from({ length: nLayers }, () => ({ keys: device(seqLen * dim), values: device(seqLen * dim) })),
    ...extra,
  };
}

describe('checkDecodeStepSpec: gatedFfn and inputThresholds', () => {
  it('accepts consistent fields, null layers included', () => {
    const gated = { thresholds: device(hiddenDim), wDownT: device(hiddenDim * dim) };
    expect(() => checkDecodeStepSpec(spec({ gatedFfn: [gated, null], inputThresholds: [{ q: 0.1, o: 0.2 }, null] }))).not.toThrow();
  });

  it('names the bad field', () => {
    const gated = { thresholds: device(hiddenDim), wDownT: device(hiddenDim * dim) };
    for (const [extra, message] of [
      [{ gatedFfn: [gated] }, /spec\.gatedFfn must hold nLayers = 2/],
      [{ gatedFfn: [gated, { thresholds: device(hiddenDim - 1), wDownT: device(hiddenDim * dim) }] }, /spec\.gatedFfn\[1\]\.thresholds/],
      [{ gatedFfn: [{ thresholds: device(hiddenDim), wDownT: new Float32Array(hiddenDim * dim) }, null] }, /spec\.gatedFfn\[0\]\.wDownT/],
      [{ inputThresholds: [null] }, /spec\.inputThresholds must hold nLayers = 2/],
      [{ inputThresholds: [{ q: NaN }, null] }, /spec\.inputThresholds\[0\]\.q/],
      [{ inputThresholds: [null, { o: -1 }] }, /spec\.inputThresholds\[1\]\.o/],
      [{ inputThresholds: [null, { up: 0.5 }] }, /spec\.inputThresholds\[1\] key/],
    ] as [Partial<DecodeStepSpec>, RegExp][]) {
      expect(() => checkDecodeStepSpec(spec(extra))).toThrow(message);
    }
  });
});

describe('checkDecodeStepSpec: retrieval (A²ATS in the step)', () => {
  const size = 3, books = nLayers * 2, d = 4;
  const retrieval = (extra: object = {}) => ({
    size, centroids: new Float32Array(books * size * d), whitened: new Float32Array(books * size * d), factor: new Float32Array(books * d * d),
    window: 1, sinks: 1, distance: 8, mode: 'perHead' as const, farBudget: () => 1, ...extra,
  });

  it('accepts a consistent record (plain: factor null), and then needs no K/V stores', () => {
    expect(() => checkDecodeStepSpec(spec({ retrieval: retrieval() }))).not.toThrow();
    expect(() => checkDecodeStepSpec(spec({ retrieval: retrieval({ factor: null }), kv: [] }))).not.toThrow();
  });

  it('names the bad field', () => {
    for (const [extra, message] of [
      [{ size: 0 }, /spec\.retrieval\.size/],
      [{ window: -1 }, /spec\.retrieval\.window/],
      [{ sinks: 1.5 }, /spec\.retrieval\.sinks/],
      [{ distance: NaN }, /spec\.retrieval\.distance/],
      [{ mode: 'union' }, /spec\.retrieval\.mode/],
      [{ farBudget: 3 }, /spec\.retrieval\.farBudget/],
      [{ centroids: new Float32Array(books * size * d - 1) }, /spec\.retrieval\.centroids/],
      [{ whitened: new Float64Array(books * size * d) }, /spec\.retrieval\.whitened/],
      [{ factor: new Float32Array(d * d) }, /spec\.retrieval\.factor/],
    ] as [object, RegExp][]) {
      expect(() => checkDecodeStepSpec(spec({ retrieval: retrieval(extra) as never }))).toThrow(message);
    }
    expect(() => checkDecodeStepSpec(spec({ retrieval: null as never }))).toThrow(/spec\.retrieval must be an object/);
  });
});
