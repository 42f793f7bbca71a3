import { describe, expect, it } from 'vitest';
import { mergeDecodeResults } from '../../src/kvcache/eval/merge-decode.js';
import { decodeRows } from '../../src/kvcache/eval/decode-report.js';
import type { DecodeCell, DecodeEvalResult } from '../../src/kvcache/eval/decode-eval.js';
import { SparseInferenceError } from '../../src/core/errors.js';

/** A result of `docs` documents whose per-document values are `base + document index`. */
function part(ids: string[], base: number): DecodeEvalResult {
  const per = (offset: number) => ids.map((_, i) => base + offset + i);
  const cell = (method: 'full' | 'a2ats', budget: number, scale: number): DecodeCell => ({
    method, budget, mode: 'perHead', ties: 'oldest', nll: per(scale), recall: per(0).map((x) => x / 100), relError: per(0), farFraction: per(0),
    realized: { selected: base, far: base / 10, unionFactor: 2 }, pooled: { recall: base, relError: base, scoreError: base, quantError: base, wropeError: base },
    layers: [{ layer: 0, recall: base, relError: base, scoreError: base, quantError: base, wropeError: base }],
  });
  return { documents: ids.map((id) => ({ id, tokens: 100 })), context: 90, scored: 10, window: 64, sinks: 8, distance: 2048,
    cells: [cell('full', 1, 0), cell('a2ats', 0.03, 0.5)], seconds: { prefill: 1, decode: 2 } };
}

describe('mergeDecodeResults', () => {
  it('concatenates per-document values and weights pooled ones by documents', () => {
    const a = part(['d0', 'd1', 'd2'], 1), b = part(['d3'], 5);
    const m = mergeDecodeResults([a, b]);
    expect(m.documents.map((d) => d.id)).toEqual(['d0', 'd1', 'd2', 'd3']);
    expect(m.cells[1].nll).toEqual([...a.cells[1].nll, ...b.cells[1].nll]);
    expect(m.cells[1].realized.selected).toBeCloseTo((3 * 1 + 1 * 5) / 4, 12);
    expect(m.cells[1].layers[0]).toEqual({ layer: 0, recall: 2, relError: 2, scoreError: 2, quantError: 2, wropeError: 2 });
    expect(m.seconds).toEqual({ prefill: 2, decode: 4 });
    // The interval over documents is the one of a run over all four: ΔNLL is 0.5 on every document.
    expect(decodeRows(m)[1].deltaNll.estimate).toBeCloseTo(0.5, 12);
    expect(decodeRows(m)[1].deltaNll.units).toBe(4);
  });

  it('refuses overlapping documents and runs with other settings', () => {
    expect(() => mergeDecodeResults([part(['d0'], 1), part(['d0'], 2)])).toThrow(/disjoint/);
    expect(() => mergeDecodeResults([part(['d0'], 1), { ...part(['d1'], 2), scored: 11 }])).toThrow(/scored/);
    expect(() => mergeDecodeResults([part(['d0'], 1), { ...part(['d1'], 2), cells: part(['d1'], 2).cells.slice(0, 1) }])).toThrow(SparseInferenceError);
    expect(() => mergeDecodeResults([])).toThrow(/non-empty/);
  });
});
