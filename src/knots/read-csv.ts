/**
 * A small CSV reader for numeric tables (the `knots` CLI and experiments on real data): a header
 * row, comma-separated, optional double quotes, numeric cells. Errors name the file, row and
 * column, so a bad file never becomes NaN inside the sampler.
 */
import { badArgument, SparseInferenceError } from '../core/errors.js';
import { checkInt, describe } from '../core/validate.js';

export interface NumericTable {
  columns: string[];
  /** Column name → values (all finite numbers). */
  data: Record<string, Float64Array>;
  rows: number;
}

function bad(source: string, msg: string): SparseInferenceError {
  return new SparseInferenceError('BAD_FILE', `${source}: ${msg}`);
}

function splitLine(line: string): string[] {
  const cells: string[] = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { cells.push(cur); cur = ''; } else cur += ch;
  }
  cells.push(cur);
  return cells.map((c) => c.trim());
}

/**
 * Parse CSV text, keeping only the `wanted` columns (all columns when omitted); every kept cell
 * must be a finite number. `source` names the file in error messages.
 *
 * @example parseNumericCsv('x,y\n1,2\n3,4', 'data.csv', ['x', 'y']).data.y // Float64Array [2, 4]
 */
export function parseNumericCsv(text: string, source: string, wanted?: string[], minRows = 1): NumericTable {
  if (typeof text !== 'string') throw badArgument(`text must be a string, got ${describe(text)}`);
  if (typeof source !== 'string') throw badArgument(`source must be a string naming the file, got ${describe(source)}`);
  if (wanted !== undefined && (!Array.isArray(wanted) || wanted.some((w) => typeof w !== 'string'))) {
    throw badArgument(`wanted must be an array of column names, got ${describe(wanted)}`);
  }
  checkInt('minRows', minRows, 0);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw bad(source, 'the file is empty');
  const header = splitLine(lines[0]);
  const names = wanted ?? header;
  const index = names.map((n) => {
    const j = header.indexOf(n);
    if (j < 0) throw bad(source, `column '${n}' not found (columns: ${header.join(', ')})`);
    return j;
  });
  const rows = lines.length - 1;
  if (rows < minRows) throw bad(source, `needs at least ${minRows} data rows, found ${rows}`);
  const data: Record<string, Float64Array> = {};
  names.forEach((n) => { data[n] = new Float64Array(rows); });
  for (let r = 0; r < rows; r++) {
    const cells = splitLine(lines[r + 1]);
    names.forEach((n, a) => {
      const raw = cells[index[a]];
      if (raw === undefined || raw === '') throw bad(source, `row ${r + 2}, column '${n}' is missing`);
      const v = Number(raw);
      if (!Number.isFinite(v)) throw bad(source, `row ${r + 2}, column '${n}' is not a finite number: '${raw}'`);
      data[n][r] = v;
    });
  }
  return { columns: names, data, rows };
}
