/**
 * The FFN functions (gatedSparseSwiGlu, tealSparseSwiGlu, denseSwiGlu) on kernels whose results
 * arrive later (the CPU backends behind the harness's deferredKernels, and webgpu), against the same functions on
 * the matching CPU kernels (wasm; reference for reference-async), with device-resident weights:
 * - the async adapters run the very same kernels, so results (outputs, counts, zeroCounts,
 *   scratch) must be bit-identical — with device scratch (calls issued together) and with host
 *   scratch (calls settled one by one);
 * - webgpu computes SiLU and sums in float32, so outputs are compared within a float32 bound
 *   and thresholds are placed away (by more than that error) from the values they cut, so every
 *   keep/zero decision, every count and zeroCounts must still match exactly; the whole FFN is
 *   one GPU submission when the scratch is on the device.
 * Also: on CPU kernels the functions are bit-identical to the host-loop formulation they replaced
 * (gemv → SiLU/threshold on the host → vmmsp → spvmm), and bad input is rejected naming the argument.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAsyncBackends, describeEachCpuBackend } from '../_harness/each-backend.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels, Kernels } from '../../src/kernels/kernels.js';
import type { DeviceArray } from '../../src/kernels/device-array.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { acquireGpu } from '../../src/backends/webgpu/device.js';
import { GpuContext } from '../../src/backends/webgpu/gpu-context.js';
import { webgpuKernels } from '../../src/backends/webgpu/kernels.js';
import { denseSwiGlu, gatedSparseSwiGlu, silu, tealSparseSwiGlu, transpose } from '../../src/activations/sparse-swiglu.js';

const describeEachAsyncBackend = await loadAsyncBackends();

const SHAPES: [number, number][] = [[48, 200], [33, 97], [5, 13]];

/** A SwiGLU block with both layouts, per-row |terms| sums of the gate/up products, and x. */
function block(dim: number, hidden: number, seed: number) {
  const rng = new Rng(seed);
  const r = (n: number, s: number) => Float32Array.from({ length: n }, () => rng.normal() * s);
  const wGate = r(hidden * dim, 2 / Math.sqrt(dim)), wUp = r(hidden * dim, 1 / Math.sqrt(dim)), wDown = r(dim * hidden, 1 / Math.sqrt(hidden));
  const x = r(dim, 1);
  for (let j = 0; j < dim; j += 5) x[j] = 0; // exact zeros: spvmm skips them, TEAL counts them
  const wDownT = new Float32Array(hidden * dim); transpose(wDown, dim, hidden, wDownT);
  const wGateT = new Float32Array(dim * hidden); transpose(wGate, hidden, dim, wGateT);
  const wUpT = new Float32Array(dim * hidden); transpose(wUp, hidden, dim, wUpT);
  const pre = new Float32Array(hidden), up = new Float32Array(hidden);
  ref.gemv(wGate, x, pre, hidden, dim);
  ref.gemv(wUp, x, up, hidden, dim);
  const G = new Float64Array(hidden), U = new Float64Array(hidden); // Σ_j |W[i,j]·x_j|: the scale of a float32 sum's error
  for (let i = 0; i < hidden; i++) {
    for (let j = 0; j < dim; j++) { G[i] += Math.abs(wGate[i * dim + j] * x[j]); U[i] += Math.abs(wUp[i * dim + j] * x[j]); }
  }
  return { wGate, wUp, wDown, wDownT, wGateT, wUpT, x, pre, up, G, U };
}
type Block = ReturnType<typeof block>;

/**
 * Per-channel thresholds (CHESS-like: uneven, zeroing about half) placed at least 1e-3·G_i from
 * |SiLU(pre_i)|, where a float32 gemv's error is below 1e-5·G_i: any backend decides alike.
 */
function gateThresholds(b: Block, hidden: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: hidden }, (_, i) => {
    const g = Math.abs(silu(b.pre[i])), margin = 1e-3 * b.G[i] + 1e-6;
    let t = 0.6 * rng.uniform() * (1 + b.G[i] / 4);
    while (Math.abs(g - t) <= margin) t += margin;
    return t;
  });
}

/**
 * TEAL thresholds: x cuts at fixed levels (the threshold kernel is exact on every backend);
 * t_down in a gap of |h| wider than h's float32 error on either side.
 */
