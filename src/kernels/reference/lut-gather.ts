import { badArgument } from '../../core/errors.js';
import { defineKernel, f32, i32, size } from '../define-kernel.js';

/**
 * out[j] = table[codes[j]] for j < n: approximate scores of tokens by centroid code (A²ATS §3).
 * table: tableSize; codes: n (Int32Array, each in [0, tableSize) — else BAD_ARGUMENT); out: n.
 *
 * Reference: out[j] = table[codes[j]] for j < n — the A²ATS score lookup (a gather by centroid code).
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

/** lutGather: out[j] = table[codes[j]]. */
export const lutGatherKernel = defineKernel('lutGather', lutGather, {
  args: [
    f32('table', 'tableSize', ([, tableSize]) => tableSize), size('tableSize', 1), i32('codes', 'n', ([, , , n]) => n),
    size('n'), f32('out', 'n', ([, , , n]) => n, { role: 'out' }),
  ],
  split: 'whole',
  work: ([, , , n]) => n,
});
