/**
 * topKSelect on the GPU: the k largest of x[0..n) as a set, in increasing index order, ties
 * to the lower index — exactly the reference's set. For A²ATS retrieval (n = 32K scores,
 * k ≈ 1–10% of n) the whole selection stays on the GPU: no scores are read back.
 *
 * It is the batched selection of top-k-select-rows.ts with one row (radix select on
 * order-preserving keys, 4 rounds of histogram + pick, then a stable block compaction:
 * count, scan, scatter — 11 dispatches, integer counting only, so exact and deterministic).
 * Selecting many rows? Use topKSelectRows: the same 11 dispatches cover every row.
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import { encodeTopKSelectRows } from './top-k-select-rows.js';

/** Encode out[0..k) = the top-k set of x[0..n) in increasing index order (1 ≤ k ≤ n). */
export function encodeTopKSelect(call: GpuCall, x: GpuRef, n: number, k: number, out: GpuRef): void {
  encodeTopKSelectRows(call, x, 1, n, k, out);
}
