/**
 * The binary16 value nearest to float32(x), ties to even (subnormals included), as a number:
 * what ggml's FP32→FP16 conversion stores. |x| past the largest binary16 (65504, with the
 * rounding tie) gives ±Infinity; NaN stays NaN.
 */
export function roundToF16(x: number): number {
  const v = Math.fround(x);
  if (!Number.isFinite(v) || v === 0) return v;
  const a = Math.abs(v);
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  const quantum = 2 ** (Math.max(e, -14) - 10); // 10 mantissa bits; fixed spacing below 2^-14
  const t = a / quantum; // exact: a power-of-two division
  const f = Math.floor(t);
  const r = (t - f > 0.5 || (t - f === 0.5 && f % 2 === 1) ? f + 1 : f) * quantum;
  return Math.sign(v) * (r > 65504 ? Infinity : r);
}
