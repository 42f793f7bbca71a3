// SmolLM2 (the Q4_1 GGUF) under Deno: the same greedy decoding as in Node (fixtures/gguf-greedy.ts,
// bundled by esbuild into one module), the file read with Deno.readFile. Oracle: Node's 16 ids.
import { expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWithRuntime, repoRoot } from './harness.js';
import { describeWithModels, SMOLLM2_GGUF } from '../_harness/models.js';
import { GGUF_PROMPT, greedyFromGguf } from './fixtures/gguf-greedy.js';

const deno = resolve(repoRoot, 'node_modules', '.bin', 'deno');
const missing = existsSync(deno) ? null : `deno not installed (${deno} missing; it is a devDependency: npm install)`;
const STEPS = 16;

describeWithModels('SmolLM2 GGUF under Deno', [SMOLLM2_GGUF], ([gguf]) => {
  describeWithRuntime('Deno', missing, () => {
    it('loads the GGUF from a path and decodes Node\'s 16 greedy tokens', async () => {
      const node = await greedyFromGguf(new Uint8Array(readFileSync(gguf)), GGUF_PROMPT, STEPS);
      const esbuild = await import('esbuild');
      const entry = `import { greedyFromGguf, GGUF_PROMPT } from ${JSON.stringify(resolve(repoRoot, 'test/runtimes/fixtures/gguf-greedy.ts'))};
        const r = await greedyFromGguf(await Deno.readFile(Deno.args[0]), GGUF_PROMPT, ${STEPS});
        console.log(JSON.stringify({ ...r, runtime: 'deno ' + Deno.version.deno }));`;
      const built = await esbuild.build({
        stdin: { contents: entry, resolveDir: repoRoot, loader: 'ts' }, bundle: true, format: 'esm', platform: 'neutral',
        write: false, logLevel: 'silent',
      });
      const dir = await mkdtemp(join(tmpdir(), 'si-gguf-deno-'));
      try {
        await writeFile(join(dir, 'main.mjs'), built.outputFiles[0].text);
        const r = await new Promise<{ code: number; out: string; err: string }>((done) => {
          execFile(deno, ['run', '--no-lock', '--quiet', `--allow-read=${gguf}`, 'main.mjs', gguf],
            { cwd: dir, timeout: 240_000, env: { ...process.env, NO_COLOR: '1' } },
            (error, out, err) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err }));
        });
        expect(r.code, r.err).toBe(0);
        const out = JSON.parse(r.out.trim().split('\n').pop()!) as { ids: number[]; backend: string; runtime: string };
        expect(out.runtime).toMatch(/^deno /);
        expect(out.backend).toBe('wasm/simd');
        expect(out.ids).toEqual(node.ids);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }, 300_000);
  });
});
