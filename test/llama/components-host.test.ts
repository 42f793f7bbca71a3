/**
 * The model hosts components: a KvCache, an Ffn and a Projection that are not the built-in dense
 * ones (so the model takes the component path and awaits them) but compute the dense arithmetic
 * through other routes must give the dense model's logits, on every backend (the CPU ones
 * synchronous and through their async face, and WebGPU). Also: use() binds before use, disposes
 * what it replaces, and rejects malformed components naming them.
 */
import { describe, expect, it } from 'vitest';
import { describeEachCpuBackend, loadAsyncBackends } from '../_harness/each-backend.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { DenseKvCache } from '../../src/llama/dense-kv-cache.js';
import { DenseFfn } from '../../src/llama/dense-ffn.js';
import type {
  Ffn, KvCache, ModelShape, ModelWeights, Projection, ProjectionWhich,
} from '../../src/llama/components.js';
import type { F32Arg } from '../../src/kernels/device-array.js';
import type { Kernels } from '../../src/kernels/kernels.js';
import { referenceKernels } from '../../src/backends/cpu-backends.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';

const describeEachAsyncBackend = await loadAsyncBackends();

/** GQA (4 query heads over 2 KV heads), HF pairing, untied classifier. */
const SHAPE = { dim: 32, hiddenDim: 48, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 60, seqLen: 16,
  ropePairing: 'half' as const, sharedClassifier: false };
const TOKENS = [1, 7, 33, 2];

/** A KvCache that is not the dense one: it forwards to a DenseKvCache it owns and counts calls. */
class ForwardingKv implements KvCache {
  readonly name = 'forwarding';
  /** True: it issues everything before returning (it does), so the model need not await it. */
  constructor(readonly issuesBeforeReturn = false) {}
  readonly inner = new DenseKvCache();
  calls = { bind: 0, append: 0, attend: 0, reset: 0, dispose: 0 };
  async bind(shape: ModelShape, kernels: Kernels) { this.calls.bind++; this.inner.bind(shape, kernels); }
  async append(layer: number, pos: number, kPre: F32Arg, kPost: F32Arg, v: F32Arg) {
    this.calls.append++;
    await this.inner.append(layer, pos, kPre, kPost, v);
  }
  async attend(layer: number, pos: number, qPre: F32Arg, qPost: F32Arg, out: F32Arg) {
    this.calls.attend++;
    await this.inner.attend(layer, pos, qPre, qPost, out);
  }
  reset() { this.calls.reset++; this.inner.reset(); }
  dispose() { this.calls.dispose++; this.inner.dispose(); }
}

/** The dense FFN through its component interface (the model inlines a DenseFfn, not this). */
class ForwardingFfn implements Ffn {
  readonly name = 'forwarding-ffn';
  readonly inner = new DenseFfn();
  forwards = 0;
  bind(shape: ModelShape, kernels: Kernels, weights: ModelWeights) { this.inner.bind(shape, kernels, weights); }
  forward(layer: number, x: F32Arg, out: F32Arg) { this.forwards++; return this.inner.forward(layer, x, out); }
  dispose() { this.inner.dispose(); }
}

/** q and o through the model's own matrices (what CHESS replaces), k and v left to the model. */
class QoProjection implements Projection {
  readonly name = 'qo';
  private weights: ModelWeights | null = null;
  seen: ProjectionWhich[] = [];
  bind(_shape: ModelShape, _kernels: Kernels, weights: ModelWeights) { this.weights = weights; }
  covers(_layer: number, which: ProjectionWhich) { return which === 'q' || which === 'o'; }
  project(layer: number, which: ProjectionWhich, x: F32Arg, out: F32Arg) {
    this.seen.push(which);
    return this.weights!.matvec(layer, `w${which}`, x, out);
  }
  dispose() { this.weights = null; }
}

