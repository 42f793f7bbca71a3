/**
 * Node file helpers for thresholds (kept apart so the rest of the family stays runtime-neutral).
 *
 * @example
 * await saveThresholds('thresholds.json', th);
 * const th2 = await loadThresholds('thresholds.json');
 */
import { parseThresholds, serializeThresholds } from './thresholds-file.js';
import type { ActivationThresholds } from './thresholds.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { importNodeBuiltin } from '../core/node-builtin.js';

/**
 * Write thresholds to `path` atomically (a temporary file renamed over it). A path that is a
 * directory, or whose folder is missing or unwritable, is BAD_FILE naming the path, and no
 * temporary file is left behind.
 */
export async function saveThresholds(path: string, th: ActivationThresholds): Promise<void> {
  if (typeof path !== 'string' || path === '') throw badArgument(`path must be a non-empty string, got ${describe(path)}`);
  const { writeFile, rename, rm } = await importNodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
  await checkThresholdsTarget(path);
  const text = serializeThresholds(th);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new SparseInferenceError('BAD_FILE', `cannot write thresholds to ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Fail early when `path` cannot take a thresholds file (a directory, or a missing folder):
 * callers check before a long calibration rather than after it.
 */
export async function checkThresholdsTarget(path: string): Promise<void> {
  const { stat } = await importNodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
  const { dirname } = await importNodeBuiltin<typeof import('node:path')>('path');
  const existing = await stat(path).catch(() => null);
  if (existing?.isDirectory()) throw new SparseInferenceError('BAD_FILE', `cannot write thresholds to ${path}: it is a directory`);
  const folder = await stat(dirname(path)).catch(() => null);
  if (!folder?.isDirectory()) throw new SparseInferenceError('BAD_FILE', `cannot write thresholds to ${path}: folder ${dirname(path)} does not exist`);
}

export async function loadThresholds(path: string): Promise<ActivationThresholds> {
  const { readFile } = await importNodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read thresholds file ${path}: ${(e as Error).message}`, { cause: e });
  }
  return parseThresholds(text);
}
