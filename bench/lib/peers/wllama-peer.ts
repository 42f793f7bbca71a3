/**
 * wllama (@wllama/wllama: llama.cpp compiled to WebAssembly SIMD) as a peer of the llama-gguf
 * suite. It runs its inference in a Web Worker, so it is driven in headless Chromium
 * (playwright-core, /usr/bin/chromium or CHROMIUM_PATH): a page served from 127.0.0.1 (with the
 * cross-origin isolation headers its multi-thread build needs) loads the GGUF as a Blob and,
 * per workload, asks for a completion of the workload's token ids with greedy sampling and
 * end-of-generation ignored. Speeds are the ones llama.cpp's server code reports itself
 * (timings.prompt_per_second, predicted_per_second); decode steps then include sampling, which
 * on llama.cpp is a small part of a step. Peak RSS is not measured (a browser's memory is spread
 * over processes).
 */
import { SparseInferenceError } from '../../../src/core/errors.js';
import type { EngineReport, GgufWorkload } from './gguf-workloads.js';

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import { Wllama } from '/wllama/index.js';
window.runWllama = async (spec) => {
  const w = new Wllama({ default: '/wllama/wasm/wllama.wasm' }, { suppressNativeLog: true });
  const blob = await (await fetch('/model.gguf')).blob();
  const nCtx = Math.max(...spec.workloads.map((x) => x.context)) + 8;
  await w.loadModel([blob], { n_ctx: nCtx, n_batch: 512, n_threads: spec.threads, n_gpu_layers: 0 });
  const results = [];
  for (const x of spec.workloads) {
    const r = await w.createCompletion({ prompt: x.prompt, max_tokens: x.decode, temperature: 0, ignore_eos: true,
      cache_prompt: false });
    const t = r.timings;
    results.push({ name: x.name, prefillSeconds: t.prompt_ms / 1000, decodeSeconds: t.predicted_ms / 1000,
      promptTokens: t.prompt_n, decodeTokens: t.predicted_n });
  }
  const threads = w.getNumThreads();
  await w.exit();
  return { results, threads };
};
window.ready = true;
</script>`;

/** Needs workloads built from text (ggufTextWorkloads): wllama takes a prompt as text. */
export async function runWllama(model: string, workloads: GgufWorkload[], threads: number): Promise<EngineReport> {
  if (workloads.some((w) => w.promptText === undefined)) throw new SparseInferenceError('UNAVAILABLE', 'wllama needs prompts as text');
  const fs = await import('node:fs');
  const http = await import('node:http');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  let esm: string;
  try {
    esm = path.dirname(fileURLToPath(import.meta.resolve('@wllama/wllama')));
  } catch (e) {
    throw new SparseInferenceError('UNAVAILABLE', '@wllama/wllama is not installed (a devDependency: npm install)', { cause: e });
  }
  const { chromium } = await import('playwright-core');
  const types: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = url.pathname === '/model.gguf' ? model
      : url.pathname.startsWith('/wllama/') ? path.join(esm, path.normalize(url.pathname.slice('/wllama/'.length))) : null;
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    if (url.pathname === '/') { res.setHeader('Content-Type', 'text/html'); res.end(PAGE); return; }
    if (file === null || !file.startsWith(url.pathname === '/model.gguf' ? model : esm) || !fs.existsSync(file)) {
      res.statusCode = 404; res.end(); return;
    }
    res.setHeader('Content-Type', types[path.extname(file)] ?? 'application/octet-stream');
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, null, { timeout: 30_000 })
      .catch(() => { throw new SparseInferenceError('UNAVAILABLE', `wllama page did not load: ${errors.join('; ')}`); });
    const out = await page.evaluate((spec) => (window as unknown as { runWllama(s: unknown): Promise<unknown> }).runWllama(spec),
      { threads, workloads: workloads.map((w) => ({ name: w.name, context: w.context, decode: w.decode, prompt: w.promptText })) }) as {
      results: { name: string; prefillSeconds: number; decodeSeconds: number; promptTokens: number; decodeTokens: number }[];
      threads: number };
    for (const r of out.results) {
      const w = workloads.find((x) => x.name === r.name)!;
      // llama.cpp's server code may put BOS before the prompt.
      if (r.promptTokens - w.prompt.length > 1 || r.promptTokens < w.prompt.length || r.decodeTokens !== w.decode) {
        throw new SparseInferenceError('UNAVAILABLE', `wllama ran ${r.promptTokens}+${r.decodeTokens} tokens for ${r.name}, not ${w.prompt.length}+${w.decode}`);
      }
    }
    return { engine: `wllama ${await wllamaVersion(esm)} (Chromium, ${out.threads} thread${out.threads > 1 ? 's' : ''})`, results: out.results, peakRss: NaN };
  } finally {
    await browser.close();
    server.close();
  }
}

async function wllamaVersion(esm: string): Promise<string> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  try {
    return JSON.parse(fs.readFileSync(path.join(esm, '..', 'package.json'), 'utf8')).version as string;
  } catch {
    return '';
  }
}
