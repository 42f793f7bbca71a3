/**
 * Cooperative yielding for long loops: returns to the event loop (a macrotask, so timers,
 * I/O and AbortController handlers can run) when more than `ms` milliseconds have passed since
 * the last yield, and resolves at once otherwise.
 */
let last = 0;

export async function yieldEvery(ms: number): Promise<void> {
  const now = performance.now();
  if (now - last < ms) return;
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  last = performance.now();
}
