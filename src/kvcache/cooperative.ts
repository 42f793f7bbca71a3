/**
 * Cooperative yielding for long calibration and evaluation loops: gives timers, I/O and
 * AbortController handlers a chance to run (so `signal` can actually fire) when more than
 * `ms` milliseconds passed since the last yield; resolves at once otherwise.
 */
import { yieldEvery } from '../core/yield.js';

/** Yield to the event loop if `ms` passed since the last yield. @example await yieldToEventLoop(); */
export function yieldToEventLoop(ms = 50): Promise<void> {
  return yieldEvery(ms);
}
