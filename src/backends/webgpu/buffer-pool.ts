/**
 * Reusable GPU buffers for per-call data: uploads of host arrays, uniforms, scratch and
 * read-back staging. Creating a buffer per call is slow, so buffers are pooled by usage and
 * by size class (powers of two from 256 bytes), and returned to the pool when the batch that
 * used them has been submitted (uploads, uniforms, scratch) or read (staging).
 *
 * Why returning at submission is safe: every later `queue.writeBuffer` into a recycled
 * buffer is ordered after the submission that last used it on the queue timeline.
 */
import type { GpuBuffer, GpuDevice } from './gpu-types.js';

/** Bytes kept idle in the pool at most; beyond this, returned buffers are destroyed. */
const MAX_IDLE_BYTES = 512 * 1024 * 1024;

function sizeClass(bytes: number): number {
  let s = 256;
  while (s < bytes) s *= 2;
  return s;
}

export class BufferPool {
  private readonly free = new Map<string, GpuBuffer[]>();
  private idleBytes = 0;

  constructor(private readonly device: GpuDevice) {}

  /** A buffer of at least `bytes` bytes with exactly `usage`. */
  acquire(bytes: number, usage: number): GpuBuffer {
    const size = sizeClass(Math.max(4, bytes));
    const list = this.free.get(`${usage}:${size}`);
    const b = list?.pop();
    if (b) {
      this.idleBytes -= size;
      return b;
    }
    return this.device.createBuffer({ size, usage });
  }

  /** Give a buffer from acquire() back (it must no longer be referenced by unsubmitted work). */
  release(buffer: GpuBuffer, usage: number): void {
    if (this.idleBytes + buffer.size > MAX_IDLE_BYTES) {
      buffer.destroy();
      return;
    }
    const key = `${usage}:${buffer.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buffer);
    this.idleBytes += buffer.size;
  }
}
