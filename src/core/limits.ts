/**
 * Upper limits for size-like arguments. Without them a typo such as 2**31 layers runs for
 * minutes and tens of gigabytes before anything fails; with them it is a BAD_ARGUMENT naming the
 * argument and the limit. The limits are far above any model this library targets (SmolLM2-135M:
 * 30 layers, 1536 hidden channels) and below what a 32-bit typed-array index or a few GiB allow.
 */
import { badArgument } from './errors.js';
import { checkInt } from './validate.js';

/** Layers of a transformer. */
export const MAX_LAYERS = 4096;
/** Channels of one vector (model width, FFN hidden size, head size, vocabulary). */
export const MAX_CHANNELS = 2 ** 24;
/** Elements of one array the library allocates on the caller's behalf (1 GiB of float32). */
export const MAX_ELEMENTS = 2 ** 28;

/** An integer size in [min, max], named in the error. */
export function checkSize(name: string, v: unknown, min: number, max: number): number {
  return checkInt(name, v, min, max);
}

/** The product of sizes must stay under MAX_ELEMENTS (names the expression and the limit). */
export function checkElements(expression: string, ...sizes: number[]): number {
  const total = sizes.reduce((a, b) => a * b, 1);
  if (total > MAX_ELEMENTS) {
    throw badArgument(`${expression} = ${total} elements exceeds the limit of ${MAX_ELEMENTS}`);
  }
  return total;
}
