/**
 * out[j] = table[codes[j]] for j < n: the score lookup of decode-time retrieval (A²ATS §3):
 * every far token's approximate score is the table entry of its centroid code.
 * Codes outside [0, tableSize) write NaN and are counted; the count is returned so the
 * binding can raise a clear error instead of reading out of bounds.
 */
export function lutGather(table: usize, tableSize: i32, codes: usize, n: i32, out: usize): i32 {
  let bad = 0;
  const size = <u32>tableSize;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const c0 = load<u32>(codes + o), c1 = load<u32>(codes + o, 4);
    const c2 = load<u32>(codes + o, 8), c3 = load<u32>(codes + o, 12);
    if (c0 < size && c1 < size && c2 < size && c3 < size) {
      store<f32>(out + o, load<f32>(table + (<usize>c0 << 2)));
      store<f32>(out + o, load<f32>(table + (<usize>c1 << 2)), 4);
      store<f32>(out + o, load<f32>(table + (<usize>c2 << 2)), 8);
      store<f32>(out + o, load<f32>(table + (<usize>c3 << 2)), 12);
    } else {
      bad += one(table, size, c0, out + o) + one(table, size, c1, out + o + 4)
        + one(table, size, c2, out + o + 8) + one(table, size, c3, out + o + 12);
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    bad += one(table, size, load<u32>(codes + o), out + o);
  }
  return bad;
}

/** One checked lookup: 0 when the code is valid, 1 (and NaN written) when it is not. */
// @ts-ignore: decorator
@inline function one(table: usize, size: u32, c: u32, dst: usize): i32 {
  if (c < size) {
    store<f32>(dst, load<f32>(table + (<usize>c << 2)));
    return 0;
  }
  store<f32>(dst, NaN);
  return 1;
}
