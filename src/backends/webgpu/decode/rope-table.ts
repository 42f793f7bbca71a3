/**
 * cos and sin of every RoPE angle a model can need, computed once in float64 on the host (the
 * reference's expression, pos·base^(−2t/headDim)) and kept on the GPU: float32 trigonometry of
 * pos·θ ≈ 10⁵ rad on the GPU would be ~10⁻² off. Row pos holds cos θ_t at t and sin θ_t at
 * half + t (t < half = headDim/2): seqLen·headDim floats.
 */
export function ropeTableAll(seqLen: number, headDim: number, base: number): Float32Array {
  const half = headDim / 2;
  const out = new Float32Array(seqLen * headDim);
  for (let t = 0; t < half; t++) {
    const freq = Math.pow(base, (-2 * t) / headDim);
    for (let pos = 0; pos < seqLen; pos++) {
      const angle = pos * freq;
      out[pos * headDim + t] = Math.cos(angle);
      out[pos * headDim + half + t] = Math.sin(angle);
    }
  }
  return out;
}
