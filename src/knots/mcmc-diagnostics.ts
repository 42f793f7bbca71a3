/**
 * Convergence diagnostics for several chains of one scalar quantity: split-R̂ and the
 * effective sample size, as defined in Gelman et al., *Bayesian Data Analysis* (3rd ed.),
 * §11.4–11.5 (each chain split in halves; autocorrelations combined across chains and summed
 * over Geyer's initial positive sequence, made monotone).
 */
import { badArgument } from '../core/errors.js';
import { checkValues } from '../core/stats/values.js';
import { describe } from '../core/validate.js';

/** chains: a nonempty array of equally long arrays of finite numbers. */
function checkChains(chains: unknown): ArrayLike<number>[] {
  if (!Array.isArray(chains) || chains.length === 0) throw badArgument(`chains must be a nonempty array of chains, got ${describe(chains)}`);
  const n = checkValues('chains[0]', chains[0], 0).length;
  chains.forEach((c, i) => {
    checkValues(`chains[${i}]`, c, 0);
    if ((c as ArrayLike<number>).length !== n) throw badArgument(`chains must be equally long: chains[${i}] has ${(c as ArrayLike<number>).length} draws, chains[0] ${n}`);
  });
  return chains as ArrayLike<number>[];
}

/**
 * Split each chain into two halves (dropping a middle draw when the length is odd), divided by
 * the largest |draw|: R̂ and the ESS are scale-free, and squares of draws near 1e300 would
 * otherwise overflow to Infinity and the ratios to NaN.
 */
function splitChains(chains: ArrayLike<number>[]): Float64Array[] {
  let scale = 0;
  for (const c of chains) for (let i = 0; i < c.length; i++) scale = Math.max(scale, Math.abs(c[i]));
  if (scale === 0) scale = 1;
  const out: Float64Array[] = [];
  for (const c of chains) {
    const half = Math.floor(c.length / 2);
    out.push(Float64Array.from({ length: half }, (_, i) => c[i] / scale));
    out.push(Float64Array.from({ length: half }, (_, i) => c[c.length - half + i] / scale));
  }
  return out;
}

function meanVar(x: Float64Array): [number, number] {
  let s = 0;
  for (const v of x) s += v;
  const mu = s / x.length;
  let ss = 0;
  for (const v of x) ss += (v - mu) ** 2;
  return [mu, x.length > 1 ? ss / (x.length - 1) : 0];
}

/** W, B/n and var⁺ of split chains; null when too short. */
function components(split: Float64Array[]): { W: number; Bn: number; varPlus: number; n: number } | null {
  const n = split[0]?.length ?? 0;
  if (n < 2) return null;
  const stats = split.map(meanVar);
  const M = split.length;
  const grand = stats.reduce((a, [mu]) => a + mu, 0) / M;
  const W = stats.reduce((a, [, v]) => a + v, 0) / M;
  const Bn = M > 1 ? stats.reduce((a, [mu]) => a + (mu - grand) ** 2, 0) / (M - 1) : 0;
  return { W, Bn, varPlus: ((n - 1) / n) * W + Bn, n };
}

/**
 * Split-R̂ (BDA3 eq. 11.4 on half-chains). ≈ 1 at convergence; > 1.01–1.1 signals trouble.
 * NaN when the quantity is constant in every chain (e.g. k in fixed-k mode) or chains are too short.
 *
 * @example splitRhat([chainA, chainB])
 */
export function splitRhat(chains: ArrayLike<number>[]): number {
  checkChains(chains);
  const c = components(splitChains(chains));
  if (c === null) return NaN;
  if (c.W === 0) return c.Bn === 0 ? NaN : Infinity;
  return Math.sqrt(c.varPlus / c.W);
}

/**
 * Effective sample size over all chains (BDA3 eq. 11.7–11.8, Geyer's initial monotone positive
 * sequence). NaN for constant quantities.
 */
export function effectiveSampleSize(chains: ArrayLike<number>[]): number {
  checkChains(chains);
  const split = splitChains(chains);
  const c = components(split);
  if (c === null || c.varPlus === 0) return NaN;
  const { n, W, varPlus } = c;
  const M = split.length;
  const centered = split.map((x) => { const [mu] = meanVar(x); return x.map((v) => v - mu); });
  // Within-chain autocovariance at lag t (averaged over chains), divided as in BDA3.
  const autocov = (t: number): number => {
    let s = 0;
    for (const x of centered) {
      let a = 0;
      for (let i = 0; i + t < n; i++) a += x[i] * x[i + t];
      s += a / n;
    }
    return s / M;
  };
  const rho = (t: number): number => 1 - (W - autocov(t)) / varPlus;
  let sum = 0;
  let prevPair = Infinity;
  for (let t = 0; t + 1 < n; t += 2) {
    let pair = rho(t) + rho(t + 1);
    if (pair < 0) break;
    pair = Math.min(pair, prevPair); // monotone sequence
    prevPair = pair;
    sum += pair;
  }
  const tau = -1 + 2 * sum;
  return (M * n) / Math.max(tau, 1 / Math.log10(Math.max(M * n, 10)));
}
