/**
 * A binary min-heap of candidate merges for BPE: each entry is a pair of adjacent symbols with a
 * priority (a merge rank, or a negated score) and the position of its left symbol, which breaks
 * ties so the leftmost pair wins. Entries are never updated in place: when a merge changes a
 * neighbour, the caller pushes a fresh entry and recognises the stale one when it is popped
 * (lazy invalidation), so a word of n symbols costs O(n log n).
 *
 * @example
 * const h = new PairHeap();
 * h.push(5, 0, 7); h.push(2, 3, 9); h.push(2, 1, 4);
 * h.pop(); // true: h.left === 1, h.payload === 4 (priority 2, leftmost)
 */
export class PairHeap {
  private priority = new Float64Array(64);
  private leftPos = new Int32Array(64);
  private payloads = new Int32Array(64);
  private rightPos = new Int32Array(64);
  private size = 0;
  /** Fields of the entry the last pop() returned. */
  left = -1;
  right = -1;
  payload = -1;

  get length(): number {
    return this.size;
  }

  clear(): void {
    this.size = 0;
  }

  /** Adds a candidate: lower priority first, then lower left position. */
  push(priority: number, left: number, payload: number, right = -1): void {
    if (this.size === this.priority.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(priority, left, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, priority, left, payload, right);
  }

  /** Removes the first entry into left / right / payload; false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    this.left = this.leftPos[0];
    this.right = this.rightPos[0];
    this.payload = this.payloads[0];
    const last = --this.size;
    if (last > 0) {
      const p = this.priority[last], l = this.leftPos[last], pl = this.payloads[last], r = this.rightPos[last];
      let i = 0;
      for (;;) {
        const a = 2 * i + 1;
        if (a >= last) break;
        const b = a + 1;
        const child = b < last && this.less(b, a) ? b : a;
        if (!this.before(this.priority[child], this.leftPos[child], -1, p, l)) break;
        this.move(child, i);
        i = child;
      }
      this.set(i, p, l, pl, r);
    }
    return true;
  }

  /** Whether (priority, left) sorts before entry j, or before (p2, l2) when j is -1. */
  private before(priority: number, left: number, j: number, p2 = this.priority[j], l2 = this.leftPos[j]): boolean {
    return priority < p2 || (priority === p2 && left < l2);
  }

  private less(i: number, j: number): boolean {
    return this.before(this.priority[i], this.leftPos[i], j);
  }

  private move(from: number, to: number): void {
    this.set(to, this.priority[from], this.leftPos[from], this.payloads[from], this.rightPos[from]);
  }

  private set(i: number, priority: number, left: number, payload: number, right: number): void {
    this.priority[i] = priority;
    this.leftPos[i] = left;
    this.payloads[i] = payload;
    this.rightPos[i] = right;
  }

  private grow(): void {
    const n = this.priority.length * 2;
    const p = new Float64Array(n); p.set(this.priority); this.priority = p;
    const l = new Int32Array(n); l.set(this.leftPos); this.leftPos = l;
    const pl = new Int32Array(n); pl.set(this.payloads); this.payloads = pl;
    const r = new Int32Array(n); r.set(this.rightPos); this.rightPos = r;
  }
}
