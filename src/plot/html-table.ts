/**
 * HTML tables for reports: text is escaped, numbers are right-aligned and printed with a
 * fixed number of significant digits.
 */
import { badArgument } from '../core/errors.js';
import { checkInt, describe } from '../core/validate.js';
import { escapeXml } from './svg.js';
import { checkOptions as checkKnownKeys } from '../core/options.js';

/**
 * Render rows under headers as `<table class="si-table">`. Every row must have one cell per
 * header. Numbers get `digits` significant digits (default 4; integers print in full);
 * NaN and ±Infinity print as such rather than being hidden.
 *
 * @throws SparseInferenceError BAD_ARGUMENT for no headers, a row of the wrong length, or a
 *   cell that is neither string nor number.
 * @example
 * htmlTable(['kernel', 'GB/s'], [['dot', 21.43], ['gemv', 18.2]], { digits: 3 })
 */
export function htmlTable(headers: string[], rows: (string | number)[][], opts: { digits?: number } = {}): string {
  if (!Array.isArray(headers) || headers.length === 0) throw badArgument(`headers must be a non-empty array of strings, got ${describe(headers)}`);
  headers.forEach((h, i) => {
    if (typeof h !== 'string') throw badArgument(`headers[${i}] must be a string, got ${describe(h)}`);
  });
  if (!Array.isArray(rows)) throw badArgument(`rows must be an array of rows, got ${describe(rows)}`);
  const digits = checkInt('digits', checkKnownKeys('htmlTable options', opts, ['digits']).digits ?? 4, 1, 17);
  let body = '';
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== headers.length) {
      throw badArgument(`rows[${i}] must have ${headers.length} cells (one per header), got ${describe(r)}`);
    }
    body += '<tr>' + r.map((c, j) => {
      if (typeof c === 'number') return `<td class="num">${escapeXml(formatNumber(c, digits))}</td>`;
      if (typeof c === 'string') return `<td>${escapeXml(c)}</td>`;
      throw badArgument(`rows[${i}][${j}] must be a string or number, got ${describe(c)}`);
    }).join('') + '</tr>\n';
  });
  const head = '<tr>' + headers.map((h) => `<th>${escapeXml(h)}</th>`).join('') + '</tr>';
  return `<table class="si-table">\n<thead>${head}</thead>\n<tbody>\n${body}</tbody>\n</table>`;
}

/** `digits` significant digits; integers in full; scientific outside [1e-3, 1e15). */
export function formatNumber(v: number, digits: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '∞' : '-∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e15) return String(Number(v.toPrecision(digits)));
  const [m, e] = v.toExponential(digits - 1).split('e');
  return `${Number(m)}e${Number(e)}`;
}
