/**
 * WGSL for matrix rows against a vector: one workgroup sweeps one or two weight rows in a
 * coalesced loop and tree-reduces the partial dot products in workgroup memory.
 *
 * Formats (layouts: kernels/quantized-row-words.ts): 'f32' rows are read from the float binding
 * `W`, invocation i taking columns i, i + WG, …; quantized rows are read from the word binding
 * `Q` (i32), invocation i taking Q8_0's 32-column blocks i, i + WG, … or Q4_1's quarter blocks
 * (8 columns: one quant word):
 * - Q4_1 (ggml's block, 5 words: f16 d and m, then 16 bytes whose low nibbles are columns 0..15
 *   and high nibbles 16..31): Σ_c (d·q_c + m)·v_c = d·Σ q_c v_c + m·Σ v_c;
 * - Q8_0 (a row's int8 quants, then its f16 scales): Σ_c d_b·q_c·v_c.
 *
 * The RMSNorm variant folds the norm into the sweep: it multiplies by w ⊙ x and accumulates Σx²
 * in the same loop, so W·rmsnorm(x; w) = (Σ_j W_j w_j x_j) / sqrt(mean(x²) + ε) costs no pass of
 * its own (the reference rounds w·(x·r) first; the sums agree to float32 rounding).
 */
import type { QuantizedType } from '../../../kernels/quantized-row-words.js';

/** Invocations per row workgroup: 64 keeps barriers cheap and many rows in flight. */
export const ROW_WG = 64;

/** How a matrix is stored on the GPU: float32, or one of the quantized row layouts. */
export type RowFormat = 'f32' | QuantizedType;

/** Declarations for `rowDots`: one workgroup array per reduced value (dots, plus Σx² when normed). */
export function rowDotsPrelude(n: number): string {
  return Array.from({ length: n }, (_, i) => `var<workgroup> red${i}: array<f32, ${ROW_WG}>;`).join('\n');
}

/**
 * An input mask (CHESS/TEAL input sparsity): the element is multiplied by `scale` (a WGSL
 * expression: the RMSNorm scale known before the sweep, or 1.0) and zeroed where its magnitude is
 * below `threshold` (0.0 keeps every element).
 */
export interface InputMask { scale: string; threshold: string }

/** The vector element at column `c` (normed: times the norm weight; masked: scaled, then thresholded), accumulating Σx² into `sq`. */
function element(name: string, src: string, srcAt: string, c: string, normAt?: string, mask?: InputMask): string {
  const raw = normAt === undefined
    ? `let ${name}x = ${src}[${srcAt} + ${c}];`
    : `let ${name}x = ${src}[${srcAt} + ${c}];
      sq = sq + ${name}x * ${name}x;`;
  const weighted = normAt === undefined ? `${name}x` : `${name}x * W[${normAt} + ${c}]`;
  if (mask === undefined) return `${raw}
      let ${name} = ${weighted};`;
  return `${raw}
      let ${name}s = ${weighted} * ${mask.scale};
      let ${name} = select(0.0, ${name}s, abs(${name}s) >= ${mask.threshold});`;
}

/** The loop adding row i's part to a${i}, for every row (rows[i]: the row's first float or word). */
function sweep(format: RowFormat, rows: readonly string[], src: string, srcAt: string, cols: string, normAt?: string, mask?: InputMask): string {
  if (format === 'f32') {
    return `  for (var c = lid; c < ${cols}; c = c + ${ROW_WG}u) {
    ${element('h', src, srcAt, 'c', normAt, mask)}
${rows.map((r, i) => `    a${i} = a${i} + W[${r} + c] * h;`).join('\n')}
  }`;
  }
  if (format === 'Q4_1') {
    // A quarter block per invocation (one quant word: 4 low-nibble and 4 high-nibble columns), so
    // a 576-column row keeps 64 invocations busy (72 units) instead of 18 (one block each):
    // Σ over its 8 columns of (d·q + m)·v = d·Σ q·v + m·Σ v.
    return `  for (var u = lid; u < ${cols} / 8u; u = u + ${ROW_WG}u) {
    let b = u / 4u;
    let qw = u % 4u;
    let c0 = b * 32u + qw * 4u;
${rows.map((r, i) => `    let dm${i} = unpack2x16float(u32(Q[${r} + b * 5u]));
    let q${i} = u32(Q[${r} + b * 5u + 1u + qw]);
    var s${i} = 0.0;`).join('\n')}
    var sh = 0.0;
    for (var k = 0u; k < 4u; k = k + 1u) {
      let j = c0 + k;
      ${element('lo', src, srcAt, 'j', normAt, mask)}
      ${element('hi', src, srcAt, 'j + 16u', normAt, mask)}
      sh = sh + lo + hi;
${rows.map((_, i) => `      let by${i} = (q${i} >> (8u * k)) & 255u;
      s${i} = s${i} + f32(by${i} & 15u) * lo + f32(by${i} >> 4u) * hi;`).join('\n')}
    }
${rows.map((_, i) => `    a${i} = a${i} + dm${i}.x * s${i} + dm${i}.y * sh;`).join('\n')}
  }`;
  }
  // Q8_0: quants at word r + c/4, the block's f16 scale in word r + cols/4 + b/2 (half b & 1).
  return `  for (var b = lid; b < ${cols} / 32u; b = b + ${ROW_WG}u) {
    let c0 = b * 32u;
${rows.map((r, i) => `    let dd${i} = unpack2x16float(u32(Q[${r} + ${cols} / 4u + b / 2u]));
    let d${i} = select(dd${i}.x, dd${i}.y, (b & 1u) == 1u);
    var s${i} = 0.0;`).join('\n')}
    for (var qw = 0u; qw < 8u; qw = qw + 1u) {
${rows.map((r, i) => `      let q${i} = Q[${r} + b * 8u + qw];`).join('\n')}
      for (var k = 0u; k < 4u; k = k + 1u) {
        ${element('h', src, srcAt, 'c0 + qw * 4u + k', normAt, mask)}
${rows.map((_, i) => `        s${i} = s${i} + f32(extractBits(q${i}, 8u * k, 8u)) * h;`).join('\n')}
      }
    }
${rows.map((_, i) => `    a${i} = a${i} + d${i} * s${i};`).join('\n')}
  }`;
}

