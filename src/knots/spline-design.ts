/**
 * The tensor-product B-spline design of the knot sampler, kept in sparse form.
 *
 * Coordinate j contributes rows with w_j = q_j+1 consecutive nonzeros (first column + values);
 * a tensor row is the Kronecker product of the coordinate rows, with column index
 * l = Σ_j l_j·stride_j (the last coordinate varies fastest, as in R's `kronecker`). Its Gram
 * matrix BᵀWB is banded with half-bandwidth Σ_j q_j·stride_j, so building it costs
 * O(m·Π w_j²) and its banded Cholesky O(p·bw²) — for d = 1, O(m q² + p q²), independent of
 * how many knots there are except through p (He, Yang & Kang, arXiv 2405.13353, §3).
 *
 * Hot loops go through the Kernels interface (bsplineBasis, bandedGram); the d > 1 Gram is
 * accumulated here in TypeScript.
 *
 * Resident mode ({ resident: true }, for a chain's lifetime; call dispose() at the end): x, the
 * coordinate rows, the Gram buffers and the response live in the backend's memory
 * (kernels.allocF64/allocI32), so on wasm neither kernel copies its arguments: x is written once,
 * bsplineBasis writes the rows in place and bandedGram reads them there. Their arrays are
 * reached through getters that re-take the views, because growing WASM memory detaches views.
 */
import { badArgument } from '../core/errors.js';
import { checkFloat64, checkInt, checkInt32, describe } from '../core/validate.js';
import type { CpuKernels, ResidentArray } from '../kernels/kernels.js';

/** One coordinate's sparse rows for all m points. */
export interface CoordinateRows {
  /** Int32Array(m): first nonzero column. */
  first: Int32Array;
  /** Float64Array(m·width). */
  values: Float64Array;
  /** Nonzeros per row (degree + 1). */
  width: number;
  /** Columns of this coordinate's basis (k + degree + 1). */
  cols: number;
}

/** Banded normal equations: band (p·(bw+1), layout of src/core/banded) and BᵀWz. */
export interface GramBuffers {
  band: Float64Array;
  btz: Float64Array;
  p: number;
  bw: number;
}

/** Buffers for one coordinate's rows of m points at this degree (cols is set by computeRows). */
export function allocRows(m: number, degree: number): CoordinateRows {
  return { first: new Int32Array(m), values: new Float64Array(m * (degree + 1)), width: degree + 1, cols: 0 };
}

/**
 * Shared design machinery for m points in d coordinates (each already scaled to [0, 1]).
 * Not thread-safe; one per chain.
 */
export class SplineDesign {
  readonly m: number;
  readonly d: number;
  private gramBuf: GramBuffers = { band: new Float64Array(0), btz: new Float64Array(0), p: 0, bw: 0 };
  private offsets = new Int32Array(0);
  private prods = new Float64Array(0);
  /** Resident arrays owned by this design (resident mode), freed by dispose(). */
  private readonly owned: ResidentArray<Float64Array | Int32Array>[] = [];
  private readonly resident: boolean;
  private readonly xAt: (j: number) => Float64Array;

  constructor(readonly kernels: CpuKernels, readonly xs: Float64Array[], readonly degrees: number[], opts: { resident?: boolean } = {}) {
    this.m = xs[0].length;
    this.d = xs.length;
    this.resident = opts.resident === true && kernels.allocF64 !== undefined;
    if (!this.resident) {
      this.xAt = (j) => this.xs[j];
      return;
    }
    const copies = xs.map((x) => this.residentCopy(x));
    this.xAt = (j) => copies[j]();
    let band = this.allocF64(16), btz = this.allocF64(16);
    const g = this.gramBuf;
    Object.defineProperty(g, 'band', { get: () => band.view() });
    Object.defineProperty(g, 'btz', { get: () => btz.view() });
    this.growGram = (need, p) => {
      if (band.length < need) band = this.replace(band, Math.max(need, 2 * band.length));
      if (btz.length < p) btz = this.replace(btz, Math.max(p, 2 * btz.length));
    };
  }

  /**
   * Buffers for one coordinate's rows of m points at this degree (cols is set by computeRows);
   * resident when the design is.
   */
  allocRows(degree: number): CoordinateRows {
    if (!this.resident) return allocRows(this.m, degree);
    const first = this.kernels.allocI32(this.m), values = this.allocF64(this.m * (degree + 1));
    this.owned.push(first);
    return {
      get first() { return first.view(); },
      get values() { return values.view(); },
      width: degree + 1,
      cols: 0,
    };
  }

  /** A copy of a that the kernels read in place (resident mode), as a function returning its current view. */
  residentCopy(a: Float64Array): () => Float64Array {
    if (!this.resident) return () => a;
    const r = this.allocF64(a.length);
    r.view().set(a);
    return () => r.view();
  }

