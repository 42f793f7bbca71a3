/**
 * `sparse-inference/llama`: a Llama runtime on the Kernels interface (llama2.c, Hugging Face
 * safetensors checkpoints; `loadModel(bytes)` detects which), used to run the KV-cache and activation-sparsity methods on real models.
 * Reading files from disk is in `sparse-inference/node`.
 */
export { LlamaModel, type WeightFiller, type PrefillOptions, type KvType, type ModelNumerics } from './model.js';
export { ACTIVATION_KINDS, type ActivationKind, type ActivationCapture } from './activation-capture.js';
export { makeConfig, parameterCount, type LlamaConfig, type LlamaShape } from './config.js';
export type {
  KvCache, Ffn, Projection, ModelComponents, ModelShape, ModelWeights, ComponentStats, ComponentTraits,
  ProjectionWhich, LayerMatrixName,
} from './components.js';
export { DenseKvCache, type LayerKvCache, type DenseKvCacheOptions, type DenseLayerStorage, type HostLayerStorage16 } from './dense-kv-cache.js';
export { DenseFfn } from './dense-ffn.js';
export { loadModel, type LoadModelOptions } from './load-model.js';
export {
  detectCheckpointFormat, registerCheckpointLoader, checkpointLoader, DETECT_BYTES,
  type CheckpointFormat, type CheckpointLoader, type CheckpointLoadOptions,
} from './detect-format.js';
export { loadLlama2c, parseLlama2cHeader, type LoadOptions, type Llama2cHeader } from './load-llama2c.js';
export { loadSafetensors, type SafetensorsInput, type SafetensorsLoadOptions } from './load-safetensors.js';
export { parseSafetensors, SAFETENSORS_DTYPES, type SafetensorsFile, type SafetensorsTensor } from './safetensors.js';
export { writeSafetensors, type TensorToWrite } from './write-safetensors.js';
export { parseHfConfig, toHfConfig, type HfConfigOptions } from './hf-config.js';
export { hfTensorName } from './hf-tensor-names.js';
export { toHfCheckpoint, permuteForHalfRope, type ToHfOptions } from './convert-to-hf.js';
export { bf16ToF32, f32ToBf16, f16ToF32, f32ToF16 } from './float-formats.js';
export { Tokenizer, loadTokenizer, BOS, EOS, type EncodeOptions, type LoadTokenizerOptions } from './tokenizer.js';
export { type TextTokenizer, type TokenizeOptions } from './text-tokenizer.js';
export type { BpeTokenizer, BpeEncodeOptions } from './bpe/bpe-tokenizer.js';
export { bpeTokenizerFromGguf, type GgufMetadataLike, type BpeFromGgufOptions } from './bpe/from-gguf.js';
export { PRE_TOKENIZERS, type PreTokenizerName } from './bpe/pre-tokenizers.js';
export { formatChat, chatOptionsFromTemplate, type ChatMessage, type ChatFormatOptions } from './chat-template.js';
export { Sampler, argmax, type SamplerOptions } from './sampler.js';
export { generate, type GenerateOptions, type GenerateResult } from './generate.js';
export { evaluateNll, tokenNll, type EvaluateOptions, type EvaluateResult } from './evaluate-nll.js';
export { sequenceNll, type SequenceNll } from './sequence-nll.js';
export { splitStories, STORY_SEPARATOR } from './split-stories.js';
export { randomLlama, type RandomLlamaOptions } from './random-llama.js';
export { WeightLayout, LAYER_TENSORS, type TensorSlot, type LayerTensorName, type LayerWeights } from './weight-layout.js';
export {
  parseGguf, parseGgufPrefix, ggufLlamaConfig, GGML_TYPES, GGML_TYPE, ggmlByteSize, dequantizeInto, DEQUANTIZABLE,
  loadGguf, bytesSource, isGgufSource, ggufTensorName, type GgufLoadOptions, type GgufSource,
  type GgufFile, type GgufTensorInfo, type GgufValue, type GgmlTypeInfo, type SupportedGgmlType, type DequantizableType,
} from './gguf/index.js';
export * from './eval/index.js';
