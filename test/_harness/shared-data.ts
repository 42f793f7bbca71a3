/**
 * Access to ../shared (beside the checkout): the real checkpoint, tokenizer and data sets.
 * Absent → the suite is skipped with a visible reason; with SPARSE_INFERENCE_REQUIRE_SHARED=1
 * (set by .ci/run) absence is a failure instead, so CI always runs these tests.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedRoot = resolve(repoRoot, '..', 'shared');

/** Absolute path of a file under ../shared, or null when it is missing. */
export function sharedPath(rel: string): string | null {
  const p = resolve(sharedRoot, rel);
  return existsSync(p) ? p : null;
}

const required = process.env.SPARSE_INFERENCE_REQUIRE_SHARED === '1';

/**
 * describe() that needs files under ../shared. fn receives their absolute paths, in order.
 * Missing files: skipped with the reason printed, or one failing test when required.
 */
export function describeWithShared(name: string, relPaths: string[], fn: (paths: string[]) => void): void {
  const missing = relPaths.filter((r) => sharedPath(r) === null);
  if (missing.length === 0) {
    describe(name, () => fn(relPaths.map((r) => resolve(sharedRoot, r))));
    return;
  }
  const reason = `missing ${missing.map((m) => `../shared/${m}`).join(', ')}`;
  if (required) {
    describe(name, () => {
      it('has the ../shared files it needs', () => {
        throw new Error(`${reason} (SPARSE_INFERENCE_REQUIRE_SHARED=1)`);
      });
    });
  } else {
    console.warn(`[skip] ${name}: ${reason}`);
    // Collected but not run: the body only registers tests, it must not read the files.
    describe.skipIf(true)(`${name} (skipped: ${reason})`, () => fn(relPaths.map((r) => resolve(sharedRoot, r))));
  }
}
