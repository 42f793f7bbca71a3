/**
 * A minimal GGUF writer for tests, written from the format description (docs/gguf.md in ggml),
 * independent of the parser under test: builds small files with chosen metadata and tensors.
 */
export type MetaEntry =
  | [key: string, type: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64' | 'u64' | 'i64', value: number]
  | [key: string, type: 'bool', value: boolean]
  | [key: string, type: 'string', value: string]
  | [key: string, type: 'array', value: { of: 'u32' | 'i32' | 'f32' | 'string'; items: (number | string)[] }];

export interface TensorEntry { name: string; typeId: number; shape: number[]; data: Uint8Array }

const TYPE_ID = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const;

export function writeGguf(meta: MetaEntry[], tensors: TensorEntry[], { version = 3, alignment = 32 } = {}): Uint8Array {
  const parts: number[] = [];
  const u8 = (v: number) => parts.push(v & 0xff);
  const le = (v: bigint, n: number) => { for (let i = 0; i < n; i++) u8(Number((v >> BigInt(8 * i)) & 0xffn)); };
  const u32 = (v: number) => le(BigInt(v >>> 0), 4);
  const u64 = (v: number) => le(BigInt(v), 8);
  const f = (v: number, n: 4 | 8) => {
    const b = new DataView(new ArrayBuffer(n));
    if (n === 4) b.setFloat32(0, v, true); else b.setFloat64(0, v, true);
    for (let i = 0; i < n; i++) u8(b.getUint8(i));
  };
  const str = (s: string) => { const b = new TextEncoder().encode(s); u64(b.length); b.forEach(u8); };
  const scalar = (type: string, v: number | string | boolean) => {
    switch (type) {
      case 'u8': case 'i8': case 'bool': u8(Number(v)); break;
      case 'u16': case 'i16': le(BigInt(Number(v) & 0xffff), 2); break;
      case 'u32': case 'i32': u32(Number(v)); break;
      case 'u64': u64(Number(v)); break;
      case 'i64': le(BigInt.asUintN(64, BigInt(Number(v))), 8); break;
      case 'f32': f(Number(v), 4); break;
      case 'f64': f(Number(v), 8); break;
      case 'string': str(String(v)); break;
    }
  };
  u32(0x46554747); u32(version); u64(tensors.length); u64(meta.length);
  for (const [key, type, value] of meta) {
    str(key); u32(TYPE_ID[type]);
    if (type === 'array') {
      const a = value as { of: keyof typeof TYPE_ID; items: (number | string)[] };
      u32(TYPE_ID[a.of]); u64(a.items.length); a.items.forEach((x) => scalar(a.of, x));
    } else scalar(type, value);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    offsets.push(offset);
    str(t.name); u32(t.shape.length); t.shape.forEach(u64); u32(t.typeId); u64(offset);
    offset = Math.ceil((offset + t.data.length) / alignment) * alignment;
  }
  while (parts.length % alignment !== 0) u8(0);
  const start = parts.length;
  const out = new Uint8Array(start + offset);
  out.set(parts);
  tensors.forEach((t, i) => out.set(t.data, start + offsets[i]));
  return out;
}
