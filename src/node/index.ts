/**
 * `sparse-inference/node`: helpers that read and write files, for Node and Deno. Everything else
 * in the library takes bytes and strings, so it runs unchanged in browsers.
 *
 * @example
 * import { loadModel, readTokenizer } from 'sparse-inference/node';
 * const model = await loadModel('stories260K.bin');   // llama2.c, safetensors (+ config.json) or a HF directory
 */
export { loadModel } from './load-model.js';
export { readLlamaModel, readTokenizer, type ReadModelOptions } from '../llama/node-files.js';
export { readGgufModel, openGgufFile, readGgufTokenizer } from './gguf-file.js';
export { saveThresholds, loadThresholds } from '../activations/thresholds-node.js';
export { readCorpus, type CorpusText } from './read-corpus.js';
export { writeReport } from '../report/write.js';
export { writeSvg } from '../plot/write-svg.js';
