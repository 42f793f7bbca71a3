/** readLlamaModel on a llama2.c file reads it tensor by tensor: the same model as loading the bytes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { loadLlama2c } from '../../src/llama/load-llama2c.js';
import { readLlamaModel } from '../../src/llama/node-files.js';
import { expectErrorAsync, llama2cBytes, maxAbsDiff, modelLogits, tinyModel } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'llama2c-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('streams a llama2.c checkpoint into the same model as loadLlama2c(bytes), with and without RoPE tables', async () => {
  const kernels = await createKernels({ backend: 'wasm' });
  for (const ropeTables of [false, true]) {
    const bytes = llama2cBytes(tinyModel(kernels, { sharedClassifier: !ropeTables }), { ropeTables });
    const path = join(dir, `m${ropeTables}.bin`);
    writeFileSync(path, bytes);
    const a = await readLlamaModel(path, { kernels });
    const b = loadLlama2c(bytes, { kernels });
    expect(maxAbsDiff((await modelLogits(a, [1, 5, 9])).at(-1)!, (await modelLogits(b, [1, 5, 9])).at(-1)!)).toBe(0);
    a.dispose(); b.dispose();
    const cut = join(dir, 'cut.bin');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 8));
    await expectErrorAsync(() => readLlamaModel(cut, { kernels }), 'BAD_FILE', 'cut.bin', /truncated/);
  }
});
