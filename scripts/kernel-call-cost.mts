/**
 * CPU nanoseconds per checked wasm `gemv` call of a given shape in one checkout: with a tiny shape
 * it measures the call layers (checks, binding, marshalling), with a real one the kernel. Run it on
 * two checkouts alternately to compare them.
 *
 *   npx tsx scripts/kernel-call-cost.mts TREE [rows] [cols] [calls]
 */
import path from 'node:path';

const [root, rowsArg, colsArg, callsArg] = process.argv.slice(2);
if (!root) throw new Error('usage: kernel-call-cost.mts TREE [rows] [cols] [calls]');
const src = (p: string) => import(path.join(path.resolve(root), 'src', p));
const { createKernels } = await src('backends/create-kernels.ts').catch(() => src('kernels/create.ts'));
const k = await createKernels({ backend: 'wasm' });
const rows = Number(rowsArg ?? 8), cols = Number(colsArg ?? 16), calls = Number(callsArg ?? 200_000);
const W = k.allocF32(rows * cols), x = k.allocF32(cols), y = k.allocF32(rows);
const Wv = W.view(), xv = x.view(), yv = y.view();
Wv.fill(0.5);
xv.fill(0.25);

function nsPerCall(fn: () => void): number {
  for (let i = 0; i < Math.min(calls, 20_000); i++) fn(); // warm-up
  const t0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) fn();
  const t = process.cpuUsage(t0);
  return ((t.user + t.system) * 1000) / calls;
}

console.log(`gemv ${rows}x${cols}, views: ${nsPerCall(() => k.gemv(Wv, xv, yv, rows, cols)).toFixed(0)} ns/call`);
try {
  console.log(`gemv ${rows}x${cols}, resident arrays: ${nsPerCall(() => k.gemv(W, x, y, rows, cols)).toFixed(0)} ns/call`);
} catch {
  console.log('this checkout takes no resident arrays as kernel arguments');
}
