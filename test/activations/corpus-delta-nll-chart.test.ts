import { describe, expect, it } from 'vitest';
import { corpusDeltaNllChart } from '../../src/activations/plots.js';
import type { CorpusEvalResult } from '../../src/activations/evaluate-corpus.js';
import { SparseInferenceError } from '../../src/core/errors.js';

/** A corpus result over `docs` holding one row per (method, k, ΔNLL). */
function result(docs: string[], rows: [string, number, number][]): CorpusEvalResult {
  const iv = (x: number) => ({ estimate: x, lower: x - 0.1, upper: x + 0.1, level: 0.95, units: docs.length, excludesZero: x > 0.1 });
  return {
    documents: docs, documentTokens: docs.map(() => 32), calibrationTokens: 512, seeds: [0],
    dense: { meanNll: 4, perplexity: Math.exp(4), perDocumentNll: docs.map(() => 4), seconds: 1 },
    rows: rows.map(([method, k, d]) => ({ method, k, deltaNll: iv(d), pplRatio: iv(Math.exp(d)) })) as never,
    comparisons: [],
  };
}

describe('corpusDeltaNllChart', () => {
  it('draws each (method, k) once, from the first run that holds it', () => {
    const sweep = result(['a', 'b'], [['CATS', 0.3, 0.1], ['CATS', 0.5, 0.3]]);
    const greedy = result(['a', 'b'], [['CATS', 0.5, 7], ['TEAL greedy', 0.5, 0.3]]);
    const svg = corpusDeltaNllChart([sweep, greedy]);
    expect(svg).toBe(corpusDeltaNllChart([sweep, result(['a', 'b'], [['TEAL greedy', 0.5, 0.3]])]));
    expect(svg).not.toBe(corpusDeltaNllChart([greedy, sweep]));
    expect(svg).toContain('TEAL greedy 95% CI');
  });

  it('refuses runs over other documents and an empty list', () => {
    expect(() => corpusDeltaNllChart([result(['a', 'b'], []), result(['a', 'c'], [])])).toThrow(/runs\[1\] covers other documents/);
    expect(() => corpusDeltaNllChart([])).toThrow(SparseInferenceError);
  });
});
