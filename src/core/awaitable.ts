/**
 * A value now or later: what a kernel or component returns when CPU backends answer at once and
 * the GPU answers with a Promise. Callers simply `await` it (a microtask when it is a value).
 *
 * @example
 * async function run(f: () => Awaitable<number>) { return 2 * await f(); }
 */
export type Awaitable<T> = T | Promise<T>;
