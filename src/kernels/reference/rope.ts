import type { RopePairing } from '../kernels.js';

/**
 * Rotary embedding in place. Pair t turns by pos·base^(−2t/headDim):
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
