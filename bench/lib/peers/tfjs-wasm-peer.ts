/**
 * TensorFlow.js' WebAssembly backend (@tensorflow/tfjs-backend-wasm, XNNPACK inside) as a
 * benchmark peer, single-threaded: the non-threaded SIMD build is forced (on a page that is
 * cross-origin isolated tfjs would otherwise pick its threaded build).
 *
 * Dense products go through tf.matMul(X, B) with B stored k×n and no transposes — the only
 * case tfjs hands to XNNPACK's fully-connected operator, which packs B once and caches the
 * packed copy by tensor id (tfjs-backend-wasm/src/cc/batch_mat_mul_impl.cc). Any transpose
 * flag falls back to a blocked scalar loop, many times slower, which we do not measure.
 * Outputs stay inside tfjs' wasm memory, as ours do.
 */
import { SparseInferenceError } from '../../../src/core/errors.js';
import { importPeer, packageDistUrl, urlToLocalPath } from './import-peer.js';
import { transpose, type MatMulPeer, type PeerProduct } from './matmul-peer.js';

interface TfTensor { dispose(): void; dataSync(): ArrayLike<number> }

/** The slice of @tensorflow/tfjs-core used here. */
interface TfCore {
  env(): { set(flag: string, value: unknown): void };
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  tensor1d(values: Float32Array): TfTensor;
  matMul(a: TfTensor, b: TfTensor, transposeA?: boolean, transposeB?: boolean): TfTensor;
  topk(x: TfTensor, k: number, sorted?: boolean): { values: TfTensor; indices: TfTensor };
  version_core: string;
}

/** The slice of @tensorflow/tfjs-backend-wasm used here. */
interface TfWasm {
  setWasmPaths(prefix: string): void;
  version_wasm: string;
}

export interface TfjsWasmPeer extends MatMulPeer {
  version: string;
  /** tf.topk(x, k, sorted = true) on a resident 1-D tensor: run() leaves values and indices in tfjs memory. */
  topK(x: Float32Array, k: number): { run(): void; indices(): Int32Array; dispose(): void };
}

let loaded: Promise<TfjsWasmPeer> | null = null;

/**
 * Load tfjs-core and its wasm backend once per realm.
 * @param modules - the two modules, when the caller bundled them (browser); default: import by name.
 * @param wasmPath - folder (URL or path, ending in '/') holding tfjs-backend-wasm-simd.wasm;
 *   default: the package's dist folder in node_modules.
 * @example const tfjs = await loadTfjsWasmPeer(); tfjs.name // 'tfjs-wasm'
 */
export function loadTfjsWasmPeer(modules?: { core: unknown; wasm: unknown }, wasmPath?: string): Promise<TfjsWasmPeer> {
  loaded ??= load(modules, wasmPath);
  loaded.catch(() => { loaded = null; });
  return loaded;
}

async function load(modules?: { core: unknown; wasm: unknown }, wasmPath?: string): Promise<TfjsWasmPeer> {
  const tf = (modules?.core ?? await importPeer('@tensorflow/tfjs-core')) as unknown as TfCore;
  const tfw = (modules?.wasm ?? await importPeer('@tensorflow/tfjs-backend-wasm')) as unknown as TfWasm;
  const dir = wasmPath ?? packageDistUrl('@tensorflow/tfjs-backend-wasm');
  if (dir === null) {
    throw new SparseInferenceError('UNAVAILABLE', 'tfjs-backend-wasm: no wasm path given and none can be resolved here');
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // single-threaded SIMD build
  tfw.setWasmPaths(urlToLocalPath(dir));
  if (!(await tf.setBackend('wasm')) || tf.getBackend() !== 'wasm') {
    throw new SparseInferenceError('UNAVAILABLE', 'tfjs-backend-wasm failed to initialise');
  }
  const version = `tfjs-core ${tf.version_core}, tfjs-backend-wasm ${tfw.version_wasm}`;
  return {
    name: 'tfjs-wasm',
    version,
    description: `${version}: tf.matMul(X, B[k,n]) → XNNPACK fully-connected (B packed once), 1 thread`,
    async product(X, Bt, m, k, n): Promise<PeerProduct> {
      const x = tf.tensor2d(X, [m, k]);
      const b = tf.tensor2d(transpose(Bt, n, k), [k, n]);
      const once = () => tf.matMul(x, b, false, false);
      once().dispose(); // packs B
      return {
        run: () => { once().dispose(); },
        output: async () => { const y = once(); const v = Float32Array.from(y.dataSync()); y.dispose(); return v; },
        dispose: () => { x.dispose(); b.dispose(); },
      };
    },
    topK(values, kk) {
      const x = tf.tensor1d(values);
      const once = () => tf.topk(x, kk, true);
      return {
        run: () => { const r = once(); r.values.dispose(); r.indices.dispose(); },
        indices: () => {
          const r = once();
          const out = Int32Array.from(r.indices.dataSync());
          r.values.dispose(); r.indices.dispose();
          return out;
        },
        dispose: () => x.dispose(),
      };
    },
  };
}
