// SmolLM2 (the Q4_1 GGUF) in Chromium: a page bundled from the library source by esbuild fetches
// the GGUF served from 127.0.0.1 as an ArrayBuffer, loads it with loadGguf (weights kept
// quantized, wasm SIMD kernels) and (1) decodes 16 tokens greedily from fixed token ids,
// (2) answers a ChatML prompt with `generate` and scores a text with `evaluateNll`, the
// tokenizer and chat template read from the GGUF's metadata. Oracles: the same code in Node must
// give the same ids, text and NLL (same kernels, same bits), and the greedy ids must start as
// llama.cpp's own greedy continuation (" a small town"; llama-cpp-python 0.3.36 on this file;
// its fourth token is a near-tie there: 22.944 vs 22.924).
import { expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWithRuntime, repoRoot } from './harness.js';
import { describeWithModels, SMOLLM2_GGUF } from '../_harness/models.js';
import { GGUF_PROMPT, greedyFromGguf } from './fixtures/gguf-greedy.js';
import { chatAndPplFromGguf, LLAMA_CPP_REPLY } from './fixtures/gguf-text.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = existsSync(chromiumPath) ? null : `${chromiumPath} not found (Debian: apt-get install -y chromium)`;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
/** llama.cpp's greedy continuation of GGUF_PROMPT starts with these ids (" a small town"). */
const LLAMA_CPP_FIRST = [253, 1165, 3102];
const STEPS = 16;
const REPLY_TOKENS = 24;

function serve(files: Record<string, { type: string; body: string | Uint8Array }>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const f = files[path];
    if (f === undefined) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' }).end(f.body);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    done({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/` });
  }));
}

/**
 * Serve the GGUF and a page that bundles `call` (an expression over the fetched bytes, using the
 * fixtures' exports) from 127.0.0.1, open it in headless Chromium and return what `call` resolved to.
 */
async function inChromium<T>(gguf: string, imports: string, call: string): Promise<T> {
  const esbuild = await import('esbuild');
  const { chromium } = await import('playwright-core');
  const entry = `${imports}
    const bytes = new Uint8Array(await (await fetch('/model.gguf')).arrayBuffer());
    (${call}).then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e) }; });`;
  const built = await esbuild.build({
    stdin: { contents: entry, resolveDir: repoRoot, loader: 'ts' }, bundle: true, format: 'esm', platform: 'browser',
    write: false, logLevel: 'silent',
  });
  const { server, url } = await serve({
    '/': { type: 'text/html', body: '<!DOCTYPE html><meta charset="utf-8"><script type="module" src="/bundle.js"></script>' },
    '/bundle.js': { type: 'text/javascript', body: built.outputFiles[0].text },
    '/model.gguf': { type: 'application/octet-stream', body: readFileSync(gguf) },
  });
  const profile = await mkdtemp(join(tmpdir(), 'si-gguf-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: ARGS });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout: 240_000 });
    const out = await page.evaluate(() => (window as unknown as { __result: T & { error?: string } }).__result);
    expect(out.error).toBeUndefined();
    expect(errors).toEqual([]);
    return out;
  } finally {
    await context.close();
    server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

const fixture = (name: string) => JSON.stringify(resolve(repoRoot, 'test/runtimes/fixtures', name));

describeWithModels('SmolLM2 GGUF in Chromium', [SMOLLM2_GGUF], ([gguf]) => {
  describeWithRuntime('Chromium', missing, () => {
    it('loads the GGUF served from 127.0.0.1 and decodes 16 tokens: Node\'s ids, starting as llama.cpp does', async () => {
      const node = await greedyFromGguf(new Uint8Array(readFileSync(gguf)), GGUF_PROMPT, STEPS);
      expect(node.ids.slice(0, 3)).toEqual(LLAMA_CPP_FIRST);
      const out = await inChromium<{ ids: number[]; backend: string }>(gguf,
        `import { greedyFromGguf, GGUF_PROMPT } from ${fixture('gguf-greedy.ts')};`, `greedyFromGguf(bytes, GGUF_PROMPT, ${STEPS})`);
      expect(out.backend).toBe('wasm/simd');
      expect(out.ids).toEqual(node.ids);
    }, 300_000);

    it('generate on a chat prompt and evaluateNll, tokenizer and template from the GGUF: Node\'s text and NLL', async () => {
      const node = await chatAndPplFromGguf(new Uint8Array(readFileSync(gguf)), REPLY_TOKENS);
      expect(node.reply.startsWith(LLAMA_CPP_REPLY), node.reply).toBe(true);
      const out = await inChromium(gguf,
        `import { chatAndPplFromGguf } from ${fixture('gguf-text.ts')};`, `chatAndPplFromGguf(bytes, ${REPLY_TOKENS})`);
      expect(out).toEqual(node);
    }, 300_000);
  });
});
