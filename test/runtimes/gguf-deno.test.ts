// SmolLM2 (the Q4_1 GGUF) under Deno, with Node as the oracle (same wasm kernels, same bits):
// greedy decoding by token ids and text in/out with the GGUF's own tokenizer and chat template
// (fixtures/gguf-*.ts, bundled by esbuild into one module, the file read with Deno.readFile),
// and the CLI itself (`deno run dist/cli/main.js llama generate|ppl`) against `node dist/cli/main.js`.
import { expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWithRuntime, expectDistBuilt, repoRoot } from './harness.js';
import { describeWithModels, SMOLLM2_GGUF } from '../_harness/models.js';
import { GGUF_PROMPT, greedyFromGguf } from './fixtures/gguf-greedy.js';
import { CHAT_QUESTION, chatAndPplFromGguf, LLAMA_CPP_REPLY, PPL_TEXT } from './fixtures/gguf-text.js';

const deno = resolve(repoRoot, 'node_modules', '.bin', 'deno');
const missing = existsSync(deno) ? null : `deno not installed (${deno} missing; it is a devDependency: npm install)`;
const STEPS = 16;
const REPLY_TOKENS = 24;

interface Run { code: number; out: string; err: string }

function run(file: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    execFile(file, args, { cwd, timeout: 240_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, out, err) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err }));
  });
}

/** Bundle `entry` (TypeScript importing the fixtures) and run it under Deno with read access to `gguf`. */
async function runBundleInDeno(entry: string, gguf: string): Promise<Run> {
  const esbuild = await import('esbuild');
  const built = await esbuild.build({
    stdin: { contents: entry, resolveDir: repoRoot, loader: 'ts' }, bundle: true, format: 'esm', platform: 'neutral',
    write: false, logLevel: 'silent',
  });
  const dir = await mkdtemp(join(tmpdir(), 'si-gguf-deno-'));
  try {
    await writeFile(join(dir, 'main.mjs'), built.outputFiles[0].text);
    return await run(deno, ['run', '--no-lock', '--quiet', `--allow-read=${gguf}`, 'main.mjs', gguf], dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const lastJson = <T>(r: Run): T => JSON.parse(r.out.trim().split('\n').pop()!) as T;
const fixture = (name: string) => JSON.stringify(resolve(repoRoot, 'test/runtimes/fixtures', name));

describeWithModels('SmolLM2 GGUF under Deno', [SMOLLM2_GGUF], ([gguf]) => {
  describeWithRuntime('Deno', missing, () => {
    it('loads the GGUF from a path and decodes Node\'s 16 greedy tokens', async () => {
      const node = await greedyFromGguf(new Uint8Array(readFileSync(gguf)), GGUF_PROMPT, STEPS);
      const r = await runBundleInDeno(`import { greedyFromGguf, GGUF_PROMPT } from ${fixture('gguf-greedy.ts')};
        const r = await greedyFromGguf(await Deno.readFile(Deno.args[0]), GGUF_PROMPT, ${STEPS});
        console.log(JSON.stringify({ ...r, runtime: 'deno ' + Deno.version.deno }));`, gguf);
      expect(r.code, r.err).toBe(0);
      const out = lastJson<{ ids: number[]; backend: string; runtime: string }>(r);
      expect(out.runtime).toMatch(/^deno /);
      expect(out.backend).toBe('wasm/simd');
      expect(out.ids).toEqual(node.ids);
    }, 300_000);

    it('generate on a chat prompt and evaluateNll, tokenizer and template from the GGUF: Node\'s text and NLL', async () => {
      const node = await chatAndPplFromGguf(new Uint8Array(readFileSync(gguf)), REPLY_TOKENS);
      expect(node.reply.startsWith(LLAMA_CPP_REPLY), node.reply).toBe(true);
      const r = await runBundleInDeno(`import { chatAndPplFromGguf } from ${fixture('gguf-text.ts')};
        const r = await chatAndPplFromGguf(await Deno.readFile(Deno.args[0]), ${REPLY_TOKENS});
        console.log(JSON.stringify(r));`, gguf);
      expect(r.code, r.err).toBe(0);
      expect(lastJson(r)).toEqual(node);
    }, 300_000);

    it('the CLI runs under Deno: llama generate (also --chat) and llama ppl print what Node\'s CLI prints', async () => {
      expectDistBuilt();
      const dir = await mkdtemp(join(tmpdir(), 'si-gguf-deno-cli-'));
      try {
        const text = join(dir, 'stories.txt');
        await writeFile(text, PPL_TEXT);
        const main = resolve(repoRoot, 'dist', 'cli', 'main.js');
        const model = ['--model', gguf, '--max-seq-len', '128'];
        const commands = [
          ['llama', 'generate', ...model, '--prompt', 'Once upon a time', '--temperature', '0', '--tokens', '12', '--json'],
          ['llama', 'generate', ...model, '--chat', '--prompt', CHAT_QUESTION, '--temperature', '0', '--tokens', '8', '--json'],
          ['llama', 'ppl', ...model, '--text', text, '--json'],
        ];
        for (const args of commands) {
          const inNode = await run(process.execPath, [main, ...args], dir);
          const inDeno = await run(deno, ['run', '--no-lock', '--quiet', '--allow-read', '--allow-env', main, ...args], dir);
          expect(inNode.code, inNode.err).toBe(0);
          expect(inDeno.code, inDeno.err).toBe(0);
          // Everything but the timings.
          const strip = (r: Run) => {
            const o = JSON.parse(r.out) as Record<string, unknown>;
            delete o.seconds; delete o.tokensPerSecond;
            return o;
          };
          const want = strip(inNode);
          expect(strip(inDeno)).toEqual(want);
          if (args[1] === 'ppl') expect(want.tokens).toBeGreaterThan(50);
          else expect((want.text as string).length).toBeGreaterThan('Once upon a time'.length);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }, 300_000);
  });
});
