/**
 * Write the SmolLM2 plots that docs/kvcache.md and docs/activations.md open with, from the
 * committed result JSON (the same function the demo report draws them with):
 *
 *   npx tsx scripts/smollm2-plots.mts
 *
 * → docs/kvcache/smollm2-delta-nll.svg, docs/activations/smollm2-delta-nll.svg
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { smollm2Plots } from '../src/report/sections/smollm2-plots.js';

const plots = await smollm2Plots((rel) => resolve(rel));
if (!plots.kvcache || !plots.activations) throw new Error('the committed SmolLM2 results are missing (run from the repository root)');
writeFileSync('docs/kvcache/smollm2-delta-nll.svg', plots.kvcache);
writeFileSync('docs/activations/smollm2-delta-nll.svg', plots.activations);
console.log(`kvcache from ${plots.sources.kvcache.join(', ')}\nactivations from ${plots.sources.activations.join(', ')}`);
