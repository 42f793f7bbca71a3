/**
 * The one error type the library throws for anything a caller can get wrong:
 * bad arguments, corrupt files, unavailable backends, cancelled work.
 *
 * `code` is stable and machine-readable; `message` names the offending argument.
 *
 * @example
 * try { kernels.dot(a, b, 5) } catch (e) {
 *   if (e instanceof SparseInferenceError && e.code === 'BAD_ARGUMENT') ...
 * }
 */
export type ErrorCode =
  | 'BAD_ARGUMENT'     // wrong type, length, range, NaN/Infinity
  | 'BAD_FILE'         // truncated/corrupt checkpoint, tokenizer, codebook, CSV
  | 'NOT_CONVERGED'    // numerical procedure failed (e.g. Cholesky even after jitter)
  | 'UNAVAILABLE'      // backend or runtime feature missing
  | 'ABORTED';         // cancelled through an AbortSignal

export class SparseInferenceError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SparseInferenceError';
    this.code = code;
  }
}

/** Shorthand for the most common case: a bad argument. */
export function badArgument(message: string): SparseInferenceError {
  return new SparseInferenceError('BAD_ARGUMENT', message);
}

/** Throws ABORTED when the signal has fired; call it between units of long work. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'operation'): void {
  if (signal?.aborted) {
    throw new SparseInferenceError('ABORTED', `${what} was aborted`, { cause: signal.reason });
  }
}