function maxRelDiff(got: Float32Array, want: Float32Array): number {
  let scale = 0, diff = 0;
  for (let i = 0; i < want.length; i++) { scale = Math.max(scale, Math.abs(want[i])); diff = Math.max(diff, Math.abs(got[i] - want[i])); }
  return diff / Math.max(scale, 1e-30);
}

async function logits(kernels: Kernels, use?: (m: ReturnType<typeof randomLlama>) => Promise<void>): Promise<Float32Array[]> {
  const model = randomLlama(SHAPE, { kernels, seed: 4 });
  await use?.(model);
  const out: Float32Array[] = [];
  for (let pos = 0; pos < TOKENS.length; pos++) out.push((await model.forward(TOKENS[pos], pos)).slice());
  model.dispose();
  return out;
}

function hostsComponents(kernels: Kernels, tolerance: number, issuesBeforeReturn = false) {
  it(`components on the component path give the dense logits (relative ≤ ${tolerance}${issuesBeforeReturn ? ', KvCache not awaited' : ''})`, async () => {
    const want = await logits(kernels);
    const kv = new ForwardingKv(issuesBeforeReturn), ffn = new ForwardingFfn(), proj = new QoProjection();
    const got = await logits(kernels, (m) => m.use({ kv, ffn, projections: proj }));
    for (let pos = 0; pos < TOKENS.length; pos++) expect(maxRelDiff(got[pos], want[pos])).toBeLessThanOrEqual(tolerance);
    const per = TOKENS.length * SHAPE.nLayers;
    expect(kv.calls).toEqual({ bind: 1, append: per, attend: per, reset: 0, dispose: 1 }); // disposed with the model
    expect(ffn.forwards).toBe(per);
    expect(proj.seen.filter((w) => w === 'q').length).toBe(per);
    expect(proj.seen.filter((w) => w === 'o').length).toBe(per);
    expect(proj.seen.length).toBe(2 * per);
  });
}

describeEachCpuBackend('the model hosts components (CPU kernels)', (kernels) => {
  // The fused decoder layer (dense) against the call-by-call component path: float rounding.
  hostsComponents(kernels, 1e-5);
});

describeEachAsyncBackend('the model hosts components (asynchronous kernels)', (k, info) => {
  hostsComponents(k, info.backend === 'webgpu' ? 1e-4 : 0);
  hostsComponents(k, info.backend === 'webgpu' ? 1e-4 : 0, true);
});

describe('LlamaModel.use', () => {
  it('binds before use, disposes what it replaces, and a new KvCache starts empty', async () => {
    const model = randomLlama(SHAPE, { kernels: referenceKernels(), seed: 4 });
    await model.forward(1, 0);
    const a = new ForwardingKv();
    await model.use({ kv: a });
    expect(a.calls.bind).toBe(1);
    expect(model.cachedTokens).toBe(0);
    expect(model.components.kv).toBe(a);
    await model.use({ kv: a }); // the same component again: nothing happens
    expect(a.calls.bind).toBe(1);
    const b = new ForwardingKv();
    await model.use({ kv: b });
    expect(a.calls.dispose).toBe(1);
    await model.forward(3, 0);
    model.reset();
    expect(b.calls.reset).toBe(1);
    await model.use({ projections: new QoProjection() });
    await model.use({ projections: null });
    expect(model.components.projections).toBeNull();
    model.dispose();
    expect(b.calls.dispose).toBe(1);
  });

  it('rejects malformed components naming them', async () => {
    const model = randomLlama(SHAPE, { kernels: referenceKernels(), seed: 4 });
    await expectBadArgumentAsync(() => model.use(null as never), 'components');
    await expectBadArgumentAsync(() => model.use({ kv: {} as never }), 'components.kv');
    await expectBadArgumentAsync(() => model.use({ ffn: { name: 'x', bind() {}, dispose() {} } as never }), 'components.ffn');
    await expectBadArgumentAsync(() => model.use({ projections: 3 as never }), 'components.projections');
    await expectBadArgumentAsync(() => model.use({ cache: new DenseKvCache() } as never), 'components');
    model.dispose();
  });
});
