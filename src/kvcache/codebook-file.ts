/**
 * Codebook files: a CodebookSet as a safetensors file (docs/kvcache.md#codebook-files), so
 * Python tools can read it (`safetensors.numpy.load_file`).
 *
 *   tensors   layers.<l>.kv_heads.<h>.centroids  F32 [size, head_dim]   key-space centroids C
 *             layers.<l>.kv_heads.<h>.factor     F32 [head_dim, head_dim] Cholesky factor L of the
 *                                                scaled query metric (query-aware sets only)
 *   metadata  format = "sparse-inference/a2ats-codebooks", version = "1", n_layers, n_kv_heads,
 *             head_dim, size, kind ("query-aware" | "plain"), wrope_window, wrope_distance,
 *             rope_base, rope_pairing, calibration_tokens, calibration_queries (all strings); optional
 *             kmeans_max_iterations, kmeans_seed, kmeans_iterations_mean, kmeans_iterations_max,
 *             kmeans_converged (how the codebooks were trained)
 *
 * Reading validates everything (header, dtypes, shapes, finiteness, triangular factor) and
 * fails with BAD_FILE naming what is wrong.
 */
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { parseSafetensors } from '../llama/safetensors.js';
import { Codebook } from './codebook.js';
import { CodebookSet, type CodebookSetInfo } from './codebook-set.js';

/** metadata.format and metadata.version of codebook files. */
export const CODEBOOK_FORMAT = 'sparse-inference/a2ats-codebooks';
export const CODEBOOK_FORMAT_VERSION = '1';

const name = (l: number, h: number, t: 'centroids' | 'factor') => `layers.${l}.kv_heads.${h}.${t}`;

/**
 * Serialise a CodebookSet to safetensors bytes.
 * @example await writeFile('codebooks.safetensors', writeCodebookFile(set));
 */
export function writeCodebookFile(set: CodebookSet): Uint8Array {
  if (!(set instanceof CodebookSet)) throw badArgument('set must be a CodebookSet');
  const i = set.info;
  const header: Record<string, unknown> = {
    __metadata__: {
      format: CODEBOOK_FORMAT, version: CODEBOOK_FORMAT_VERSION,
      n_layers: String(i.nLayers), n_kv_heads: String(i.nKvHeads), head_dim: String(i.headDim),
      size: String(i.size), kind: i.kind,
      wrope_window: String(i.wrope.window), wrope_distance: String(i.wrope.distance),
      rope_base: String(i.wrope.base), rope_pairing: i.wrope.pairing,
      calibration_tokens: String(i.calibrationTokens), calibration_queries: String(i.calibrationQueries),
      ...(i.kmeans ? {
        kmeans_max_iterations: String(i.kmeans.maxIterations), kmeans_seed: String(i.kmeans.seed),
        kmeans_iterations_mean: String(i.kmeans.iterationsMean), kmeans_iterations_max: String(i.kmeans.iterationsMax),
        kmeans_converged: String(i.kmeans.converged),
      } : {}),
    },
  };
  const chunks: Float32Array[] = [];
  let offset = 0;
  const add = (key: string, data: Float32Array, shape: number[]) => {
    header[key] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.length * 4] };
    chunks.push(data);
    offset += data.length * 4;
  };
  for (let l = 0; l < i.nLayers; l++) {
    for (let h = 0; h < i.nKvHeads; h++) {
      const cb = set.get(l, h);
      add(name(l, h, 'centroids'), cb.centroids, [i.size, i.headDim]);
      if (cb.factor) add(name(l, h, 'factor'), cb.factor, [i.headDim, i.headDim]);
    }
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' '; // align the data section (safetensors habit)
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const c of chunks) {
    for (let k = 0; k < c.length; k++) dv.setFloat32(at + 4 * k, c[k], true);
    at += c.length * 4;
  }
  return out;
}

/**
 * Parse and validate a codebook file.
 * @example const set = readCodebookFile(await readFile('codebooks.safetensors'));
 */
