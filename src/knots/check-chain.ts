/**
 * Validation of the sampler's plain-data objects where they cross the public API: a
 * ChainProblem handed to runChain, runChainAsync, runChains, exactKnotPosterior or drawCurves,
 * and recorded chains handed to the posterior summaries. fitKnots builds both correctly; a
 * caller who builds them by hand gets BAD_ARGUMENT naming the field instead of a TypeError
 * ("cannot read properties of undefined") or NaN from deep inside the sampler. O(m·d) for a
 * problem, O(recorded values) for records: once per call, never per iteration.
 */
import { badArgument } from '../core/errors.js';
import { checkElements } from '../core/limits.js';
import { checkFinite, checkFloat64, checkInt, checkInt32, checkNumber, checkOneOf, describe } from '../core/validate.js';
import type { ChainProblem, ChainRecord } from './rjmcmc-chain.js';

/** Coordinates of one problem (the tensor product grows as Π n_j, so a few at most). */
const MAX_COORDINATES = 8;
/** Recorded iterations per chain (the same bound as fitKnots' chains × iterations). */
const MAX_ITERATIONS = 1e7;

function checkObject(name: string, v: unknown, shape: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw badArgument(`${name} must be ${shape}, got ${describe(v)}`);
  }
  return v as Record<string, unknown>;
}

function checkArray(name: string, v: unknown, length?: number): unknown[] {
  if (!Array.isArray(v)) throw badArgument(`${name} must be an array, got ${describe(v)}`);
  if (length !== undefined && v.length !== length) throw badArgument(`${name} must have ${length} entries, got ${v.length}`);
  return v;
}

/** A Float64Array of exactly `length` finite values. */
function checkColumn(name: string, v: unknown, length: number): Float64Array {
  const a = checkFloat64(name, v);
  if (a.length !== length) throw badArgument(`${name} must have length ${length}, got ${a.length}`);
  checkFinite(name, a);
  return a;
}

/**
 * problem must be a ChainProblem as fitKnots builds it: d ≥ 1 coordinate columns xs of one
 * length m, a finite y of length m, per-coordinate degrees (0..5) and grid sizes, γ ≥ 0,
 * 0 < c ≤ 1/2, and well-formed optional parts (trials, fixedK, proposals, pair moves, temperatures,
 * probes).
 */
