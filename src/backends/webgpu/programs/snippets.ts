/** WGSL fragments shared by several programs (inlined as text: WGSL cannot pass workgroup arrays to functions). */

/**
 * Tree-reduce `arr[0..n)` (a workgroup array, n a power of two) into arr[0] with `op`
 * ('+' or 'max'); every invocation must reach it (it contains barriers).
 */
export function treeReduce(arr: string, n: number, op: '+' | 'max'): string {
  const combine = op === '+' ? `${arr}[lid] = ${arr}[lid] + ${arr}[lid + s];` : `${arr}[lid] = max(${arr}[lid], ${arr}[lid + s]);`;
  return `  workgroupBarrier();
  for (var s = ${n / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { ${combine} }
    workgroupBarrier();
  }`;
}

/** Inclusive prefix sum of the u32 workgroup array `arr[0..n)` in place (Hillis–Steele); every invocation must reach it. */
export function inclusiveScan(arr: string, n: number): string {
  return `  workgroupBarrier();
  for (var off = 1u; off < ${n}u; off = off << 1u) {
    var v = ${arr}[lid];
    if (lid >= off) { v = v + ${arr}[lid - off]; }
    workgroupBarrier();
    ${arr}[lid] = v;
    workgroupBarrier();
  }`;
}

/**
 * Exclusive prefix sum of `arr[0..n)` (u32, n a power of two) in place, using the same-sized
 * workgroup array `tmp`; afterwards `tmp[n − 1]` holds the total. Every invocation must reach it.
 */
export function exclusiveScan(arr: string, tmp: string, n: number): string {
  return `${inclusiveScan(arr, n)}
  ${tmp}[lid] = ${arr}[lid];
  workgroupBarrier();
  if (lid > 0u) { ${arr}[lid] = ${tmp}[lid - 1u]; } else { ${arr}[0] = 0u; }
  workgroupBarrier();`;
}
