/**
 * Shared pieces of the runtime smoke tests: where the built package is, how to skip (or,
 * with SPARSE_INFERENCE_REQUIRE_RUNTIMES=1 as CI sets it, fail) when a runtime is missing,
 * and the Node-side oracle the results from Deno and Chromium are compared against.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createKernels } from '../../src/backends/create-kernels.js';
import { Rng } from '../../src/core/rng.js';
// @ts-expect-error plain-JS fixture shared with the other runtimes
import { smokeInputs, SMOKE_CHART } from './fixtures/smoke.mjs';
import { lineChart } from '../../src/plot/index.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const distIndex = resolve(repoRoot, 'dist', 'index.js');
export const requireRuntimes = process.env.SPARSE_INFERENCE_REQUIRE_RUNTIMES === '1';

/**
 * describe() that runs when `missing` is null; otherwise it is skipped with the reason in its
 * title (and a console warning) — or, under SPARSE_INFERENCE_REQUIRE_RUNTIMES=1, fails.
 */
export function describeWithRuntime(name: string, missing: string | null, fn: () => void): void {
  if (missing === null) {
    describe(name, fn);
  } else if (requireRuntimes) {
    describe(name, () => {
      it('runtime is available (required by SPARSE_INFERENCE_REQUIRE_RUNTIMES=1)', () => {
        throw new Error(`${name}: ${missing}`);
      });
    });
  } else {
    console.warn(`[skip] ${name}: ${missing}`);
    describe.skip(`${name} (skipped: ${missing})`, fn);
  }
}

/** The smoke tests load dist/: fail with instructions when it is missing. */
export function expectDistBuilt(): void {
  expect(existsSync(distIndex), `${distIndex} is missing: run \`npm run build\` (\`npm test\` builds first)`).toBe(true);
}

export interface SmokeResult {
  svg: string;
  backend: string;
  variant: string;
  support: { wasm: boolean; simd: boolean; relaxedSimd: boolean };
  dot: number;
  residentDot: number;
  closedForm: number;
  gemv: number[];
  topK: number[];
  badArgument: { name: string; code: string; message: string } | null;
  runtime: { name: string; version: string };
}

/** Compare a runtime's smoke results with the reference backend run here in Node. */
export async function expectMatchesReference(r: SmokeResult): Promise<void> {
  expect(r.backend).toBe('wasm');
  expect(r.variant).toBe('simd');
  expect(r.support).toMatchObject({ wasm: true, simd: true });

  const ref = await createKernels({ backend: 'reference' });
  const inp = smokeInputs(Rng);
  let scale = 0;
  for (let i = 0; i < inp.n; i++) scale += Math.abs(inp.x[i] * inp.y[i]);
  expect(Math.abs(r.dot - ref.dot(inp.x, inp.y, inp.n))).toBeLessThanOrEqual(1e-5 * scale + 1e-6);
  expect(r.residentDot).toBe(r.dot);
  expect(r.closedForm).toBe(4950);

  const y = new Float32Array(inp.rows);
  ref.gemv(inp.W, inp.v, y, inp.rows, inp.cols);
  expect(r.gemv).toHaveLength(inp.rows);
  for (let i = 0; i < inp.rows; i++) {
    let s = 0;
    for (let j = 0; j < inp.cols; j++) s += Math.abs(inp.W[i * inp.cols + j] * inp.v[j]);
    expect(Math.abs(r.gemv[i] - y[i]), `gemv row ${i}`).toBeLessThanOrEqual(1e-5 * s + 1e-6);
  }

  const top = new Int32Array(inp.k);
  ref.topK(inp.t, inp.topN, inp.k, top);
  expect(r.topK).toEqual(Array.from(top));

  expect(r.svg).toBe(lineChart(SMOKE_CHART));

  expect(r.badArgument).toMatchObject({ name: 'SparseInferenceError', code: 'BAD_ARGUMENT' });
  expect(r.badArgument!.message).toMatch(/^x must have at least 1028 elements/);
}
