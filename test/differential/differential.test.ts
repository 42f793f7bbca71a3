/**
 * The shared differential suite (suite.ts) on every backend (describeEachBackend: wasm SIMD,
 * wasm scalar, wasm threads with every call split, webgpu with every GPU-native kernel on the
 * GPU; a missing runtime is a skip, in CI a failure — CI sets VK_ICD_FILENAMES for
 * SwiftShader). The reference is the oracle, so it runs only the check that the generated
 * calls are valid.
 */
import { describe, expect, it } from 'vitest';
import { KERNEL_DESCRIPTORS } from '../../src/kernels/reference/index.js';
import { Rng } from '../../src/core/rng.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { SUITE } from './suite.js';
import { CASES, OWN_SUITE, callReference, sampleCall } from './registry-cases.js';

describeEachBackend('shared differential suite', (k, info) => {
  if (info.isReference) return; // the oracle against itself would prove nothing
  for (const c of SUITE) it(c.name, () => c.run(k), 120_000);
});

describe('shared differential suite: the generated calls are valid', () => {
  it('every sampled call passes the shape checks on the reference (and exercises each kernel)', () => {
    for (const d of KERNEL_DESCRIPTORS) {
      if (OWN_SUITE[d.name]) continue;
      for (let c = 0; c < CASES; c++) expect(() => callReference(d.name, sampleCall(d, new Rng(c)))).not.toThrow();
    }
  });
});