export function checkChainProblem(name: string, problem: unknown): ChainProblem {
  const p = checkObject(name, problem, 'a ChainProblem (as built by fitKnots)');
  const xs = checkArray(`${name}.xs`, p.xs);
  const d = xs.length;
  if (d < 1 || d > MAX_COORDINATES) throw badArgument(`${name}.xs must have 1 to ${MAX_COORDINATES} coordinate columns, got ${d}`);
  const y = checkFloat64(`${name}.y`, p.y);
  const m = y.length;
  checkFinite(`${name}.y`, y);
  xs.forEach((x, j) => checkColumn(`${name}.xs[${j}]`, x, m));
  const family = checkOneOf(`${name}.family`, p.family, ['gaussian', 'poisson', 'binomial']);
  checkOneOf(`${name}.marginal`, p.marginal, ['exact', 'large-m', 'ebic']);
  const degrees = checkArray(`${name}.degrees`, p.degrees, d).map((q, j) => checkInt(`${name}.degrees[${j}]`, q, 0, 5));
  const candidates = checkArray(`${name}.candidates`, p.candidates, d).map((n, j) => checkInt(`${name}.candidates[${j}]`, n, 1, 1e7));
  let rows = 1;
  degrees.forEach((q) => { rows *= q + 1; });
  if (m < rows + 2) throw badArgument(`${name}.y must have at least ${rows + 2} observations for these degrees, got ${m}`);
  checkNumber(`${name}.gamma`, p.gamma, 0, 100);
  checkNumber(`${name}.c`, p.c, 0, 0.5, { minExclusive: true });
  if (p.moves !== undefined) checkOneOf(`${name}.moves`, p.moves, ['balanced', 'prior-free']);
  if (p.trials !== undefined) {
    const trials = checkColumn(`${name}.trials`, p.trials, m);
    trials.forEach((t, i) => { if (!Number.isInteger(t) || t < 1) throw badArgument(`${name}.trials[${i}] must be a positive integer, got ${t}`); });
  }
  if (family !== 'gaussian') {
    y.forEach((v, i) => {
      const cap = family === 'binomial' && p.trials !== undefined ? (p.trials as Float64Array)[i] : family === 'binomial' ? 1 : Infinity;
      if (!Number.isInteger(v) || v < 0 || v > cap) throw badArgument(`${name}.y[${i}] must be an integer count in [0, ${cap}] for the ${family} family, got ${v}`);
    });
  }
  if (p.fixedK !== null) {
    checkArray(`${name}.fixedK`, p.fixedK, d).forEach((k, j) => checkInt(`${name}.fixedK[${j}]`, k, 0, candidates[j]));
  }
  if (p.local !== null) {
    const local = checkObject(`${name}.local`, p.local, 'null or { probability, nu }');
    checkNumber(`${name}.local.probability`, local.probability, 0, 1, { minExclusive: true });
    checkNumber(`${name}.local.nu`, local.nu, 0, 1e6, { minExclusive: true });
  }
  if (p.near !== undefined && p.near !== null) {
    const near = checkObject(`${name}.near`, p.near, 'null or { probability, radius }');
    checkNumber(`${name}.near.probability`, near.probability, 0, 1);
    checkInt(`${name}.near.radius`, near.radius, 1, Math.min(...candidates));
  }
  if (p.pair !== undefined && p.pair !== null) {
    const pair = checkObject(`${name}.pair`, p.pair, 'null or { probability, maxWidth, block }');
    checkNumber(`${name}.pair.probability`, pair.probability, 0, 1);
    checkInt(`${name}.pair.maxWidth`, pair.maxWidth, 1, Math.max(...candidates));
    // Sums of two grid indices span 0..2n−2: a larger block only adds evaluations of nothing.
    checkInt(`${name}.pair.block`, pair.block, 1, 2 * Math.max(...candidates));
  }
  if (p.twins !== undefined && p.twins !== null) {
    const twins = checkObject(`${name}.twins`, p.twins, 'null or { probability, radius }');
    checkNumber(`${name}.twins.probability`, twins.probability, 0, 1);
    checkInt(`${name}.twins.radius`, twins.radius, 1, Math.max(...candidates));
  }
  if (p.neighbour !== undefined && p.neighbour !== null) {
    const nb = checkObject(`${name}.neighbour`, p.neighbour, 'null or { probability, offsets, depth? }');
    checkNumber(`${name}.neighbour.probability`, nb.probability, 0, 1);
    const offsets = checkArray(`${name}.neighbour.offsets`, nb.offsets);
    if (offsets.length > 64) throw badArgument(`${name}.neighbour.offsets must hold at most 64 offsets, got ${offsets.length}`);
    offsets.forEach((o, i) => checkInt(`${name}.neighbour.offsets[${i}]`, o, i === 0 ? 1 : (offsets[i - 1] as number) + 1, Math.max(...candidates)));
    if (nb.depth !== undefined) checkInt(`${name}.neighbour.depth`, nb.depth, 1, 100);
  }
  if (p.jumps !== undefined && p.jumps !== null) {
    const jumps = checkObject(`${name}.jumps`, p.jumps, 'null or { probability, radius }');
    checkNumber(`${name}.jumps.probability`, jumps.probability, 0, 1);
    checkInt(`${name}.jumps.radius`, jumps.radius, 0, Math.max(...candidates));
    if (jumps.pairWidth !== undefined) checkInt(`${name}.jumps.pairWidth`, jumps.pairWidth, 0, Math.max(...candidates));
  }
  const pSpecial = ['pair', 'twins', 'neighbour', 'jumps'].reduce((sum, key) => sum + (((p[key] ?? null) as { probability?: number } | null)?.probability ?? 0), 0);
  if (pSpecial > 1) throw badArgument(`${name}: pair.probability + twins.probability + neighbour.probability + jumps.probability must not exceed 1, got ${pSpecial}`);
  if (p.start !== undefined) checkOneOf(`${name}.start`, p.start, ['random', 'greedy']);
  if (p.temperatures !== undefined) {
    const t = checkArray(`${name}.temperatures`, p.temperatures);
    if (t.length < 1 || t.length > 16) throw badArgument(`${name}.temperatures must hold 1 to 16 temperatures starting with 1, got ${t.length}`);
    t.forEach((v, i) => checkNumber(`${name}.temperatures[${i}]`, v, i === 0 ? 1 : (t[i - 1] as number), i === 0 ? 1 : 1e6, i === 0 ? {} : { minExclusive: true }));
  }
  checkInt(`${name}.burnIn`, p.burnIn, 0, 1e9);
  const iterations = checkInt(`${name}.iterations`, p.iterations, 1, MAX_ITERATIONS);
  const probes = checkArray(`${name}.probes`, p.probes);
  if (probes.length !== 0 && probes.length !== d) throw badArgument(`${name}.probes must be empty or hold ${d} coordinate arrays, got ${probes.length}`);
  const nProbe = probes.length > 0 ? checkFloat64(`${name}.probes[0]`, probes[0]).length : 0;
  probes.forEach((c, j) => checkColumn(`${name}.probes[${j}]`, c, nProbe));
  checkElements(`${name}.iterations·probes`, iterations, Math.max(nProbe, 1));
  return problem as ChainProblem;
}