function tealThresholds(b: Block, dim: number, hidden: number, gate: number, up: number) {
  const t = { gate, up, down: 0 };
  const xs = (tt: number) => b.x.map((v) => (Math.abs(v) >= tt && v !== 0 ? v : 0));
  const g = new Float32Array(hidden), u = new Float32Array(hidden);
  ref.spvmm(xs(t.gate), b.wGateT, g, dim, hidden);
  ref.spvmm(xs(t.up), b.wUpT, u, dim, hidden);
  const h = Array.from(g, (v, i) => Math.fround(silu(v) * u[i]));
  const err = h.map((_, i) => 1e-4 * (b.G[i] * Math.abs(u[i]) + Math.abs(silu(g[i])) * b.U[i]) + 1e-6);
  const order = h.map((_, i) => i).sort((p, q) => Math.abs(h[p]) - Math.abs(h[q]));
  for (let r = Math.floor(hidden / 3); r < hidden - 1; r++) {
    const lo = order[r], hi = order[r + 1];
    const mid = (Math.abs(h[lo]) + Math.abs(h[hi])) / 2;
    if (order.every((i) => Math.abs(Math.abs(h[i]) - mid) > err[i])) { t.down = mid; break; }
  }
  return { t, h, err };
}

/** |a − b| ≤ 1e-4·bound_c + 1e-6 for every c (float32 FFN against float32 FFN, both rounded). */
function expectClose(got: Float32Array, want: Float32Array, bound: (c: number) => number, what: string): void {
  for (let c = 0; c < want.length; c++) {
    const allowed = 1e-4 * bound(c) + 1e-6;
    if (!(Math.abs(got[c] - want[c]) <= allowed)) throw new Error(`${what}[${c}]: got ${got[c]}, sync ${want[c]} (allowed ${allowed})`);
  }
}

function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) throw new Error(`${what}[${i}]: got ${got[i]}, sync ${want[i]}`);
}

