/**
 * wasm32 addresses reach 4 GiB, but an i32 export returns an address above 2 GiB as a negative
 * number. A resident array placed there must still give a view of its own bytes, and kernels
 * must read and write it in place. (Takes about 2.2 GB of memory for a few seconds.)
 */
import { expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';

it('resident arrays above 2 GiB of wasm memory: views and kernels see their own bytes', async () => {
  const k = await createKernels({ backend: 'wasm' });
  // Blocks of 512 MiB (the allocator's largest block is under 1 GiB) push the next one past 2 GiB.
  const filler = Array.from({ length: 5 }, () => k.allocF32(2 ** 27));
  const a = k.allocF32(1024), b = k.allocF32(1024);
  try {
    const av = a.view(), bv = b.view();
    expect(av.byteOffset).toBeGreaterThan(2 ** 31);
    for (let i = 0; i < 1024; i++) { av[i] = i; bv[i] = 2; }
    expect(k.dot(a.view(), b.view(), 1024)).toBe(1023 * 1024);
    k.axpy(1, b.view(), a.view(), 1024);
    expect(a.view()[10]).toBe(12);
    for (const f of filler) expect(f.view()[0]).toBe(0); // the kernels wrote only their own output
  } finally {
    a.dispose(); b.dispose();
    for (const f of filler) f.dispose();
  }
}, 60_000);
