/**
 * Saving a chart to disk (Node and Deno only; browsers insert the SVG string into the page).
 */
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { importNodeBuiltin } from '../core/node-builtin.js';

/**
 * Write an SVG string (from lineChart, barChart or heatMap) to `path`, creating parent
 * directories. `node:fs` is imported lazily so that bundling the library for a browser
 * does not pull it in.
 *
 * @throws SparseInferenceError BAD_ARGUMENT when svg is not an SVG document or path is empty;
 *   UNAVAILABLE when the runtime has no file system.
 * @example await writeSvg('plots/trace.svg', lineChart({ series: [...] }));
 */
export async function writeSvg(path: string, svg: string): Promise<void> {
  if (typeof path !== 'string' || path === '') throw badArgument(`path must be a non-empty string, got ${describe(path)}`);
  if (typeof svg !== 'string' || !/^\s*<svg[\s>]/.test(svg)) throw badArgument('svg must be an SVG document string starting with <svg');
  let fs: typeof import('node:fs/promises');
  let p: typeof import('node:path');
  try {
    fs = await importNodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
    p = await importNodeBuiltin<typeof import('node:path')>('path');
  } catch (e) {
    throw new SparseInferenceError('UNAVAILABLE', 'writeSvg needs a file system (Node or Deno); in a browser, insert the SVG string instead', { cause: e });
  }
  await fs.mkdir(p.dirname(path), { recursive: true });
  await fs.writeFile(path, svg.endsWith('\n') ? svg : svg + '\n', 'utf8');
}
