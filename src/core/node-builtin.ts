/**
 * Loads a Node built-in module (`fs/promises`, `worker_threads`, ...) on first use.
 *
 * The specifier is built at run time so that browser bundlers (esbuild, Vite, webpack) do not
 * try to resolve it: code that needs a file system or Node workers stays in the library and
 * simply is never called in a browser, and the bundle needs no flags or externals. Deno
 * resolves `node:` specifiers itself.
 *
 * @example
 * const { readFile } = await importNodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
 */
export async function importNodeBuiltin<T>(name: string): Promise<T> {
  const specifier = `node:${name}`;
  return await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as T;
}

/** True when running under Node or Deno (which both provide `node:` built-ins). */
export function hasNodeBuiltins(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; Deno?: unknown };
  return g.process?.versions?.node !== undefined || g.Deno !== undefined;
}
