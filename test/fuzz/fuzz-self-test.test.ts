/**
 * The fuzz driver's self-test: on a module with one export per outcome class
 * (fixtures/misbehaving.ts) it must report each class, so that the public-API suite's "no
 * export worse than clean" can fail — a TypeError, NaN, bad input accepted, a blocked event
 * loop, an unsettled promise and a WebAssembly trap are each seen as such.
 */
import { expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { fuzzExports } from './fuzz-driver.js';
import { worstByExport } from './summarize.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

it('classifies clean errors, documented results, accepted input, other errors, NaN, traps and hangs', async () => {
  const run = await fuzzExports({
    root: FIXTURES, entryPoints: ['misbehaving.ts'], callsPerExport: 2, anyCallsPerExport: 2, leftOut: {}, callLimitMs: 2000, seed: 1,
  });
  const worst = worstByExport(run.results, { documentedNaN: 'returns NaN by definition' });
  const outcomes = Object.fromEntries([...worst].map(([name, r]) => [name, r.outcome]));
  expect(outcomes).toEqual({
    cleanError: 'clean', documentedNaN: 'documented', accepts: 'accepted', typeError: 'other', nanResult: 'nan',
    traps: 'trap', blocks: 'hang', neverSettles: 'hang',
  });
  expect(run.exports.find((e) => e.name === 'A_CONSTANT')?.kind).toBe('value');
  // After a hang an export gets no more calls (each hang costs a restart of the child).
  expect(run.results.filter((r) => r.name === 'blocks')).toHaveLength(1);
}, 60_000);
