/**
 * Thresholds files: exact round trips (CATS as one number, CHESS with an ∞ channel, TEAL with
 * per-projection inputs), node save/load, and corrupt or inconsistent files failing with
 * BAD_FILE messages that name the field.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SparseInferenceError } from '../../src/core/errors.js';
import { parseThresholds, serializeThresholds, validateThresholds } from '../../src/activations/thresholds-file.js';
import { loadThresholds, saveThresholds } from '../../src/activations/thresholds-node.js';
import type { ActivationThresholds } from '../../src/activations/thresholds.js';
import { expectBadArgument } from '../_harness/bad-input.js';

const meta = { model: 'stories260K.bin', sparsity: 0.5, tokens: 4096, quantile: 'exact' as const, nLayers: 2, dim: 4, hiddenDim: 3 };
const chess: ActivationThresholds = {
  metadata: { ...meta, method: 'chess-sq' },
  layers: [
    { aGate: Float64Array.of(0.1, 0.25, Infinity), inputs: { q: 0.5, o: 0.125 } },
    { aGate: Float64Array.of(1 / 3, 2e-7, 12.5), inputs: { q: 0.75, o: 0.3 } },
  ],
};
const cats: ActivationThresholds = {
  metadata: { ...meta, method: 'cats' },
  layers: [{ aGate: new Float64Array(3).fill(0.2) }, { aGate: new Float64Array(3).fill(0.1 + 0.2) }],
};
const teal: ActivationThresholds = {
  metadata: { ...meta, method: 'teal', greedy: true, quantile: 'sketch' },
  layers: [0, 1].map((l) => ({ inputs: { q: 0.1 + l, k: 0.2, v: 0.3, o: 0.4, gate: 0.5, up: 0.6, down: 0.7 } })),
};

function expectBadFile(text: string, fragment: string): void {
  try {
    parseThresholds(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SparseInferenceError);
    expect((e as SparseInferenceError).code).toBe('BAD_FILE');
    expect((e as Error).message).toContain(fragment);
    return;
  }
  throw new Error(`expected BAD_FILE mentioning ${fragment}`);
}

describe('thresholds file', () => {
  it('round-trips exactly (doubles, ∞ channels, scalars, metadata)', () => {
    for (const th of [chess, cats, teal]) expect(parseThresholds(serializeThresholds(th))).toEqual(th);
    expect(JSON.parse(serializeThresholds(cats)).layers[1].aGate).toBe(0.1 + 0.2); // one number for CATS
    expect(JSON.parse(serializeThresholds(chess)).layers[0].aGate[2]).toBe(null);     // ∞ as null
  });

  it('saves and loads through the file system', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'thresholds-'));
    try {
      const path = join(dir, 'th.json');
      await saveThresholds(path, chess);
      expect(await loadThresholds(path)).toEqual(chess);
      await expect(loadThresholds(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'BAD_FILE' });
      await writeFile(join(dir, 'bad.json'), '{"format":');
      await expect(loadThresholds(join(dir, 'bad.json'))).rejects.toThrow(/not valid JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects corrupt and inconsistent files naming the field', () => {
    const good = JSON.parse(serializeThresholds(chess));
    const mutate = (f: (j: any) => void) => { const j = structuredClone(good); f(j); return JSON.stringify(j); }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expectBadFile('not json', 'not valid JSON');
    expectBadFile('[]', 'top level');
    expectBadFile(mutate((j) => { j.format = 'other'; }), 'format');
    expectBadFile(mutate((j) => { j.version = 2; }), 'version');
    expectBadFile(mutate((j) => { delete j.metadata.model; }), 'metadata.model');
    expectBadFile(mutate((j) => { j.metadata.method = 'relu'; }), 'metadata.method');
    expectBadFile(mutate((j) => { j.metadata.sparsity = 1; }), 'metadata.sparsity');
    expectBadFile(mutate((j) => { j.metadata.sparsity = '0.5'; }), 'metadata.sparsity');
    expectBadFile(mutate((j) => { j.metadata.tokens = 1.5; }), 'metadata.tokens');
    expectBadFile(mutate((j) => { j.metadata.hiddenDim = 4; }), 'channels');
    expectBadFile(mutate((j) => { j.metadata.nLayers = 3; }), 'nLayers');
    expectBadFile(mutate((j) => { j.layers[1].aGate[0] = -1; }), 'layers[1].aGate[0]');
    expectBadFile(mutate((j) => { j.layers[1].aGate[0] = 'x'; }), 'layers[1].aGate[0]');
    expectBadFile(mutate((j) => { j.layers[1].aGate = {}; }), 'layers[1].aGate');
    expectBadFile(mutate((j) => { delete j.layers[0].aGate; }), 'layers[0].aGate is required');
    expectBadFile(mutate((j) => { j.layers[0].inputs.q = null; }), 'layers[0].inputs.q');
    expectBadFile(mutate((j) => { j.layers[0].inputs.w = 1; }), 'inputs key');
    expectBadFile(mutate((j) => { j.metadata.greedy = 'yes'; }), 'greedy');
    const t = JSON.parse(serializeThresholds(teal));
    delete t.layers[1].inputs.down;
    expectBadFile(JSON.stringify(t), 'layers[1].inputs.down is required');
  });

  it('refuses to serialize an invalid threshold set (BAD_ARGUMENT)', () => {
    expectBadArgument(() => serializeThresholds({ ...chess, layers: [chess.layers[0]] }), 'thresholds');
    expectBadArgument(() => validateThresholds({ ...cats, layers: [{ aGate: Float64Array.of(0.1, NaN, 0) }, cats.layers[1]] }), 'thresholds');
  });
});
