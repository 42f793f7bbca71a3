/**
 * Re-render the tables and plots of saved `kvcache eval model --corpus --out DIR` and
 * `kvcache passkey --out DIR` runs from their JSON (same functions as the CLI), e.g. after the
 * report gained a table, without re-running hours of decoding.
 *
 *   npx tsx scripts/kvcache-decode-report.mts --decode DIR/decode.json [--passkey A/passkey.json,B/passkey.json] --out DIR
 *
 * Several --decode files (A/decode.json,B/decode.json: `--shard K/N` runs over disjoint documents)
 * are merged first (mergeDecodeResults) and the merged result is written to DIR/decode.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeDeltaPplChart, decodeReport, decodeRows, passkeyChart, passkeyMarkdown } from '../src/kvcache/eval/decode-report.js';
import type { DecodeEvalResult } from '../src/kvcache/eval/decode-eval.js';
import { mergeDecodeResults } from '../src/kvcache/eval/merge-decode.js';
import type { PasskeyTrial } from '../src/kvcache/eval/passkey-eval.js';

const { values } = parseArgs({ options: { decode: { type: 'string' }, passkey: { type: 'string' }, out: { type: 'string' }, title: { type: 'string' } } });
if (!values.out) throw new Error('--out DIR is required');
mkdirSync(values.out, { recursive: true });
if (values.decode) {
  const parts = values.decode.split(',').map((f) => {
    const { rows: _, ...part } = JSON.parse(readFileSync(f, 'utf8')) as DecodeEvalResult & { rows?: unknown };
    return part;
  });
  const res = parts.length === 1 ? parts[0] : mergeDecodeResults(parts);
  const rows = decodeRows(res);
  if (parts.length > 1) writeFileSync(`${values.out}/decode.json`, JSON.stringify({ ...res, rows }, null, 2));
  const title = values.title ?? `SmolLM2-135M-Instruct: ${res.documents.length} documents, context ${res.context}, last ${res.scored} tokens scored; w=${res.window}, sinks ${res.sinks}, b=${res.distance}`;
  writeFileSync(`${values.out}/decode.md`, decodeReport(res, rows, title));
  writeFileSync(`${values.out}/decode-delta-ppl.svg`, decodeDeltaPplChart(res, rows, `ΔPPL vs full attention (${res.documents.length} documents, 95% paired bootstrap)`));
}
if (values.passkey) {
  const trials = values.passkey.split(',').flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as PasskeyTrial[]);
  writeFileSync(`${values.out}/passkey.md`, passkeyMarkdown(trials));
  writeFileSync(`${values.out}/passkey.svg`, passkeyChart(trials, 'Passkey accuracy, ρ = 0.03 (95% bootstrap over tasks)'));
}
