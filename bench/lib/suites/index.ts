/**
 * The registry of shipped benchmark suites, so `sparse-inference bench <suite>` works from the
 * installed package. A family adds one import and one entry; suite names are the CLI words.
 */
import type { Suite } from '../harness.js';
import { kernelsSuite } from './kernels.js';
import { llamaSuite } from './llama.js';
import { llamaRuncSuite } from './llama-runc.js';
import { llamaGgufSuite } from './llama-gguf.js';
import { llamaGgufKernelsSuite } from './llama-gguf-kernels.js';
import { webgpuSuite } from './webgpu.js';
import { activationsSuite } from './activations.js';
import { knotsSuite } from './knots.js';
import { kvcacheSuite } from './kvcache.js';
import { parallelSuite } from './parallel.js';
import { peersSuite } from './peers.js';
import { tokenizersSuite } from './tokenizers.js';

export const suites: Record<string, Suite> = {
  kernels: kernelsSuite,
  llama: llamaSuite,
  'llama-runc': llamaRuncSuite,
  'llama-gguf': llamaGgufSuite,
  'llama-gguf-kernels': llamaGgufKernelsSuite,
  webgpu: webgpuSuite,
  activations: activationsSuite,
  knots: knotsSuite,
  kvcache: kvcacheSuite,
  parallel: parallelSuite,
  peers: peersSuite,
  tokenizers: tokenizersSuite,
};
