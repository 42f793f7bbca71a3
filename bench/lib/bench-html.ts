/**
 * A benchmark suite result (src/bench/harness.ts) as report HTML: the task table, the
 * same-run ratios against their targets, and a bar chart of the ratios that are speed-ups.
 */
import type { SuiteResult } from './harness.js';
import { htmlTable } from '../../src/plot/html-table.js';
import { barChart } from '../../src/plot/bar-chart.js';
import { escapeXml } from '../../src/plot/svg.js';

/**
 * @example section.html += benchmarkHtml(await suites.kernels({ quick: true }));
 */
export function benchmarkHtml(result: SuiteResult): string {
  const tasks = htmlTable(
    ['Task', 'Median ms', 'p25 ms', 'p75 ms', 'Samples', 'GB/s', 'GFLOP/s', 'Note'],
    result.tasks.map((t) => [t.name, t.medianMs, t.p25Ms, t.p75Ms, t.samples, t.gbPerS ?? '', t.gflopPerS ?? '', t.note ?? '']),
    { digits: 3 },
  );
  let html = `<p>Suite <code>${escapeXml(result.suite)}</code> on ${escapeXml(result.runtime.name)} ${escapeXml(result.runtime.version)}` +
    `${result.quick ? ' — quick run: smaller shapes and fewer samples, not comparable with full runs' : ''}. ` +
    'Times are per call (median and interquartile range over interleaved rounds); the machine may be shared, ' +
    'so compare the ratios, which are measured in the same run.</p>\n' + tasks;
  if (result.ratios.length > 0) {
    html += '\n' + htmlTable(
      ['Ratio (same run)', 'Value', 'Unit', 'Target', 'Met', 'Note'],
      result.ratios.map((r) => [r.name, r.value, r.unit ?? '', r.target ?? '', r.pass === undefined ? '' : r.pass ? 'yes' : 'NO', r.note ?? '']),
      { digits: 3 },
    );
    const speedups = result.ratios.filter((r) => r.unit === 'x' && Number.isFinite(r.value));
    if (speedups.length > 0) {
      // Ratio names share their comparison ("…: wasm vs reference"): say it once, in the title.
      const shared = sharedComparison(speedups.map((r) => r.name));
      html += '\n<figure>' + barChart({
        title: `${result.suite}: speed-ups measured in the same run${shared ? ` (${shared.replace(/^[\s:]+/, '')})` : ''}`,
        yLabel: 'speed-up (x)',
        bars: speedups.map((r) => ({
          label: shared ? r.name.replace(shared, '') : r.name, value: r.value, color: r.pass === false ? '#D55E00' : undefined,
        })),
      }) + `<figcaption>${escapeXml(caption(speedups))}</figcaption></figure>`;
    }
  }
  if (result.notes.length > 0) html += '\n<ul>' + result.notes.map((n) => `<li>${escapeXml(n)}</li>`).join('') + '</ul>';
  return html;
}

function caption(ratios: SuiteResult['ratios']): string {
  const targeted = ratios.filter((r) => r.pass !== undefined);
  if (targeted.length === 0) return 'No targets set for these ratios.';
  const missed = targeted.filter((r) => r.pass === false).length;
  if (missed === 0) {
    return targeted.length === 1 ? 'The targeted speed-up meets its target.' : `All ${targeted.length} targeted speed-ups meet their targets.`;
  }
  return `${missed} of ${targeted.length} targeted speed-ups miss their targets (vermillion bars).`;
}

/** The comparison every name shares, e.g. ': wasm vs reference' ('' when they differ). */
function sharedComparison(names: string[]): string {
  const found = names.map((n) => /:\s*\S+ vs \S+/.exec(n)?.[0]);
  return found.length > 1 && found.every((f) => f !== undefined && f === found[0]) ? found[0]! : '';
}
