/**
 * What SmolLM2 (Q4_1 GGUF) holds resident, computed from its config rather than timed or read
 * from the OS: weights no larger than the file, and a KV cache of exactly post-RoPE keys and
 * values (2 · nLayers · kvDim floats per position) — a pre-RoPE copy, a per-layer scratch that
 * grows with the context, or a second cache would change the per-position cost this test pins.
 */
import { statSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createKernels } from '../../../src/backends/create-kernels.js';
import { readGgufModel } from '../../../src/node/gguf-file.js';
import { describeWithModels, SMOLLM2_GGUF } from '../../_harness/models.js';

describeWithModels('SmolLM2 GGUF resident memory', [SMOLLM2_GGUF], ([gguf]) => {
  it('weights ≤ the file, KV cache 2·nLayers·kvDim floats per position, pre-RoPE store only on request', async () => {
    const kernels = await createKernels({ backend: 'wasm' });
    const fileBytes = statSync(gguf).size;
    const at = async (maxSeqLen: number) => {
      const model = await readGgufModel(gguf, { kernels, maxSeqLen });
      const { layout, config: c } = model;
      return { bytes: model.residentBytes, weights: 4 * (layout.totalLength + layout.quantizedLength), c, model };
    };
    const a = await at(512);
    const { c } = a;
    expect([c.nLayers, c.kvDim]).toEqual([30, 192]);
    expect(a.weights).toBeLessThanOrEqual(fileBytes);
    expect(a.weights).toBeGreaterThan(0.95 * fileBytes);
    const kv512 = 2 * c.nLayers * 512 * c.kvDim * 4;
    // Activations (float and int8 copies), the block-prefill rows (32·(4·dim + 2·hidden) floats:
    // 0.69 MB) and the attention scratch: under 2 MB besides.
    expect(a.bytes - a.weights - kv512).toBeGreaterThan(0);
    expect(a.bytes - a.weights - kv512).toBeLessThan(2e6);
    // Per position of context: the keys and values of every layer, nothing else (the token index
    // that WebGPU's attention reads is not allocated on CPU kernels).
    const b = await at(1024);
    expect(b.bytes - a.bytes).toBe(512 * 2 * c.nLayers * c.kvDim * 4);
    b.model.keepPreRopeKeys();
    expect(b.model.residentBytes - b.bytes).toBe(c.nLayers * 1024 * c.kvDim * 4);
    a.model.dispose();
    b.model.dispose();
  }, 120_000);
});
