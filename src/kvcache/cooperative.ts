/**
 * Cooperative yielding for long calibration and evaluation loops: gives timers, I/O and
 * AbortController handlers a chance to run (so `signal` can actually fire) when more than
 * `ms` milliseconds passed since the last yield; resolves at once otherwise.
 */
let last = 0;

/** Yield to the event loop if `ms` passed since the last yield. @example await yieldToEventLoop(); */
export async function yieldToEventLoop(ms = 50): Promise<void> {
  const now = performance.now();
  if (now - last < ms) return;
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  last = performance.now();
}
