import { describe, expect, it } from 'vitest';
import { selectDocuments } from '../../src/kvcache/eval/select-documents.js';
import { mergeDecodeResults } from '../../src/kvcache/eval/merge-decode.js';
import type { DecodeCell, DecodeEvalResult } from '../../src/kvcache/eval/decode-eval.js';
import { SparseInferenceError } from '../../src/core/errors.js';

/** Four documents whose per-document values differ, with the pooled far fraction their mean. */
function result(): DecodeEvalResult {
  const ids = ['a', 'b', 'c', 'd'];
  const cell = (method: 'full' | 'a2ats', offset: number): DecodeCell => {
    const farFraction = [0.01, 0.02, 0.03, 0.06].map((x) => x + offset);
    const far = farFraction.reduce((s, x) => s + x, 0) / 4;
    return {
      method, budget: method === 'full' ? 1 : 0.03, mode: 'perHead', ties: 'oldest', nll: [1, 2, 3, 4].map((x) => x + offset),
      recall: [0.5, 0.6, 0.7, 0.8], relError: [0.1, 0.2, 0.3, 0.4], farFraction,
      realized: { selected: far + 0.1, far, unionFactor: 2 }, pooled: { recall: 0.65, relError: 0.25, scoreError: 1, quantError: 0.1, wropeError: 1 }, layers: [],
    };
  };
  return { documents: ids.map((id) => ({ id, tokens: 100 })), context: 90, scored: 10, window: 64, sinks: 8, distance: 2048,
    cells: [cell('full', 0), cell('a2ats', 0.5)], seconds: { prefill: 1, decode: 1 } };
}

describe('selectDocuments', () => {
  it('cuts every per-document array to the ids, in their order, and recomputes the far fraction', () => {
    const r = selectDocuments(result(), ['d', 'b']);
    expect(r.documents.map((d) => d.id)).toEqual(['d', 'b']);
    expect(r.cells[1].nll).toEqual([4.5, 2.5]);
    expect(r.cells[1].recall).toEqual([0.8, 0.6]);
    expect(r.cells[1].realized.far).toBeCloseTo((0.56 + 0.52) / 2, 12);
    // The attended fraction keeps its sink + window part (0.1 here).
    expect(r.cells[1].realized.selected).toBeCloseTo(r.cells[1].realized.far + 0.1, 12);
  });

  it('splitting into two halves and merging them back gives the per-document values of the whole run', () => {
    const whole = result();
    const merged = mergeDecodeResults([selectDocuments(whole, ['a', 'b']), selectDocuments(whole, ['c', 'd'])]);
    for (const [i, c] of merged.cells.entries()) {
      expect(c.nll).toEqual(whole.cells[i].nll);
      expect(c.farFraction).toEqual(whole.cells[i].farFraction);
      expect(c.realized.far).toBeCloseTo(whole.cells[i].realized.far, 12);
      expect(c.realized.selected).toBeCloseTo(whole.cells[i].realized.selected, 12);
    }
  });

  it('refuses unknown, repeated or no ids', () => {
    expect(() => selectDocuments(result(), ['a', 'z'])).toThrow(/document 'z' is not in the run/);
    expect(() => selectDocuments(result(), ['a', 'a'])).toThrow(/repeat/);
    expect(() => selectDocuments(result(), [])).toThrow(SparseInferenceError);
  });
});
