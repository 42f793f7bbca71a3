import type { RopePairing } from '../kernels.js';
import { defineKernel, f32, size, num, choice, evenSize } from '../define-kernel.js';

/**
 * Rotary position embedding, in place, on nHeads consecutive heads of size headDim (even):
 * pair t (t < headDim/2) rotates by angle pos·base^(−2t/headDim). Pairing 'adjacent' rotates
 * (2t, 2t+1); 'half' rotates (t, t + headDim/2). x: nHeads*headDim.
 * pos may be any real number (WRoPE rotates queries to a fixed distance b).
 *
 * Reference: Rotary embedding in place. Pair t turns by pos·base^(−2t/headDim):
 * 'adjacent' pairs (2t, 2t+1) as in llama2.c, 'half' pairs (t, t+headDim/2) as in HF Llama.
 */
export function rope(x: Float32Array, nHeads: number, headDim: number, pos: number, base: number,
  pairing: RopePairing): void {
  const half = headDim / 2;
  for (let t = 0; t < half; t++) {
    const angle = pos * Math.pow(base, (-2 * t) / headDim);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    for (let h = 0; h < nHeads; h++) {
      const i0 = h * headDim + (pairing === 'adjacent' ? 2 * t : t);
      const i1 = pairing === 'adjacent' ? i0 + 1 : i0 + half;
      const a = x[i0];
      const b = x[i1];
      x[i0] = a * c - b * s;
      x[i1] = a * s + b * c;
    }
  }
}

/** rope: rotary position embedding, in place. */
export const ropeKernel = defineKernel('rope', rope, {
  args: [
    f32('x', 'nHeads*headDim', ([, nHeads, headDim]) => nHeads * headDim, { role: 'inout' }),
    size('nHeads'), evenSize('headDim', 2), num('pos'), num('base', 1, true), choice('pairing', ['adjacent', 'half']),
  ],
  split: 'whole',
  work: ([, nHeads, headDim]) => nHeads * headDim,
});
