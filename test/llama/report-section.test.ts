import { describe, expect, it } from 'vitest';
import { describeWithShared } from '../_harness/shared-data.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { llamaSection } from '../../src/report/sections/llama.js';

describe('llama report section', () => {
  it('without a checkpoint: a speed table for both backends', async () => {
    const kernels = await createKernels({ backend: 'wasm' });
    const s = await llamaSection({ kernels, quick: true });
    expect(s.id).toBe('llama');
    expect(s.settings).toMatch(/random weights/);
    expect(s.conclusion).toMatch(/No checkpoint was found/);
    expect(s.html).toMatch(/reference \(js\)/);
    expect(s.summary).toMatch(/tok\/s/);
  });
});

describeWithShared('llama report section on stories260K', ['models/stories260K.bin', 'models/tok512.bin'], ([modelPath, tokenizerPath]) => {
  it('greedy sample and equal NLL on both backends', async () => {
    const kernels = await createKernels({ backend: 'wasm' });
    const s = await llamaSection({ kernels, quick: true, modelPath, tokenizerPath });
    expect(s.html).toMatch(/<pre>Once upon a time, there was a little girl named Lily/);
    const nlls = [...s.html.matchAll(/<td[^>]*>(\d\.\d{4})<\/td>/g)].map((m) => m[1]);
    expect(nlls.length).toBe(2);
    expect(nlls[0]).toBe(nlls[1]);
    expect(Number(nlls[0])).toBeGreaterThan(0.5);
    expect(Number(nlls[0])).toBeLessThan(3);
  });
});
