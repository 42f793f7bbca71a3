/**
 * WGSL for the decode step's matrix rows: one workgroup sweeps one or two weight rows against a
 * vector in a coalesced loop (invocation i reads columns i, i + WG, …) and tree-reduces the
 * partial dot products in workgroup memory. The RMSNorm variant folds the norm into the sweep:
 * it multiplies by w ⊙ x and accumulates Σx² in the same loop, so
 *   W·rmsnorm(x; w) = (Σ_j W_j w_j x_j) / sqrt(mean(x²) + ε)
 * costs no pass of its own (the reference rounds w·(x·r) first; the sums agree to float32
 * rounding).
 */

/** Invocations per row workgroup: 64 keeps barriers cheap and many rows in flight. */
export const ROW_WG = 64;

/**
 * Declarations for `rowDots`: one workgroup array per reduced value.
 * @param n how many values are reduced together (dots, plus Σx² when normed)
 */
export function rowDotsPrelude(n: number): string {
  return Array.from({ length: n }, (_, i) => `var<workgroup> red${i}: array<f32, ${ROW_WG}>;`).join('\n');
}

/**
 * Body fragment: `dot${i}` = Σ_c W[rows[i] + c] · v_c over c < cols, where v_c = src[srcAt + c],
 * or (normed) src[srcAt + c] · W[normAt + c], then `ss` = Σ src². Leaves the totals in
 * `dot0`, `dot1`, … and `ss` for every invocation. Every invocation must reach it (barriers).
 */
export function rowDots(rows: readonly string[], src: string, srcAt: string, cols: string, normAt?: string): string {
  const n = rows.length;
  const acc = rows.map((_, i) => `  var a${i} = 0.0;`).join('\n');
  const add = rows.map((r, i) => `    a${i} = a${i} + W[${r} + c] * h;`).join('\n');
  const store = rows.map((_, i) => `red${i}[lid] = a${i};`).join(' ');
  const combine = rows.map((_, i) => `red${i}[lid] = red${i}[lid] + red${i}[lid + s];`).join(' ');
  const read = rows.map((_, i) => `  let dot${i} = red${i}[0];`).join('\n');
  const normed = normAt !== undefined;
  return `${acc}
  var sq = 0.0;
  for (var c = lid; c < ${cols}; c = c + ${ROW_WG}u) {
    let v = ${src}[${srcAt} + c];
    ${normed ? `sq = sq + v * v;
    let h = v * W[${normAt} + c];` : 'let h = v;'}
${add}
  }
  ${store}${normed ? ` red${n}[lid] = sq;` : ''}
  workgroupBarrier();
  for (var s = ${ROW_WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { ${combine}${normed ? ` red${n}[lid] = red${n}[lid] + red${n}[lid + s];` : ''} }
    workgroupBarrier();
  }
${read}
  let ss = ${normed ? `red${n}[0]` : '0.0'};`;
}

/** WGSL: the RMSNorm scale 1/sqrt(ss/cols + eps) (named `r`). */
export function normScale(cols: string): string {
  return `  let r = inverseSqrt(ss / f32(${cols}) + P.eps);`;
}
