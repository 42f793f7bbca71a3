/**
 * Node file helpers for thresholds (kept apart so the rest of the family stays runtime-neutral).
 *
 * @example
 * await saveThresholds('thresholds.json', th);
 * const th2 = await loadThresholds('thresholds.json');
 */
import { parseThresholds, serializeThresholds } from './thresholds-file.js';
import type { ActivationThresholds } from './thresholds.js';
import { SparseInferenceError } from '../core/errors.js';
import { importNodeBuiltin } from '../core/node-builtin.js';

export async function saveThresholds(path: string, th: ActivationThresholds): Promise<void> {
  const { writeFile, rename } = await importNodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
  const text = serializeThresholds(th);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
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
