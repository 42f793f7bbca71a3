/** GGUF (llama.cpp's model file): container parser, ggml tensor types, Llama config. */
export { parseGguf, parseGgufPrefix, type GgufFile, type GgufTensorInfo, type GgufValue } from './parse-gguf.js';
export { GGML_TYPES, GGML_TYPE, ggmlByteSize, type GgmlTypeInfo, type SupportedGgmlType } from './ggml-types.js';
export { ggufLlamaConfig } from './gguf-config.js';
export { dequantizeInto, DEQUANTIZABLE, type DequantizableType } from './dequantize.js';
export { loadGguf, type GgufLoadOptions } from './load-gguf.js';
export { bytesSource, isGgufSource, type GgufSource } from './gguf-source.js';
export { ggufTensorName } from './gguf-tensor-names.js';
