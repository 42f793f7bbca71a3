/**
 * rope on the GPU (Su et al., RoFormer, arXiv 2104.09864): rotary position embedding of
 * nHeads consecutive heads of size headDim, in place (a device array `x` is read and
 * written where it lies; no copy). Pair t turns by θ_t = pos·base^(−2t/headDim); pairing
 * 'adjacent' rotates (2t, 2t+1) (llama2.c), 'half' rotates (t, t + headDim/2) (HF Llama).
 *
 * The angles are not computed on the GPU: float32 trigonometry of pos·θ is far off at large
 * positions (pos·θ ≈ 10⁵ rad leaves ~10⁻² of float32 precision in the argument), so the
 * host computes cos θ_t and sin θ_t in float64 exactly as the reference does — they depend
 * only on pos, base and headDim — and uploads the headDim/2 pairs with the call
 * (`ropeTable`, 4·headDim bytes). The GPU then only rotates, so results match the
 * reference to float32 rounding at any position and base.
 *
 * One invocation per pair; with 16-byte loads (offset and headDim suitably aligned), one
 * invocation per 2 adjacent pairs (one vec4) or per 4 half-split pairs (two vec4s).
 */
import type { RopePairing } from '../../../kernels/kernels.js';
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';

const WG = 256;

/** The body for each variant; `cs` holds cos θ_t at t and sin θ_t at half + t. */
const BODIES = {
  'adjacent:f32': `
  if (gid >= P.nHeads * P.half) { return; }
  let h = gid / P.half;
  let t = gid - h * P.half;
  let i0 = P.xOff + h * 2u * P.half + 2u * t;
  let c = cs[P.csOff + t];
  let s = cs[P.csOff + P.half + t];
  let a = x[i0];
  let b = x[i0 + 1u];
  x[i0] = a * c - b * s;
  x[i0 + 1u] = a * s + b * c;`,
  'half:f32': `
  if (gid >= P.nHeads * P.half) { return; }
  let h = gid / P.half;
  let t = gid - h * P.half;
  let i0 = P.xOff + h * 2u * P.half + t;
  let c = cs[P.csOff + t];
  let s = cs[P.csOff + P.half + t];
  let a = x[i0];
  let b = x[i0 + P.half];
  x[i0] = a * c - b * s;
  x[i0 + P.half] = a * s + b * c;`,
  // one vec4 = pairs t, t+1 of one head (headDim % 4 = 0, so a vec4 never straddles heads)
  'adjacent:vec4': `
  let quads = P.nHeads * P.half / 2u;
  if (gid >= quads) { return; }
  let t = (gid % (P.half / 2u)) * 2u;
  let c = vec2<f32>(cs[P.csOff + t], cs[P.csOff + t + 1u]);
  let s = vec2<f32>(cs[P.csOff + P.half + t], cs[P.csOff + P.half + t + 1u]);
  let i = P.xOff / 4u + gid;
  let v = x[i];
  x[i] = vec4<f32>(v.x * c.x - v.y * s.x, v.x * s.x + v.y * c.x, v.z * c.y - v.w * s.y, v.z * s.y + v.w * c.y);`,
  // a vec4 of first halves (t .. t+3) and the matching vec4 of second halves (half % 4 = 0)
  'half:vec4': `
  let q = P.half / 4u;
  if (gid >= P.nHeads * q) { return; }
  let h = gid / q;
  let t = (gid - h * q) * 4u;
  let c = vec4<f32>(cs[P.csOff + t], cs[P.csOff + t + 1u], cs[P.csOff + t + 2u], cs[P.csOff + t + 3u]);
  let sb = P.csOff + P.half + t;
  let s = vec4<f32>(cs[sb], cs[sb + 1u], cs[sb + 2u], cs[sb + 3u]);
  let i0 = (P.xOff + h * 2u * P.half + t) / 4u;
  let i1 = i0 + q;
  let a = x[i0];
  let b = x[i1];
  x[i0] = a * c - b * s;
  x[i1] = a * s + b * c;`,
} as const;

type Variant = keyof typeof BODIES;

const PROGRAMS = new Map<Variant, GpuProgram>();

function programFor(variant: Variant): GpuProgram {
  let p = PROGRAMS.get(variant);
  if (!p) {
    PROGRAMS.set(variant, p = {
      cacheKey: `rope:${variant}`,
      workgroupSize: [WG, 1],
      uniforms: [{ name: 'nHeads', type: 'u32' }, { name: 'half', type: 'u32' }],
      bindings: [
        { name: 'x', type: variant.endsWith('vec4') ? 'vec4<f32>' : 'f32', access: 'read_write' },
        { name: 'cs', type: 'f32', access: 'read' },
      ],
      body: BODIES[variant],
    });
  }
  return p;
}

/**
 * cos θ_t (entries 0 .. headDim/2) then sin θ_t (entries headDim/2 .. headDim) for
 * θ_t = pos·base^(−2t/headDim), computed in float64 with the reference's very expression.
 */
export function ropeTable(headDim: number, pos: number, base: number): Float32Array {
  const half = headDim / 2;
  const cs = new Float32Array(headDim);
  for (let t = 0; t < half; t++) {
    const angle = pos * Math.pow(base, (-2 * t) / headDim);
    cs[t] = Math.cos(angle);
    cs[half + t] = Math.sin(angle);
  }
  return cs;
}

/** Encode the rotation of x (nHeads·headDim elements, nHeads ≥ 1) by the uploaded table `cs`. */
export function encodeRope(call: GpuCall, x: GpuRef, cs: GpuRef, nHeads: number, headDim: number,
  pairing: RopePairing): void {
  const half = headDim / 2;
  const vec4 = x.offset % 4 === 0 && (pairing === 'adjacent' ? headDim % 4 === 0 : half % 4 === 0);
  const variant: Variant = `${pairing}:${vec4 ? 'vec4' : 'f32'}`;
  const perInvocation = vec4 ? (pairing === 'adjacent' ? 2 : 4) : 1; // pairs
  call.dispatch(programFor(variant), { nHeads, half }, [x, cs], Math.ceil((nHeads * half) / perInvocation / WG));
}
