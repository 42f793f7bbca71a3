/**
 * Size-like arguments have limits: absurd sizes are refused at once with BAD_ARGUMENT naming the
 * argument (or the product), instead of running for minutes toward tens of gigabytes.
 */
import { expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { KvStore } from '../../src/kvcache/kv-store.js';
import { ActivationCollector } from '../../src/activations/activation-collector.js';
import { createSyntheticSwiGlu } from '../../src/activations/synthetic-swiglu.js';
import { ExactPool } from '../../src/activations/magnitude-pool.js';
import { Rng } from '../../src/core/rng.js';
import { expectBadArgument } from '../_harness/bad-input.js';

const kernels = await createKernels({ backend: 'wasm' });
const shape = { nKvHeads: 8, headDim: 128, ropeBase: 10000, ropePairing: 'half' as const };

it('KvStore, ActivationCollector, synthetic blocks and pools refuse absurd sizes', async () => {
  expectBadArgument(() => new KvStore(kernels, { ...shape, capacity: 2 ** 31 }), 'nKvHeads*capacity*headDim');
  expectBadArgument(() => new KvStore(kernels, { ...shape, nKvHeads: 2 ** 31, capacity: 1 }), 'nKvHeads');
  expectBadArgument(() => new ActivationCollector({ nLayers: 2 ** 31, dim: 4, hiddenDim: 4 }), 'nLayers');
  expectBadArgument(() => new ActivationCollector({ nLayers: 4000, dim: 4, hiddenDim: 2 ** 20 }), 'nLayers*hiddenDim');
  await expect(createSyntheticSwiGlu(kernels, { dim: 2 ** 16, hidden: 2 ** 16 })).rejects.toThrow(/hidden\*dim/);
  const block = await createSyntheticSwiGlu(kernels, { dim: 8, hidden: 16 });
  expectBadArgument(() => block.sampleInputs(2 ** 30, new Rng(1)), 'n*dim');
  block.dispose();
  expectBadArgument(() => new ExactPool('f32', 2 ** 31), 'initial');
  // Sizes of real models pass.
  const store = new KvStore(kernels, { ...shape, nKvHeads: 2, headDim: 64, capacity: 2048 });
  expect(store.length).toBe(0);
  store.dispose();
  expect(new ActivationCollector({ nLayers: 30, dim: 576, hiddenDim: 1536 }).shape.nLayers).toBe(30);
});
