/** Messages between the fuzz driver (parent) and call-child.ts, and the outcome classes. */

/** The public entry points: the root barrel and every subpath of package.json "exports". */
export const ENTRY_POINTS = [
  'index.ts', 'kvcache/index.ts', 'activations/index.ts', 'knots/index.ts', 'llama/index.ts', 'plot/index.ts', 'node/index.ts',
] as const;

/**
 * What a call with bad input did, from best to worst: a SparseInferenceError; a documented
 * result (see DOCUMENTED in the suite); the input accepted without complaint; any other error
 * (TypeError, RangeError, ...); NaN in the result; a WebAssembly trap; a hang (blocked, an
 * unsettled promise, or memory over the watchdog's limit).
 */
export type Outcome = 'clean' | 'documented' | 'accepted' | 'other' | 'nan' | 'trap' | 'hang';
export const OUTCOMES: readonly Outcome[] = ['clean', 'documented', 'accepted', 'other', 'nan', 'trap', 'hang'];

export interface ExportInfo { name: string; kind: 'function' | 'class' | 'value'; arity: number }
/**
 * How a call's arguments are drawn: 'invalid-first' puts a value no export accepts first (so a
 * normal return is bad input accepted); 'any' draws every argument from the hostile set, which
 * may happen to be valid (a normal return is fine; an error must still be clean, never NaN).
 */
export type CallMode = 'invalid-first' | 'any';
export interface CallRequest { name: string; kind: 'function' | 'class'; arity: number; seed: number; mode: CallMode }
export interface CallResult extends CallRequest { args: string[]; outcome: Outcome; detail: string }
