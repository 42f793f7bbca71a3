/**
 * One session at a time per model. A LlamaModel holds a single KV cache and position, so two
 * generations (or a generation and an evaluation) interleaved on one model would overwrite each
 * other's cache: one silently lost tokens, the other failed on a position check. A second
 * session started while one runs is refused with a clear error instead; sequential sessions
 * each start from an empty cache. (For concurrent generations, load a second model.)
 */
import { SparseInferenceError } from '../core/errors.js';

const running = new WeakMap<object, string>();

/** Run `body` as the model's only session; throws BAD_ARGUMENT while another one runs. */
export async function exclusiveSession<T>(model: object, what: string, body: () => Promise<T>): Promise<T> {
  const other = running.get(model);
  if (other !== undefined) {
    throw new SparseInferenceError('BAD_ARGUMENT', `model is busy: ${what} cannot start while ${other} runs on it `
      + '(a model has one KV cache; await the first, or use a second model)');
  }
  running.set(model, what);
  try {
    return await body();
  } finally {
    running.delete(model);
  }
}
