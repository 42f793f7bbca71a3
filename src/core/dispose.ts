/**
 * One clean-up name: every object of this library that holds resources (WASM memory, GPU
 * buffers, worker threads, weights it rewrote) releases them with `dispose()`, and also answers
 * to `Symbol.dispose` (or `Symbol.asyncDispose` when releasing is asynchronous), so that
 * `using x = ...` / `await using x = ...` release it at the end of the block.
 *
 * Runtimes without the two well-known symbols (older browsers, some Node 20 builds) get them
 * here, on first import, as registered symbols (`Symbol.for`), so that two copies of the library
 * in one page agree on them. A runtime that has them keeps its own.
 *
 * @example
 * import { createKernels } from 'sparse-inference';
 * const kernels = await createKernels({ backend: 'wasm' });
 * {
 *   using weights = kernels.resident(Float32Array, 1024);  // WASM memory, released at the brace
 *   weights.view().fill(1);
 * }
 */
/**
 * Defines `dispose` and `asyncDispose` on a Symbol constructor that lacks them (as the registered
 * symbols 'Symbol.dispose' / 'Symbol.asyncDispose'); keeps those it has. Runs once on the global
 * `Symbol` when this module loads; takes the constructor as an argument so tests can check it.
 */
export function ensureDisposeSymbols(symbolConstructor: object = Symbol): void {
  const own = symbolConstructor as { dispose?: unknown; asyncDispose?: unknown };
  if (typeof own.dispose !== 'symbol') {
    Object.defineProperty(symbolConstructor, 'dispose', { value: Symbol.for('Symbol.dispose') });
  }
  if (typeof own.asyncDispose !== 'symbol') {
    Object.defineProperty(symbolConstructor, 'asyncDispose', { value: Symbol.for('Symbol.asyncDispose') });
  }
}
ensureDisposeSymbols();

/** `Symbol.dispose`, guaranteed present once this module has loaded. */
export const disposeSymbol: typeof Symbol.dispose = Symbol.dispose;
/** `Symbol.asyncDispose`, guaranteed present once this module has loaded. */
export const asyncDisposeSymbol: typeof Symbol.asyncDispose = Symbol.asyncDispose;

/** An object that releases what it holds with `dispose()` (synchronously). */
export interface SyncDisposable {
  /** Release the resources; calling it again does nothing. The object must not be used afterwards. */
  dispose(): void;
  [Symbol.dispose](): void;
}

/** An object whose `dispose()` finishes asynchronously (workers, GPU queues). */
export interface AsyncDisposable {
  /** Release the resources; calling it again does nothing. The object must not be used afterwards. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Adds `[Symbol.dispose]` (calling `dispose`) to a plain object that has `dispose()`, and
 * returns it: for objects built as literals rather than classes.
 */
export function withDispose<T extends { dispose(): void }>(object: T): NoInfer<T> & { [Symbol.dispose](): void } {
  Object.defineProperty(object, disposeSymbol, { value: () => object.dispose(), enumerable: false });
  return object as T & { [Symbol.dispose](): void };
}