describeEachAsyncBackend('sparse SwiGLU FFN on kernels whose results arrive later', (k, info) => {
  const exact = info.backend !== 'webgpu'; // the adapters run the sync backend's own kernels
  let sync: CpuKernels;
  const onDevice: DeviceArray<Float32Array>[] = [];
  const dev = (a: Float32Array) => { const d = k.allocF32(a.length); d.write(a); onDevice.push(d); return d; };
  const scratch = (n: number) => { const d = k.allocF32(n); onDevice.push(d); return d; };
  const freeAll = () => { for (const d of onDevice.splice(0)) d.dispose(); };

  beforeAll(async () => {
    sync = await createKernels({ backend: info.backend === 'reference' ? 'reference' : 'wasm' });
  });

  it('CATS/CHESS on these kernels equals it on CPU kernels: device scratch, host scratch, float64 thresholds', async () => {
    for (const [dim, hidden] of SHAPES) {
      const b = block(dim, hidden, dim * 7 + hidden);
      const t32 = gateThresholds(b, hidden, hidden), t64 = Float64Array.from(t32, (v, i) => (i % 3 === 0 ? v * (1 + 1e-12) : v));
      for (const [t, placement] of [[t32, 'device'], [t64, 'host']] as const) {
        const want = new Float32Array(dim), wGateS = new Float32Array(hidden), wInter = new Float32Array(hidden), wZeros = new Float64Array(hidden);
        const wantKept = await gatedSparseSwiGlu(sync, b.wGate, b.wUp, b.wDownT, b.x, t, want, wGateS, wInter, dim, hidden, wZeros);
        const out = new Float32Array(dim), zeros = new Float64Array(hidden);
        const gate = placement === 'device' ? scratch(hidden) : new Float32Array(hidden);
        const inter = placement === 'device' ? scratch(hidden) : new Float32Array(hidden);
        const kept = await gatedSparseSwiGlu(k, dev(b.wGate), dev(b.wUp), dev(b.wDownT), b.x,
          t instanceof Float32Array ? dev(t) : t, out, gate, inter, dim, hidden, zeros);
        const what = `${dim}×${hidden} ${placement}`;
        expect(kept, what).toBe(wantKept);
        expect(kept, what).toBeGreaterThan(0);
        expect(kept, what).toBeLessThan(hidden);
        expectSame(zeros, wZeros, `${what} zeroCounts`);
        const s = gate instanceof Float32Array ? gate : await gate.read();
        const h = inter instanceof Float32Array ? inter : await inter.read();
        if (exact) {
          expectSame(out, want, `${what} out`);
          expectSame(s, wGateS, `${what} gate`);
          expectSame(h, wInter, `${what} inter`);
        } else {
          for (let i = 0; i < hidden; i++) expect(s[i] === 0, `${what} s[${i}] zeroed`).toBe(wGateS[i] === 0);
          expectClose(out, want, (c) => {
            let T = 0;
            for (let i = 0; i < hidden; i++) if (wGateS[i] !== 0) T += Math.abs(b.wDownT[i * dim + c]) * (Math.abs(wGateS[i]) * b.U[i] + Math.abs(b.up[i]) * b.G[i]);
            return T;
          }, `${what} out`);
        }
      }
      freeAll();
    }
  });

  it('TEAL on these kernels equals it on CPU kernels, t_up = t_gate or not; device and host scratch', async () => {
    for (const [dim, hidden] of SHAPES) {
      const b = block(dim, hidden, dim * 11 + hidden);
      for (const [tg, tu] of [[0.6, 0.35], [0.5, 0.5]]) {
        const { t: tt, h, err } = tealThresholds(b, dim, hidden, tg, tu);
        expect(tt.down, 'a gap for t_down').toBeGreaterThan(0);
        for (const placement of ['device', 'host'] as const) {
          const want = new Float32Array(dim), ws = { xs: new Float32Array(dim), gate: new Float32Array(hidden), up: new Float32Array(hidden) };
          const wz = await tealSparseSwiGlu(sync, b.wGateT, b.wUpT, b.wDownT, b.x, tt, want, ws, dim, hidden);
          const out = new Float32Array(dim);
          const s = placement === 'device' ? { xs: scratch(dim), gate: scratch(hidden), up: scratch(hidden) }
            : { xs: new Float32Array(dim), gate: new Float32Array(hidden), up: new Float32Array(hidden) };
          const z = await tealSparseSwiGlu(k, dev(b.wGateT), dev(b.wUpT), dev(b.wDownT), b.x, tt, out, s, dim, hidden);
          const what = `${dim}×${hidden} ${placement} t_up ${tt.up}`;
          expect(z, what).toEqual(wz);
          expect(wz.downInputZeros, what).toBeGreaterThan(0);
          const sUp = s.up instanceof Float32Array ? s.up : await s.up.read();
          if (exact) {
            expectSame(out, want, `${what} out`);
            expectSame(sUp, ws.up, `${what} s.up`);
          } else {
            for (let i = 0; i < hidden; i++) expect(sUp[i] === 0, `${what} s(h)[${i}]`).toBe(ws.up[i] === 0);
            expectClose(out, want, (c) => {
              let T = 0;
              for (let i = 0; i < hidden; i++) if (ws.up[i] !== 0) T += Math.abs(b.wDownT[i * dim + c]) * (Math.abs(h[i]) + 1e4 * err[i]);
              return T;
            }, `${what} out`);
          }
        }
      }
      freeAll();
    }
  });

  it('dense on these kernels equals it on CPU kernels', async () => {
    for (const [dim, hidden] of SHAPES) {
      const b = block(dim, hidden, dim * 13 + hidden);
      const want = new Float32Array(dim), wg = new Float32Array(hidden);
      await denseSwiGlu(sync, b.wGate, b.wUp, b.wDown, b.x, want, wg, new Float32Array(hidden), dim, hidden);
      const out = new Float32Array(dim), gate = scratch(hidden);
      await denseSwiGlu(k, dev(b.wGate), dev(b.wUp), dev(b.wDown), b.x, out, gate, scratch(hidden), dim, hidden);
      if (exact) {
        expectSame(out, want, `${dim}×${hidden} out`);
        expectSame(await gate.read(), wg, `${dim}×${hidden} gate`);
      } else {
        expectClose(out, want, (c) => {
          let T = 0;
          for (let i = 0; i < hidden; i++) T += Math.abs(b.wDown[c * hidden + i]) * (Math.abs(silu(b.pre[i])) * b.U[i] + Math.abs(b.up[i]) * b.G[i]);
          return T;
        }, `${dim}×${hidden} dense out`);
      }
      freeAll();
    }
  });

  it('rejects bad input naming the argument', async () => {
    const dim = 4, hidden = 6, f = (n: number) => new Float32Array(n);
    const bad = async (p: Promise<unknown>, name: string) => {
      const e = await p.then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(SparseInferenceError);
      expect((e as SparseInferenceError).code).toBe('BAD_ARGUMENT');
      expect((e as Error).message).toMatch(new RegExp(`(^|\\W)${name.replace('.', '\\.')}(\\W|$)`));
    };
    const short = scratch(hidden * dim - 1);
    await bad(gatedSparseSwiGlu(k, short, f(24), f(24), f(4), f(6), f(4), f(6), f(6), dim, hidden), 'wGate');
    await bad(gatedSparseSwiGlu(k, f(24), f(24), f(24), f(4), new Float64Array(5), f(4), f(6), f(6), dim, hidden), 'tGate');
    await bad(gatedSparseSwiGlu(k, f(24), f(24), f(24), f(4), f(6), f(4), f(6), f(6), dim, hidden, new Float64Array(2)), 'zeroCounts');
    await bad(gatedSparseSwiGlu(k, f(24), f(24), f(24), f(4), f(6), f(4), f(6), f(6), 0, hidden), 'dim');
    const s = { xs: f(4), gate: f(6), up: f(6) };
    await bad(tealSparseSwiGlu(k, f(24), f(24), f(24), f(4), { gate: 0, up: 0, down: NaN }, f(4), s, dim, hidden), 't.down');
    await bad(tealSparseSwiGlu(k, f(24), f(24), f(24), f(4), { gate: 0, up: 0, down: 0 }, f(4), { ...s, up: f(5) }, dim, hidden), 's.up');
    await bad(denseSwiGlu(k, f(24), f(24), f(23), f(4), f(4), f(6), f(6), dim, hidden), 'wDown');
    freeAll();
  });

  if (info.backend === 'webgpu') {
    it('with device scratch the whole FFN is one GPU submission (CATS/CHESS and TEAL)', async () => {
      const ctx = new GpuContext(await acquireGpu());
      const gpu: Kernels = webgpuKernels(ctx, await createKernels({ backend: 'wasm' }), { cpuThreshold: 0 });
      const [dim, hidden] = SHAPES[0];
      const b = block(dim, hidden, 5);
      const up = (a: Float32Array) => { const d = gpu.allocF32(a.length); d.write(a); return d; };
      const w = [up(b.wGate), up(b.wUp), up(b.wDownT), up(gateThresholds(b, hidden, 6)), up(b.wGateT), up(b.wUpT)];
      const sc = [gpu.allocF32(hidden), gpu.allocF32(hidden), gpu.allocF32(dim)];
      const out = new Float32Array(dim);
      await w[0].read(); // the uploads above are done
      let before = ctx.submissions;
      await gatedSparseSwiGlu(gpu, w[0], w[1], w[2], b.x, w[3], out, sc[0], sc[1], dim, hidden);
      expect(ctx.submissions - before).toBe(1);
      before = ctx.submissions;
      await tealSparseSwiGlu(gpu, w[4], w[5], w[2], b.x, { gate: 0.5, up: 0.4, down: 0.05 }, out,
        { xs: sc[2], gate: sc[0], up: sc[1] }, dim, hidden);
      expect(ctx.submissions - before).toBe(1);
      for (const d of [...w, ...sc]) d.dispose();
    });
  }
});

