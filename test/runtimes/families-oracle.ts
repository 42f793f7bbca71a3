// The source tree's answers to fixtures/families.mjs: what every installed runtime must return.
// @ts-expect-error plain-JS fixture shared with the other runtimes
import { families } from './fixtures/families.mjs';
import * as root from '../../src/index.js';
import * as kvcache from '../../src/kvcache/index.js';
import * as activations from '../../src/activations/index.js';
import * as knots from '../../src/knots/index.js';
import * as llama from '../../src/llama/index.js';
import * as plot from '../../src/plot/index.js';

/** families() on the source tree, passed through JSON as a child process's output would be. */
export async function familiesFromSource(): Promise<unknown> {
  const result = await families({ '.': root, './kvcache': kvcache, './activations': activations, './knots': knots, './llama': llama, './plot': plot });
  return JSON.parse(JSON.stringify(result));
}
