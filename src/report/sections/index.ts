/**
 * The report sections the `demo` command runs, in page order, keyed by anchor id: the
 * algorithms first, the runtime and backend tables last.
 * A family adds src/report/sections/<family>.ts exporting `<family>Section` and one
 * import plus one entry here.
 */
import type { SectionBuilder } from '../section.js';
import { backendsSection } from './backends.js';
import { activationsSection } from './activations.js';
import { llamaSection } from './llama.js';
import { knotsSection } from './knots.js';
import { kvcacheSection } from './kvcache.js';
import { smollm2Section } from './smollm2.js';

export const reportSections: Readonly<Record<string, SectionBuilder>> = {
  llama: llamaSection,
  activations: activationsSection,
  knots: knotsSection,
  kvcache: kvcacheSection,
  smollm2: smollm2Section,
  // Reference tables for the curious: after the algorithms.
  backends: backendsSection,
};
