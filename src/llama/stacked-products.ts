// Products that read the same input, as one call: q, k and v; gate and up.
import type { TensorSlot } from './weight-layout.js';

/**
 * Quantized matrices that lie back to back in the quantized buffer, with the same format and
 * input width, as one taller matrix: multiplying it by x gives every matrix's product, stacked,
 * in one kernel call (one job on the threads backend instead of one per matrix, and the small
 * k and v products split with q's). Null when they do not lie that way. Every matrix's rows are
 * a multiple of 4, the int8 kernels' row groups, so each row is computed exactly as in a call of
 * its own matrix: the stacked product is bit-identical to the separate ones.
 */
export function stackedSlot(slots: readonly TensorSlot[]): TensorSlot | null {
  if (slots.length === 0) return null;
  const first = slots[0];
  let rows = 0;
  let end = first.offset;
  for (const s of slots) {
    if (s.format === undefined || s.format !== first.format || s.cols !== first.cols || s.rows % 4 !== 0 || s.offset !== end) return null;
    rows += s.rows;
    end += s.length;
  }
  return { offset: first.offset, length: end - first.offset, rows, cols: first.cols, format: first.format };
}

/** The views as one array when each starts where the previous one ends in the same buffer; else null. */
export function stackedViews(views: readonly Float32Array[]): Float32Array | null {
  if (views.length === 0) return null;
  const first = views[0];
  let end = first.byteOffset;
  for (const v of views) {
    if (v.buffer !== first.buffer || v.byteOffset !== end) return null;
    end += v.byteLength;
  }
  return new Float32Array(first.buffer, first.byteOffset, (end - first.byteOffset) / 4);
}
