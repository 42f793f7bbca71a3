/**
 * Writing the report to disk (Node/Deno): `<dir>/index.html`.
 */
import { badArgument } from '../core/errors.js';
import { renderReport, type ReportMeta } from './html.js';
import type { ReportSection } from './section.js';
import { importNodeBuiltin } from '../core/node-builtin.js';

/**
 * Render the sections (see renderReport) and write them to `<dir>/index.html`, creating
 * `dir` if needed. Resolves to the path written.
 * @example const path = await writeReport('report', sections, { generatedAt: new Date(), runtime, backend });
 */
export async function writeReport(dir: string, sections: ReportSection[], meta: ReportMeta): Promise<string> {
  if (typeof dir !== 'string' || dir === '') throw badArgument('dir must be a non-empty directory path');
  const html = renderReport(sections, meta);
  const { mkdir, writeFile, rename } = await importNodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
  const { join } = await importNodeBuiltin<typeof import('node:path')>('path');
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'index.html');
  const tmp = `${path}.${Date.now()}.tmp`;
  await writeFile(tmp, html, 'utf8');
  await rename(tmp, path); // never leave a half-written page behind
  return path;
}
