import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createKernels } from '../../../src/backends/create-kernels.js';
import { loadGguf } from '../../../src/llama/gguf/load-gguf.js';
import { readLlamaModel } from '../../../src/llama/node-files.js';
import { openGgufFile, readGgufModel, readGgufModelAndTokenizer, readGgufTokenizer } from '../../../src/node/gguf-file.js';
import { describeWithModels, SMOLLM2_GGUF } from '../../_harness/models.js';
import { expectErrorAsync, maxAbsDiff } from '../helpers.js';

describeWithModels('GGUF from a path (streamed) on SmolLM2', [SMOLLM2_GGUF], ([path]) => {
  const dir = mkdtempSync(join(tmpdir(), 'gguf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the header in growing prefixes and the same weights as loading the bytes', async () => {
    const kernels = await createKernels({ backend: 'wasm' });
    const src = openGgufFile(path);
    expect(src.file.dataOffset).toBeGreaterThan(1 << 20); // the 1.8 MB header needed a second, longer prefix
    src.dispose();
    const fromPath = await readGgufModel(path, { kernels, maxSeqLen: 64 });
    const fromBytes = loadGguf(new Uint8Array(readFileSync(path)), { kernels, maxSeqLen: 64 });
    const viaReadLlama = await readLlamaModel(path, { kernels, maxSeqLen: 64 });
    const tokens = [1, 9690, 198, 2683];
    const a = (await fromPath.prefill(tokens)).slice();
    const b = (await fromBytes.prefill(tokens)).slice();
    const c = (await viaReadLlama.prefill(tokens)).slice();
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(maxAbsDiff(a, c)).toBe(0);
    fromPath.dispose(); fromBytes.dispose(); viaReadLlama.dispose();
  });

  it('reads the model and its tokenizer from one parse of the header, as the two readers do apart', async () => {
    const kernels = await createKernels({ backend: 'wasm' });
    const both = await readGgufModelAndTokenizer(path, { kernels, maxSeqLen: 64 });
    const model = await readGgufModel(path, { kernels, maxSeqLen: 64 });
    const tokenizer = readGgufTokenizer(path);
    const text = 'The quick brown fox — 1234 déjà vu\n\n  def f(x):';
    expect(both.tokenizer.encode(text)).toEqual(tokenizer.encode(text));
    expect(both.tokenizer.vocabSize).toBe(tokenizer.vocabSize);
    const tokens = both.tokenizer.encode(text);
    const a = (await both.model.prefill(tokens)).slice();
    const b = (await model.prefill(tokens)).slice();
    expect(maxAbsDiff(a, b)).toBe(0);
    both.model.dispose(); model.dispose();
    await expectErrorAsync(() => readGgufModelAndTokenizer(join(dir, 'none.gguf'), { kernels }), 'BAD_FILE', /none.gguf: ENOENT/);
  });

  it('names the path for a missing or truncated file', async () => {
    const kernels = await createKernels({ backend: 'reference' });
    await expectErrorAsync(() => readGgufModel(join(dir, 'none.gguf'), { kernels }), 'BAD_FILE', /none.gguf: ENOENT/);
    const cut = join(dir, 'cut.gguf');
    writeFileSync(cut, readFileSync(path).subarray(0, 50_000_000));
    await expectErrorAsync(() => readGgufModel(cut, { kernels }), 'BAD_FILE', 'cut.gguf', /runs past the end of the file/);
  });
});
