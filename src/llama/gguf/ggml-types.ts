/**
 * The ggml tensor types a GGUF file can hold, with their block geometry: a row of `n` elements is
 * stored as n / blockSize blocks of `blockBytes` bytes each (block size 1 for plain floats).
 * Numbering and sizes follow ggml.h / ggml-common.h (github.com/ggml-org/ggml).
 */
import { badArgument } from '../../core/errors.js';
import { checkInt, describe } from '../../core/validate.js';

export interface GgmlTypeInfo {
  /** ggml's name, e.g. 'Q4_1'. */
  name: string;
  /** Elements per block. */
  blockSize: number;
  /** Bytes per block. */
  blockBytes: number;
  /** Whether this library can dequantize (and multiply by) tensors of this type. */
  supported: boolean;
}

const t = (name: string, blockSize: number, blockBytes: number, supported = false): GgmlTypeInfo =>
  ({ name, blockSize, blockBytes, supported });

/** ggml type id → geometry. Ids 4 and 5 (old Q4_2/Q4_3) were removed from ggml. */
export const GGML_TYPES: ReadonlyMap<number, GgmlTypeInfo> = new Map([
  [0, t('F32', 1, 4, true)],
  [1, t('F16', 1, 2, true)],
  [2, t('Q4_0', 32, 18, true)],   // f16 d, 16 bytes of nibbles: x = d·(q − 8)
  [3, t('Q4_1', 32, 20, true)],   // f16 d, f16 m, 16 bytes of nibbles: x = d·q + m
  [6, t('Q5_0', 32, 22)],
  [7, t('Q5_1', 32, 24)],
  [8, t('Q8_0', 32, 34, true)],   // f16 d, 32 int8: x = d·q
  [9, t('Q8_1', 32, 36)],
  [10, t('Q2_K', 256, 84)],
  [11, t('Q3_K', 256, 110)],
  [12, t('Q4_K', 256, 144)],
  [13, t('Q5_K', 256, 176)],
  [14, t('Q6_K', 256, 210)],
  [15, t('Q8_K', 256, 292)],
  [16, t('IQ2_XXS', 256, 66)],
  [17, t('IQ2_XS', 256, 74)],
  [18, t('IQ3_XXS', 256, 98)],
  [19, t('IQ1_S', 256, 50)],
  [20, t('IQ4_NL', 32, 18)],
  [21, t('IQ3_S', 256, 110)],
  [22, t('IQ2_S', 256, 82)],
  [23, t('IQ4_XS', 256, 136)],
  [24, t('I8', 1, 1)],
  [25, t('I16', 1, 2)],
  [26, t('I32', 1, 4)],
  [27, t('I64', 1, 8)],
  [28, t('F64', 1, 8)],
  [29, t('IQ1_M', 256, 56)],
  [30, t('BF16', 1, 2, true)],
  [34, t('TQ1_0', 256, 54)],
  [35, t('TQ2_0', 256, 66)],
]);

/** The type ids this library reads, by name. */
export const GGML_TYPE = { F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q8_0: 8, BF16: 30 } as const;
export type SupportedGgmlType = keyof typeof GGML_TYPE;

/** Bytes taken by `elements` values of a type (elements must be a multiple of its block size). */
export function ggmlByteSize(info: GgmlTypeInfo, elements: number): number {
  if (info === null || typeof info !== 'object') throw badArgument(`info must be a GgmlTypeInfo (from GGML_TYPES), got ${describe(info)}`);
  checkInt('info.blockSize', info.blockSize, 1);
  checkInt('info.blockBytes', info.blockBytes, 1);
  checkInt('elements', elements, 0);
  if (elements % info.blockSize !== 0) throw badArgument(`elements must be a multiple of the ${info.name} block size ${info.blockSize}, got ${elements}`);
  return (elements / info.blockSize) * info.blockBytes;
}