/**
 * Body fragment: `dot${i}` = row i · v over cols columns, where v_c = src[srcAt + c], or (normed)
 * src[srcAt + c] · W[normAt + c]; then `ss` = Σ src² when normed (else 0). rows[i] is where row i
 * starts: a float index into W ('f32'), a word index into Q (quantized). With `mask`, v_c is
 * scaled and thresholded first (InputMask). Every invocation must reach it (barriers).
 */
export function rowDots(format: RowFormat, rows: readonly string[], src: string, srcAt: string, cols: string, normAt?: string,
  mask?: InputMask): string {
  const n = rows.length;
  const normed = normAt !== undefined;
  const combine = rows.map((_, i) => `red${i}[lid] = red${i}[lid] + red${i}[lid + s];`).join(' ');
  return `${rows.map((_, i) => `  var a${i} = 0.0;`).join('\n')}
  var sq = 0.0;
${sweep(format, rows, src, srcAt, cols, normAt, mask)}
  ${rows.map((_, i) => `red${i}[lid] = a${i};`).join(' ')}${normed ? ` red${n}[lid] = sq;` : ''}
  workgroupBarrier();
  for (var s = ${ROW_WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { ${combine}${normed ? ` red${n}[lid] = red${n}[lid] + red${n}[lid + s];` : ''} }
    workgroupBarrier();
  }
${rows.map((_, i) => `  let dot${i} = red${i}[0];`).join('\n')}
  let ss = ${normed ? `red${n}[0]` : '0.0'};`;
}

/**
 * WGSL: `rs` = the RMSNorm scale of src[srcAt …] over cols, computed before a sweep (for an
 * InputMask on normed input); uses workgroup array red0, free again afterwards.
 */
export function normScaleFirst(src: string, srcAt: string, cols: string): string {
  return `  var pre = 0.0;
  for (var c = lid; c < ${cols}; c = c + ${ROW_WG}u) { let v = ${src}[${srcAt} + c]; pre = pre + v * v; }
  red0[lid] = pre;
  workgroupBarrier();
  for (var s = ${ROW_WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { red0[lid] = red0[lid] + red0[lid + s]; }
    workgroupBarrier();
  }
  let rs = inverseSqrt(red0[0] / f32(${cols}) + P.eps);
  workgroupBarrier();`;
}

/** WGSL: the RMSNorm scale 1/sqrt(ss/cols + eps) (named `r`). */
export function normScale(cols: string): string {
  return `  let r = inverseSqrt(ss / f32(${cols}) + P.eps);`;
}

/**
 * The matrix bindings a program over rows of `format` reads: W (floats: f32 rows, and the norm
 * weights when `normed`), Q (words) when quantized. Only these: a pipeline's automatic layout
 * drops a binding the shader never reads, and a bind group naming it would be invalid.
 */
export function matrixBindings(format: RowFormat, normed: boolean): { name: string; type: 'f32' | 'i32'; access: 'read' }[] {
  const W = { name: 'W', type: 'f32' as const, access: 'read' as const }, Q = { name: 'Q', type: 'i32' as const, access: 'read' as const };
  return format === 'f32' ? [W] : normed ? [W, Q] : [Q];
}

/** Where a row starts: `P.WOff + at` (floats of W) or `P.QOff + at` (words of Q). */
export function rowBase(format: RowFormat, at: string): string {
  return format === 'f32' ? `P.WOff + ${at}` : `P.QOff + ${at}`;
}
