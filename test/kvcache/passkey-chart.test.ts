/**
 * passkeyChart: a method that finds every key is drawn inside the plot, not on its top border,
 * and a method that finds none sits on the zero line.
 */
import { expect, it } from 'vitest';
import { passkeyChart } from '../../src/kvcache/eval/decode-report.js';
import type { PasskeyTrial } from '../../src/kvcache/eval/passkey-eval.js';

const trial = (method: PasskeyTrial['method'], targetTokens: number, correct: boolean): PasskeyTrial => ({
  method, targetTokens, promptTokens: targetTokens, depth: 0.5, key: '12345', answer: correct ? '12345' : 'the pass key', correct, farFraction: 0.05,
});

it('100% accuracy lies below the frame\'s top edge and 0% on the x axis', () => {
  const trials = [2048, 4096].flatMap((n) => [trial('a2ats', n, true), trial('a2ats', n, true), trial('full', n, false), trial('full', n, false)]);
  const svg = passkeyChart(trials);
  const area = /class="plot-area" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/.exec(svg);
  expect(area).not.toBeNull();
  const top = Number(area![1]), bottom = top + Number(area![2]);
  const markers = [...svg.matchAll(/<g class="markers">(.*?)<\/g>/g)].map((m) => m[1]).join('');
  const ys = [...markers.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
  expect(ys.length).toBe(4);
  const [perfect, none] = [Math.min(...ys), Math.max(...ys)];
  expect(perfect).toBeGreaterThan(top + 5);
  expect(none).toBeCloseTo(bottom, 5);
});
