/**
 * Runs ./our-gguf-child in a fresh Node process (the compiled .js beside this file, else the
 * TypeScript source through tsx) and returns its report.
 */
import { SparseInferenceError } from '../../../src/core/errors.js';
import { runChild } from './child-run.js';
import type { EngineReport, GgufWorkload } from './gguf-workloads.js';

export async function runOurs(model: string, workloads: GgufWorkload[], threads: number): Promise<EngineReport> {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const js = fileURLToPath(new URL('./our-gguf-child.js', import.meta.url));
  const entry = fs.existsSync(js) ? [js] : ['--import', 'tsx', js.replace(/\.js$/, '.ts')];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'our-gguf-'));
  try {
    const spec = path.join(dir, 'spec.json');
    const seqLen = Math.max(...workloads.map((w) => w.context)) + 8;
    fs.writeFileSync(spec, JSON.stringify({ model, threads, seqLen, workloads }));
    const r = await runChild(process.execPath, [...entry, spec]);
    if (r.code !== 0) throw new SparseInferenceError('UNAVAILABLE', `our GGUF run failed (exit ${r.code}): ${r.stderr.trim().slice(-300)}`);
    const parsed = JSON.parse(r.stdout.trim().split('\n').slice(-1)[0]) as Omit<EngineReport, 'engine'> & { backend: string };
    return {
      engine: `sparse-inference (${parsed.backend}${threads > 1 ? `, ${threads} threads` : ''}, weights quantized, int8 activations)`,
      results: parsed.results, peakRss: parsed.peakRss,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