  /** Free the resident arrays (a no-op otherwise). The design must not be used afterwards. */
  dispose(): void {
    for (const r of this.owned) r.dispose();
    this.owned.length = 0;
  }

  private allocF64(length: number): ResidentArray<Float64Array> {
    const r = this.kernels.allocF64!(length);
    this.owned.push(r);
    return r;
  }

  private replace(old: ResidentArray<Float64Array>, length: number): ResidentArray<Float64Array> {
    old.dispose();
    this.owned.splice(this.owned.indexOf(old), 1);
    return this.allocF64(length);
  }

  /** Rows of coordinate j for knot vector t (length nt) into `into`. */
  computeRows(j: number, t: Float64Array, nt: number, into: CoordinateRows): void {
    const q = this.degrees[j];
    this.kernels.bsplineBasis(this.xAt(j), this.m, t, nt, q, into.first, into.values);
    into.cols = nt - q - 1;
  }

  /** Number of tensor columns and the Gram half-bandwidth for these coordinate bases. */
  shape(coords: CoordinateRows[]): { p: number; bw: number } {
    let p = 1, bw = 0, stride = 1;
    for (let j = coords.length - 1; j >= 0; j--) {
      bw += (coords[j].width - 1) * stride;
      stride *= coords[j].cols;
      p *= coords[j].cols;
    }
    return { p, bw: Math.min(bw, p - 1) };
  }

  /**
   * BᵀWB (banded) and BᵀWz for the design of these coordinate rows; weights null = unit.
   * The returned buffers are reused by the next call.
   */
  gram(coords: CoordinateRows[], weights: Float64Array | null, z: Float64Array): GramBuffers {
    const { p, bw } = this.shape(coords);
    const g = this.ensureGram(p, bw);
    if (coords.length === 1) {
      const c = coords[0];
      if (bw === c.width - 1) {
        this.kernels.bandedGram(c.first, c.values, this.m, c.width, weights, z, p, g.band, g.btz);
        return g;
      }
    }
    if (coords.length === 2) this.tensorGram2(coords[0], coords[1], weights, z, g);
    else this.tensorGram(coords, weights, z, g);
    return g;
  }

  /**
   * The d = 2 Gram with plain nested loops over (a1, a2) ≥ (b1, b2): the same sums as
   * tensorGram, about 3x faster because nothing is indexed through offset tables.
   */
  private tensorGram2(c1: CoordinateRows, c2: CoordinateRows, weights: Float64Array | null, z: Float64Array, g: GramBuffers): void {
    const { p, bw, band, btz } = g;
    const W1 = bw + 1, p2 = c2.cols, w1 = c1.width, w2 = c2.width;
    band.fill(0, 0, p * W1);
    btz.fill(0, 0, p);
    const f1 = c1.first, f2 = c2.first, v1 = c1.values, v2 = c2.values;
    for (let i = 0; i < this.m; i++) {
      const wi = weights === null ? 1 : weights[i];
      const zi = wi * z[i];
      const o1 = i * w1, o2 = i * w2;
      const c0 = f1[i] * p2 + f2[i];
      for (let a1 = 0; a1 < w1; a1++) {
        const x1 = v1[o1 + a1];
        if (x1 === 0) continue;
        for (let a2 = 0; a2 < w2; a2++) {
          const vu = x1 * v2[o2 + a2];
          const col = c0 + a1 * p2 + a2;
          btz[col] += vu * zi;
          const wv = wi * vu;
          const row = col * W1;
          // (b1, b2) < (a1, a2) lexicographically, or equal: offset (a1−b1)·p2 + (a2−b2) ≥ 0.
          for (let b1 = 0; b1 <= a1; b1++) {
            const y1 = wv * v1[o1 + b1];
            const base = row + (a1 - b1) * p2 + a2;
            const top = b1 === a1 ? a2 : w2 - 1;
            for (let b2 = 0; b2 <= top; b2++) band[base - b2] += y1 * v2[o2 + b2];
          }
        }
      }
    }
  }