/**
 * The synchronous FFNs against the host-loop formulation they replaced (SiLU, thresholds and
 * the SwiGLU product computed in JavaScript between kernel calls): bit for bit, on every sync
 * backend, for float64 thresholds at exact ties and a hair off them.
 */
describeEachCpuBackend('sparse SwiGLU FFN: kernel formulation = host-loop formulation, bit for bit', (k) => {
  it('gated, TEAL and dense', async () => {
    for (const [dim, hidden] of SHAPES) {
      const b = block(dim, hidden, dim + hidden);
      const rng = new Rng(hidden);
      const t = Float64Array.from(b.pre, (v) => {
        const a = Math.abs(silu(v)), u = rng.uniform();
        return u < 0.3 ? a : u < 0.4 ? a * (1 + 1e-15) : u < 0.5 ? 0 : rng.uniform() * 0.8;
      });
      // gated, the old way
      const g0 = new Float32Array(hidden), i0 = new Float32Array(hidden), o0 = new Float32Array(dim), z0 = new Float64Array(hidden);
      k.gemv(b.wGate, b.x, g0, hidden, dim);
      for (let i = 0; i < hidden; i++) {
        const g = silu(g0[i]);
        if (Math.abs(g) >= t[i]) g0[i] = g; else { g0[i] = 0; z0[i]++; }
      }
      const kept0 = k.vmmsp(b.x, b.wUp, g0, i0, hidden, dim);
      k.spvmm(i0, b.wDownT, o0, hidden, dim);
      const g1 = new Float32Array(hidden), i1 = new Float32Array(hidden), o1 = new Float32Array(dim), z1 = new Float64Array(hidden);
      expect(await gatedSparseSwiGlu(k, b.wGate, b.wUp, b.wDownT, b.x, t, o1, g1, i1, dim, hidden, z1)).toBe(kept0);
      for (const [p, q, what] of [[o1, o0, 'out'], [g1, g0, 'gate'], [i1, i0, 'inter'], [z1, z0, 'zeroCounts']] as const) expectSame(p, q, what);
      // TEAL, the old way
      const tt = { gate: 0.5, up: 0.3, down: 0.05 };
      const xs = new Float32Array(dim), hg = new Float32Array(hidden), hu = new Float32Array(hidden), o2 = new Float32Array(dim);
      const thr = (v: Float32Array, th: number, out: Float32Array, n: number) => {
        let zz = 0;
        for (let i = 0; i < n; i++) { const a = v[i]; if (Math.abs(a) >= th && a !== 0) out[i] = a; else { out[i] = 0; zz++; } }
        return zz;
      };
      const gz = thr(b.x, tt.gate, xs, dim);
      k.spvmm(xs, b.wGateT, hg, dim, hidden);
      const uz = thr(b.x, tt.up, xs, dim);
      k.spvmm(xs, b.wUpT, hu, dim, hidden);
      for (let i = 0; i < hidden; i++) hg[i] = silu(hg[i]) * hu[i];
      const dz = thr(hg, tt.down, hu, hidden);
      k.spvmm(hu, b.wDownT, o2, hidden, dim);
      const s = { xs: new Float32Array(dim), gate: new Float32Array(hidden), up: new Float32Array(hidden) }, o3 = new Float32Array(dim);
      expect(await tealSparseSwiGlu(k, b.wGateT, b.wUpT, b.wDownT, b.x, tt, o3, s, dim, hidden))
        .toEqual({ gateInputZeros: gz, upInputZeros: uz, downInputZeros: dz });
      expectSame(o3, o2, 'teal out'); expectSame(s.up, hu, 'teal s.up'); expectSame(s.gate, hg, 'teal s.gate');
      // dense, the old way
      const dg = new Float32Array(hidden), du = new Float32Array(hidden), o4 = new Float32Array(dim), o5 = new Float32Array(dim);
      k.gemv(b.wGate, b.x, dg, hidden, dim);
      k.gemv(b.wUp, b.x, du, hidden, dim);
      for (let i = 0; i < hidden; i++) dg[i] = silu(dg[i]) * du[i];
      k.gemv(b.wDown, dg, o4, dim, hidden);
      const dg1 = new Float32Array(hidden);
      await denseSwiGlu(k, b.wGate, b.wUp, b.wDown, b.x, o5, dg1, new Float32Array(hidden), dim, hidden);
      expectSame(o5, o4, 'dense out'); expectSame(dg1, dg, 'dense gate');
    }
  });
});

describe('zeroCounts rule', () => {
  it('a stored zero with t_i > 0 is a zeroed channel; SiLU(0) = 0 under t_i = 0 is not', async () => {
    const k = await createKernels({ backend: 'reference' });
    // dim 1, hidden 3: pre-activations 0, 0, 2 (W_gate·x with x = 1); thresholds 0, 0.1, 0.1
    const wGate = Float32Array.of(0, 0, 2), wUp = Float32Array.of(1, 1, 1), wDownT = Float32Array.of(1, 1, 1);
    const zeros = new Float64Array(3);
    const kept = await gatedSparseSwiGlu(k, wGate, wUp, wDownT, Float32Array.of(1), Float64Array.of(0, 0.1, 0.1), new Float32Array(1),
      new Float32Array(3), new Float32Array(3), 1, 3, zeros);
    expect(Array.from(zeros)).toEqual([0, 1, 0]);
    expect(kept).toBe(1); // vmmsp's count: only nonzero gates reach W_up (SiLU(0) = 0 is kept but is 0)
  });
});
