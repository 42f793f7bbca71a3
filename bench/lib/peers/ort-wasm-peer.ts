/**
 * onnxruntime-web's WebAssembly execution provider (MLAS kernels) as a benchmark peer, with
 * env.wasm.numThreads = 1 (single-threaded, no worker proxy). Each product is a one-node model
 * (see onnx-matmul-model.ts) whose weights are an initializer, packed once at session creation.
 *
 * Two peers, because exporters write a linear layer either way and MLAS treats them
 * differently: 'ort-wasm-matmul' (MatMul with B k×n) and 'ort-wasm-gemm' (Gemm, transB = 1,
 * B n×k). session.run copies Y out of the wasm heap into a new JS array on every call; that
 * copy is part of what a user of this API pays, and it is in the measured time.
 */
import { SparseInferenceError } from '../../../src/core/errors.js';
import { importPeer, packageDistUrl } from './import-peer.js';
import { onnxMatMulModel, type OnnxMatMulOp } from './onnx-matmul-model.js';
import { transpose, type MatMulPeer, type PeerProduct } from './matmul-peer.js';

interface OrtTensor { readonly data: unknown; dispose?(): void }
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
/** The slice of onnxruntime-web used here. */
interface Ort {
  env: { wasm: { numThreads?: number; proxy?: boolean; wasmPaths?: unknown }; versions?: { web?: string } };
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
}

export interface OrtWasmPeers {
  version: string;
  peers: MatMulPeer[];
}

let loaded: Promise<OrtWasmPeers> | null = null;

/**
 * Load onnxruntime-web once per realm and configure its wasm backend for one thread.
 * @param module - the module, when the caller bundled it (browser); default: import by name.
 * @param wasmPath - URL of the folder holding ort-wasm-simd-threaded.{mjs,wasm}, ending in '/';
 *   default: the package's dist folder in node_modules.
 * @example const { peers } = await loadOrtWasmPeers(); peers.map((p) => p.name)
 */
export function loadOrtWasmPeers(module?: unknown, wasmPath?: string): Promise<OrtWasmPeers> {
  loaded ??= load(module, wasmPath);
  loaded.catch(() => { loaded = null; });
  return loaded;
}

async function load(module?: unknown, wasmPath?: string): Promise<OrtWasmPeers> {
  const ort = (module ?? await importPeer('onnxruntime-web')) as unknown as Ort;
  const dir = wasmPath ?? packageDistUrl('onnxruntime-web');
  if (dir === null) {
    throw new SparseInferenceError('UNAVAILABLE', 'onnxruntime-web: no wasm path given and none can be resolved here');
  }
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = dir;
  const version = `onnxruntime-web ${ort.env.versions?.web ?? '?'}`;
  const peer = (name: string, op: OnnxMatMulOp, what: string): MatMulPeer => ({
    name,
    description: `${version}: ${what} (B an initializer, prepacked), numThreads = 1; Y copied to JS per run`,
    async product(X, Bt, m, k, n): Promise<PeerProduct> {
      const weights = op === 'MatMul' ? transpose(Bt, n, k) : Bt;
      const session = await ort.InferenceSession.create(onnxMatMulModel({ op, m, k, n, weights }), {
        executionProviders: ['wasm'], graphOptimizationLevel: 'all',
      });
      const feeds = { X: new ort.Tensor('float32', X, [m, k]) };
      const once = async () => (await session.run(feeds)).Y;
      (await once()).dispose?.();
      return {
        run: async () => { (await once()).dispose?.(); },
        output: async () => {
          const y = await once();
          const v = Float32Array.from(y.data as Float32Array);
          y.dispose?.();
          return v;
        },
        dispose: () => session.release(),
      };
    },
  });
  // Session creation is where a broken install shows: try one tiny model now.
  const probe = await peer('probe', 'MatMul', '').product(new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 2, 1);
  const y = await probe.output();
  await probe.dispose();
  if (y.length !== 1 || y[0] !== 11) throw new SparseInferenceError('UNAVAILABLE', `onnxruntime-web probe gave ${Array.from(y)}, not [11]`);
  return {
    version,
    peers: [
      peer('ort-wasm-matmul', 'MatMul', 'MatMul(X, B[k,n])'),
      peer('ort-wasm-gemm', 'GemmTransB', 'Gemm(X, B[n,k], transB = 1)'),
    ],
  };
}