/**
 * records must be a nonempty array of ChainRecords with at least j+1 coordinates (j an integer
 * ≥ 0) and at least one recorded iteration in all: per-iteration k and knot offsets of the
 * recorded length, knot indices in [0, candidates) (when candidates is given, else ≥ 0).
 */
export function checkChainRecords(name: string, records: unknown, j: unknown, candidates?: number): ChainRecord[] {
  const list = checkArray(name, records);
  if (list.length === 0) throw badArgument(`${name} must hold at least one chain record`);
  const jj = checkInt('j', j, 0, MAX_COORDINATES - 1);
  const bound = candidates ?? 2 ** 31 - 1;
  let total = 0;
  list.forEach((rec, c) => {
    const r = checkObject(`${name}[${c}]`, rec, 'a ChainRecord');
    const iterations = checkInt(`${name}[${c}].iterations`, r.iterations, 0, MAX_ITERATIONS);
    total += iterations;
    const k = checkArray(`${name}[${c}].k`, r.k);
    const offsets = checkArray(`${name}[${c}].knotOffsets`, r.knotOffsets, k.length);
    const index = checkArray(`${name}[${c}].knotIndex`, r.knotIndex, k.length);
    if (jj >= k.length) throw badArgument(`j must be a coordinate of the records (0..${k.length - 1}), got ${jj}`);
    const kj = checkInt32(`${name}[${c}].k[${jj}]`, k[jj], iterations);
    const oj = checkInt32(`${name}[${c}].knotOffsets[${jj}]`, offsets[jj], iterations + 1);
    const ij = checkInt32(`${name}[${c}].knotIndex[${jj}]`, index[jj]);
    for (let t = 0; t < iterations; t++) {
      if (kj[t] < 0 || oj[t + 1] - oj[t] !== kj[t] || oj[t] < 0 || oj[t + 1] > ij.length) {
        throw badArgument(`${name}[${c}] is inconsistent at iteration ${t}: k = ${kj[t]}, knot offsets ${oj[t]}..${oj[t + 1]} of ${ij.length} indices`);
      }
    }
    for (let i = 0; i < ij.length; i++) {
      if (ij[i] < 0 || ij[i] >= bound) throw badArgument(`${name}[${c}].knotIndex[${jj}][${i}] must be a grid index in [0, ${bound}), got ${ij[i]}`);
    }
  });
  if (total === 0) throw badArgument(`${name} must hold at least one recorded iteration`);
  return records as ChainRecord[];
}
