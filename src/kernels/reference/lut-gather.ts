import { badArgument } from '../../core/errors.js';

/**
 * out[j] = table[codes[j]] for j < n — the A²ATS score lookup (a gather by centroid code).
 * Codes outside [0, tableSize) are an error (they would read past the table).
 */
export function lutGather(table: Float32Array, tableSize: number, codes: Int32Array, n: number,
  out: Float32Array): void {
  for (let j = 0; j < n; j++) {
    const c = codes[j];
    if (c < 0 || c >= tableSize) throw badArgument(`codes[${j}] must be in [0, ${tableSize}), got ${c}`);
    out[j] = table[c];
  }
}