export function readCodebookFile(bytes: Uint8Array, fileName = 'codebook file'): CodebookSet {
  const bad = (msg: string) => new SparseInferenceError('BAD_FILE', `${fileName}: ${msg}`);
  const st = parseSafetensors(bytes, fileName);
  const m = st.metadata;
  if (m.format !== CODEBOOK_FORMAT) throw bad(`metadata.format must be '${CODEBOOK_FORMAT}', got ${JSON.stringify(m.format)}`);
  if (m.version !== CODEBOOK_FORMAT_VERSION) throw bad(`unsupported version ${JSON.stringify(m.version)} (expected '1')`);
  const int = (k: string, min: number) => {
    const v = Number(m[k]);
    if (typeof m[k] !== 'string' || !Number.isInteger(v) || v < min) throw bad(`metadata.${k} must be an integer ≥ ${min}, got ${JSON.stringify(m[k])}`);
    return v;
  };
  const num = (k: string) => {
    const v = Number(m[k]);
    if (typeof m[k] !== 'string' || !Number.isFinite(v)) throw bad(`metadata.${k} must be a number, got ${JSON.stringify(m[k])}`);
    return v;
  };
  const kind = m.kind;
  if (kind !== 'query-aware' && kind !== 'plain') throw bad(`metadata.kind must be 'query-aware' or 'plain', got ${JSON.stringify(kind)}`);
  const pairing = m.rope_pairing;
  if (pairing !== 'adjacent' && pairing !== 'half') throw bad(`metadata.rope_pairing must be 'adjacent' or 'half', got ${JSON.stringify(pairing)}`);
  const info: CodebookSetInfo = {
    nLayers: int('n_layers', 1), nKvHeads: int('n_kv_heads', 1), headDim: int('head_dim', 1), size: int('size', 1),
    kind,
    wrope: { window: int('wrope_window', 0), distance: num('wrope_distance'), base: num('rope_base'), pairing },
    calibrationTokens: int('calibration_tokens', 0), calibrationQueries: int('calibration_queries', 0),
    ...(m.kmeans_max_iterations === undefined ? {} : {
      kmeans: {
        maxIterations: int('kmeans_max_iterations', 0), seed: int('kmeans_seed', 0), iterationsMean: num('kmeans_iterations_mean'),
        iterationsMax: int('kmeans_iterations_max', 0), converged: int('kmeans_converged', 0),
      },
    }),
  };
  const tensor = (key: string, shape: number[]): Float32Array => {
    const t = st.tensors.get(key);
    if (!t) throw bad(`tensor ${key} is missing`);
    if (t.dtype !== 'F32') throw bad(`tensor ${key} must be F32, got ${t.dtype}`);
    if (t.shape.length !== shape.length || t.shape.some((s, k) => s !== shape[k])) {
      throw bad(`tensor ${key} has shape ${JSON.stringify(t.shape)}, expected ${JSON.stringify(shape)}`);
    }
    const dv = new DataView(bytes.buffer, bytes.byteOffset + t.begin, t.end - t.begin);
    const out = new Float32Array((t.end - t.begin) / 4);
    for (let k = 0; k < out.length; k++) {
      out[k] = dv.getFloat32(4 * k, true);
      if (!Number.isFinite(out[k])) throw bad(`tensor ${key}[${k}] is not finite (${out[k]})`);
    }
    return out;
  };
  const expected = info.nLayers * info.nKvHeads * (kind === 'query-aware' ? 2 : 1);
  if (st.tensors.size !== expected) throw bad(`holds ${st.tensors.size} tensors, expected ${expected}`);
  const books: Codebook[] = [];
  for (let l = 0; l < info.nLayers; l++) {
    for (let h = 0; h < info.nKvHeads; h++) {
      const C = tensor(name(l, h, 'centroids'), [info.size, info.headDim]);
      const L = kind === 'query-aware' ? tensor(name(l, h, 'factor'), [info.headDim, info.headDim]) : null;
      try {
        books.push(new Codebook(info.headDim, info.size, C, L));
      } catch (e) {
        throw bad(`layer ${l} KV head ${h}: ${(e as Error).message}`);
      }
    }
  }
  try {
    return new CodebookSet(info, books);
  } catch (e) {
    throw bad((e as Error).message);
  }
}
