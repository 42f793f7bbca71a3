/**
 * The llama-gguf-kernels suite: the matrix products of SmolLM2-135M (Q4_1 GGUF) on the wasm
 * backend, float activations against int8 activations (llama.cpp's scheme: quantizeQ8_1, then
 * integer dot products), at the model's shapes: decode (one vector) and block prefill (32
 * vectors). The int8 tasks include quantizing the activations, as the model pays for it (once
 * per matrix input; q/k/v and gate/up share it, so this overstates its share). Weights are
 * random bytes with small finite f16 scales, resident in WASM memory.
 *
 * @example npx tsx bench/lib/main.ts llama-gguf-kernels --quick
 */
import { createKernels } from '../../../src/backends/create-kernels.js';
import type { ResidentArray } from '../../../src/kernels/kernels.js';
import { quantizedRowWords, type QuantizedType } from '../../../src/kernels/quantized-row-words.js';
import { q8ActivationWords } from '../../../src/kernels/q8-activation-words.js';
import { Rng } from '../../../src/core/rng.js';
import { runSuite, sink, type BenchTask, type RatioSpec, type SuiteOptions, type SuiteResult } from '../harness.js';

/** SmolLM2-135M: q/o (576×576), gate/up (1536×576), down (576×1536), the tied Q8_0 classifier (49152×576). */
const SHAPES: [string, QuantizedType, number, number][] = [
  ['wq', 'Q4_1', 576, 576], ['w1', 'Q4_1', 1536, 576], ['w2', 'Q4_1', 576, 1536], ['wcls', 'Q8_0', 49152, 576],
];
const BLOCK = 32;

export async function llamaGgufKernelsSuite(opts: SuiteOptions = {}): Promise<SuiteResult> {
  const k = await createKernels({ backend: 'wasm' });
  const rng = new Rng(7);
  const owned: ResidentArray<Float32Array | Int32Array>[] = [];
  const tasks: BenchTask[] = [];
  const ratios: RatioSpec[] = [];
  const name = (kernel: string, shape: string) => `llama-gguf-kernels/${kernel}:wasm-${k.variant}:${shape}`;
  try {
    for (const [label, type, rows, cols] of SHAPES) {
      const W = k.allocI32(rows * quantizedRowWords(type, cols));
      owned.push(W);
      const bytes = new Uint8Array(W.view().buffer, W.view().byteOffset, W.view().byteLength);
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(256 * rng.uniform());
      // Scales: f16 0x2000–0x23ff (≈ 0.008–0.016), finite and positive.
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const rowBytes = 4 * quantizedRowWords(type, cols);
      for (let r = 0; r < rows; r++) {
        for (let b = 0; b < cols / 32; b++) {
          if (type === 'Q4_1') { dv.setUint16(r * rowBytes + 20 * b, 0x2000 | (b & 0x3ff), true); dv.setUint16(r * rowBytes + 20 * b + 2, 0xa000, true); }
          else dv.setUint16(r * rowBytes + cols + 2 * b, 0x2000 | (b & 0x3ff), true);
        }
      }
      const X = k.allocF32(BLOCK * cols), Xq = k.allocI32(BLOCK * q8ActivationWords(cols)), Y = k.allocF32(BLOCK * rows);
      owned.push(X, Xq, Y);
      for (let i = 0; i < X.length; i++) X.view()[i] = 2 * rng.uniform() - 1;
      const shape = `${label} ${rows}x${cols} ${type}`;
      const float = type === 'Q4_1' ? { gemv: 'gemvQ4_1', gemm: 'gemmQ4_1' } as const : { gemv: 'gemvQ8_0', gemm: 'gemmQ8_0' } as const;
      const int8 = type === 'Q4_1' ? { gemv: 'gemvQ4_1Q8_1', gemm: 'gemmQ4_1Q8_1' } as const : { gemv: 'gemvQ8_0Q8_1', gemm: 'gemmQ8_0Q8_1' } as const;
      const weightBytes = 4 * W.length;
      tasks.push(
        { name: name(float.gemv, shape), bytes: weightBytes, fn: () => { k[float.gemv](W.view(), X.view().subarray(0, cols), Y.view(), rows, cols); sink(Y.view()[0]); } },
        { name: name(`quantizeQ8_1+${int8.gemv}`, shape), bytes: weightBytes, fn: () => {
          const xq = Xq.view().subarray(0, q8ActivationWords(cols));
          k.quantizeQ8_1(X.view().subarray(0, cols), xq, cols);
          k[int8.gemv](W.view(), xq, Y.view(), rows, cols);
          sink(Y.view()[0]);
        } },
        { name: name(float.gemm, `${shape} n${BLOCK}`), bytes: weightBytes, fn: () => { k[float.gemm](W.view(), X.view(), Y.view(), rows, cols, BLOCK); sink(Y.view()[0]); } },
        { name: name(`quantizeQ8_1+${int8.gemm}`, `${shape} n${BLOCK}`), bytes: weightBytes, fn: () => {
          k.quantizeQ8_1(X.view(), Xq.view(), BLOCK * cols);
          k[int8.gemm](W.view(), Xq.view(), Y.view(), rows, cols, BLOCK);
          sink(Y.view()[0]);
        } },
      );
      ratios.push(
        { name: `decode ${shape}: int8 / float activations`, unit: 'x', value: (t) => t(name(float.gemv, shape)).medianMs / t(name(`quantizeQ8_1+${int8.gemv}`, shape)).medianMs },
        { name: `prefill (n ${BLOCK}) ${shape}: int8 / float activations`, unit: 'x',
          value: (t) => t(name(float.gemm, `${shape} n${BLOCK}`)).medianMs / t(name(`quantizeQ8_1+${int8.gemm}`, `${shape} n${BLOCK}`)).medianMs },
      );
    }
    return await runSuite('llama-gguf-kernels', tasks, { ...opts, ratios,
      notes: ['wasm backend, one thread; int8 tasks include quantizeQ8_1 of their input; GB/s = weight bytes / time',
        `command: npx tsx bench/lib/main.ts llama-gguf-kernels${opts.quick ? ' --quick' : ''} --out bench/results`] });
  } finally {
    for (const a of owned) a.dispose();
  }
}