  /** out[i] = (B·β)_i for the design of these coordinate rows. */
  multiply(coords: CoordinateRows[], beta: Float64Array, out: Float64Array): void {
    const m = this.m;
    if (coords.length === 1) {
      // One coordinate: the same sums in the same order, with the row arrays read once (in
      // resident mode they are getters).
      const { first, values, width } = coords[0];
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let a = 0; a < width; a++) s += values[i * width + a] * beta[first[i] + a];
        out[i] = s;
      }
      return;
    }
    const W = this.prepareTensor(coords);
    for (let i = 0; i < m; i++) {
      const c0 = this.rowProducts(coords, i, W);
      let s = 0;
      for (let u = 0; u < W; u++) s += this.prods[u] * beta[c0 + this.offsets[u]];
      out[i] = s;
    }
  }

  private ensureGram(p: number, bw: number): GramBuffers {
    this.growGram(p * (bw + 1), p);
    const g = this.gramBuf;
    g.p = p; g.bw = bw;
    return g;
  }

  /** Grow the Gram buffers to at least `need` band and p btz entries (replaced in resident mode). */
  private growGram = (need: number, p: number): void => {
    const g = this.gramBuf;
    if (g.band.length < need) g.band = new Float64Array(Math.max(need, 2 * g.band.length));
    if (g.btz.length < p) g.btz = new Float64Array(Math.max(p, 2 * g.btz.length));
  };

  /** Offsets (relative to a row's first column) of the Π w_j tensor nonzeros, ascending. */
  private prepareTensor(coords: CoordinateRows[]): number {
    let W = 1;
    for (const c of coords) W *= c.width;
    if (this.offsets.length < W) { this.offsets = new Int32Array(W); this.prods = new Float64Array(W); }
    let stride = 1;
    const strides: number[] = new Array(coords.length);
    for (let j = coords.length - 1; j >= 0; j--) { strides[j] = stride; stride *= coords[j].cols; }
    // Enumerate multi-indices with the last coordinate fastest: ascending offsets.
    for (let u = 0; u < W; u++) {
      let rem = u, off = 0;
      for (let j = coords.length - 1; j >= 0; j--) {
        const a = rem % coords[j].width;
        rem = (rem - a) / coords[j].width;
        off += a * strides[j];
      }
      this.offsets[u] = off;
    }
    this.strides = strides;
    return W;
  }

  private strides: number[] = [];

  /** Fill prods with row i's tensor values; returns its first column. */
  private rowProducts(coords: CoordinateRows[], i: number, W: number): number {
    let c0 = 0;
    this.prods[0] = 1;
    let len = 1;
    for (let j = 0; j < coords.length; j++) {
      const c = coords[j];
      c0 += c.first[i] * this.strides[j];
      const o = i * c.width;
      // Kronecker product in place, from the back so earlier entries are read before overwritten.
      for (let u = len - 1; u >= 0; u--) {
        const pu = this.prods[u];
        for (let a = c.width - 1; a >= 0; a--) this.prods[u * c.width + a] = pu * c.values[o + a];
      }
      len *= c.width;
    }
    return c0;
  }

  private tensorGram(coords: CoordinateRows[], weights: Float64Array | null, z: Float64Array, g: GramBuffers): void {
    const { p, bw } = g;
    const w1 = bw + 1;
    g.band.fill(0, 0, p * w1);
    g.btz.fill(0, 0, p);
    const W = this.prepareTensor(coords);
    const off = this.offsets, pr = this.prods, band = g.band, btz = g.btz;
    for (let i = 0; i < this.m; i++) {
      const c0 = this.rowProducts(coords, i, W);
      const wi = weights === null ? 1 : weights[i];
      const zi = wi * z[i];
      for (let u = 0; u < W; u++) {
        const vu = pr[u];
        if (vu === 0) continue;
        const col = c0 + off[u];
        btz[col] += vu * zi;
        const wv = wi * vu;
        const row = col * w1;
        for (let v = 0; v <= u; v++) band[row + off[u] - off[v]] += wv * pr[v];
      }
    }
  }
}

/** The scorers' design argument: a SplineDesign the library built (it has no public constructor). */
export function checkSplineDesign(name: string, design: unknown): SplineDesign {
  if (!(design instanceof SplineDesign)) throw badArgument(`${name} must be a SplineDesign, got ${describe(design)}`);
  return design;
}

/**
 * The scorers' coords argument: 1..d coordinates' rows for the design's m points (allocRows +
 * computeRows), checked in O(coordinates); the band kernels check the column indices.
 */
export function checkCoordinates(name: string, coords: unknown, design: SplineDesign): CoordinateRows[] {
  if (!Array.isArray(coords) || coords.length < 1 || coords.length > design.d) {
    throw badArgument(`${name} must be an array of 1..${design.d} CoordinateRows (allocRows + computeRows), got ${describe(coords)}`);
  }
  coords.forEach((c: Partial<CoordinateRows> | null, j) => {
    if (c === null || typeof c !== 'object') throw badArgument(`${name}[${j}] must be a CoordinateRows, got ${describe(c)}`);
    const width = checkInt(`${name}[${j}].width`, c.width, 1);
    checkInt(`${name}[${j}].cols`, c.cols, width);
    checkInt32(`${name}[${j}].first`, c.first, design.m);
    checkFloat64(`${name}[${j}].values`, c.values, design.m * width);
  });
  return coords as CoordinateRows[];
}
