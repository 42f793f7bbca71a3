import { describe, expect, it } from 'vitest';
import { decodeDeltaNllChart } from '../../src/kvcache/eval/decode-report.js';
import type { DecodeCell, DecodeEvalResult } from '../../src/kvcache/eval/decode-eval.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { selectDocuments } from '../../src/kvcache/eval/select-documents.js';

/** A run over `ids` with a full cell (NLL 2) and A²ATS cells whose NLL is 2 + delta on every document. */
function run(ids: string[], a2ats: { budget: number; delta: number }[]): DecodeEvalResult {
  const cell = (method: 'full' | 'a2ats', budget: number, nll: number): DecodeCell => ({
    method, budget, mode: 'perHead', ties: 'oldest', nll: ids.map(() => nll), recall: ids.map(() => 0.9), relError: ids.map(() => 0.1), farFraction: ids.map(() => budget),
    realized: { selected: budget * 3, far: budget * 2, unionFactor: 2 }, pooled: { recall: 0.9, relError: 0.1, scoreError: 1, quantError: 0.1, wropeError: 1 },
    layers: [],
  });
  return { documents: ids.map((id) => ({ id, tokens: 100 })), context: 90, scored: 10, window: 64, sinks: 8, distance: 2048,
    cells: [cell('full', 1, 2), ...a2ats.map((c) => cell('a2ats', c.budget, 2 + c.delta))], seconds: { prefill: 1, decode: 1 } };
}

describe('decodeDeltaNllChart', () => {
  const docs = ['d0', 'd1', 'd2'];
  it('draws each (method, ρ) once, from the first run that holds it', () => {
    const first = run(docs, [{ budget: 0.03, delta: 0.5 }]);
    const second = run([...docs].reverse(), [{ budget: 0.01, delta: 1 }, { budget: 0.03, delta: 9 }]);
    const withoutDuplicate = run([...docs].reverse(), [{ budget: 0.01, delta: 1 }]);
    const svg = decodeDeltaNllChart([first, second]);
    expect(svg).toBe(decodeDeltaNllChart([first, withoutDuplicate]));
    expect(svg).not.toBe(decodeDeltaNllChart([second, first]));
    expect(svg).toContain('a2ats 95% CI');
    expect(svg).toContain('full attention');
  });

  it('draws runs over different documents on the documents they share', () => {
    const a = run(docs, [{ budget: 0.03, delta: 0.5 }]);
    const half = run(['d1', 'x', 'd0'], [{ budget: 0.01, delta: 1 }]);
    expect(decodeDeltaNllChart([a, half])).toBe(decodeDeltaNllChart([selectDocuments(a, ['d0', 'd1']), selectDocuments(half, ['d0', 'd1'])]));
  });

  it('refuses runs sharing fewer than 2 documents, runs without full attention, and no runs', () => {
    const a = run(docs, [{ budget: 0.03, delta: 0.5 }]);
    expect(() => decodeDeltaNllChart([a, run(['d0', 'x', 'y'], [])])).toThrow(/share 1 document/);
    expect(() => decodeDeltaNllChart([{ ...a, cells: a.cells.slice(1) }])).toThrow(/runs\[0\] must be a decode result with a full-attention cell/);
    expect(() => decodeDeltaNllChart([])).toThrow(SparseInferenceError);
  });
});
