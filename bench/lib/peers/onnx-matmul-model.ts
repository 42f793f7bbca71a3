/**
 * A one-node ONNX model, Y[m,n] = X[m,k]·B with the weights B stored as an initializer, encoded
 * by hand (the ONNX protobuf schema, onnx/onnx.proto3) so the peer benchmarks need no model
 * files and no protobuf library. With B an initializer, onnxruntime packs it once at session
 * creation — the same "weights resident" footing as our kernels' resident arrays.
 *
 * Two spellings of the same product, as exporters write them:
 *   'MatMul'     MatMul(X, B) with B: k×n (what a transposed-weight export gives)
 *   'GemmTransB' Gemm(X, B, transB = 1) with B: n×k, output-major (torch.nn.Linear → ONNX)
 *
 * @example
 * const bytes = onnxMatMulModel({ op: 'GemmTransB', m: 1, k: 4096, n: 4096, weights: W });
 * const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
 */
import { badArgument } from '../../../src/core/errors.js';
import { checkInt, checkOneOf } from '../../../src/core/validate.js';

export type OnnxMatMulOp = 'MatMul' | 'GemmTransB';

export interface OnnxMatMulSpec {
  op: OnnxMatMulOp;
  /** Rows of X (1 for a matrix–vector product). */
  m: number;
  /** Inner dimension. */
  k: number;
  /** Columns of Y. */
  n: number;
  /** 'MatMul': k*n row-major; 'GemmTransB': n*k row-major. */
  weights: Float32Array;
}

/** ONNX TensorProto.DataType.FLOAT and AttributeProto.AttributeType.INT. */
const FLOAT = 1;
const ATTR_INT = 2;

/** Appends protobuf fields (varint and length-delimited wire types only: all this model needs). */
class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private scratch: number[] = [];

  private flush(): void {
    if (this.scratch.length > 0) { this.parts.push(Uint8Array.from(this.scratch)); this.scratch = []; }
  }

  private varint(v: number): void {
    // Values here are small non-negative integers (dims, tags, lengths < 2^53).
    while (v >= 0x80) { this.scratch.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
    this.scratch.push(v);
  }

  int(field: number, v: number): this { this.varint(field * 8); this.varint(v); return this; }

  bytes(field: number, b: Uint8Array): this {
    this.varint(field * 8 + 2); this.varint(b.length); this.flush(); this.parts.push(b); return this;
  }

  str(field: number, s: string): this { return this.bytes(field, new TextEncoder().encode(s)); }

  msg(field: number, w: ProtoWriter): this { return this.bytes(field, w.finish()); }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

/** ValueInfoProto for a float tensor of fixed shape. */
function valueInfo(name: string, dims: number[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.msg(1, new ProtoWriter().int(1, d)); // TensorShapeProto.dim.dim_value
  const tensorType = new ProtoWriter().int(1, FLOAT).msg(2, shape); // TypeProto.Tensor
  return new ProtoWriter().str(1, name).msg(2, new ProtoWriter().msg(1, tensorType));
}

/**
 * Encode the model as ONNX bytes (IR version 8, opset 13). Inputs: X [m,k]; output: Y [m,n].
 * The weights are copied as little-endian float32 raw_data.
 */
export function onnxMatMulModel(spec: OnnxMatMulSpec): Uint8Array {
  const op = checkOneOf('op', spec.op, ['MatMul', 'GemmTransB'] as const);
  const m = checkInt('m', spec.m, 1), k = checkInt('k', spec.k, 1), n = checkInt('n', spec.n, 1);
  if (!(spec.weights instanceof Float32Array) || spec.weights.length !== k * n) {
    throw badArgument(`weights must be a Float32Array of k*n = ${k * n} elements`);
  }
  const dims = op === 'MatMul' ? [k, n] : [n, k];
  const raw = new Uint8Array(k * n * 4);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < k * n; i++) dv.setFloat32(4 * i, spec.weights[i], true);

  const initializer = new ProtoWriter();
  for (const d of dims) initializer.int(1, d); // TensorProto.dims
  initializer.int(2, FLOAT).str(8, 'B').bytes(9, raw); // data_type, name, raw_data

  const node = new ProtoWriter().str(1, 'X').str(1, 'B').str(2, 'Y').str(3, 'product')
    .str(4, op === 'MatMul' ? 'MatMul' : 'Gemm');
  if (op === 'GemmTransB') node.msg(5, new ProtoWriter().str(1, 'transB').int(20, ATTR_INT).int(3, 1));

  const graph = new ProtoWriter().msg(1, node).str(2, 'matmul').msg(5, initializer)
    .msg(11, valueInfo('X', [m, k])).msg(12, valueInfo('Y', [m, n]));
  return new ProtoWriter()
    .int(1, 8) // ir_version
    .str(2, 'sparse-inference') // producer_name
    .msg(7, graph)
    .msg(8, new ProtoWriter().str(1, '').int(2, 13)) // opset_import: default domain, opset 13
    .finish();
}
