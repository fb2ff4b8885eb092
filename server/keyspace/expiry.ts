// A min-heap of deadline objects, for a bounded set of deadlines kept beside other state: a
// gateway's local copy of the earliest TTLs of the backend (gateway/events/deadlines.ts).
// The keyspace's own deadlines, which can number millions, live in DeadlineTable
// (deadlines.ts) instead: typed arrays, not an object per key.
// Entries know their heap index, so changing or removing a deadline is O(log n).

export interface Deadline {
  /** Absolute time in ms since the epoch. */
  at: number;
  db: number;
  readonly key: string;
  /** Position in the heap; -1 when not in it. */
  index: number;
}

export class DeadlineHeap {
  private readonly heap: Deadline[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): Deadline | undefined {
    return this.heap[0];
  }

  push(entry: Deadline): void {
    entry.index = this.heap.length;
    this.heap.push(entry);
    this.up(entry.index);
  }

  /** Moves an entry after its deadline changed. */
  update(entry: Deadline, at: number): void {
    const before = entry.at;
    entry.at = at;
    if (at < before) this.up(entry.index);
    else this.down(entry.index);
  }

  remove(entry: Deadline): void {
    const i = entry.index;
    if (i < 0) return;
    const last = this.heap.pop()!;
    entry.index = -1;
    if (last !== entry) {
      this.heap[i] = last;
      last.index = i;
      this.up(i);
      this.down(last.index);
    }
  }

  /** Removes and returns the earliest entry. */
  pop(): Deadline | undefined {
    const top = this.heap[0];
    if (top) this.remove(top);
    return top;
  }

  clear(filter?: (e: Deadline) => boolean): void {
    if (!filter) {
      for (const e of this.heap) e.index = -1;
      this.heap.length = 0;
      return;
    }
    for (const e of this.heap.filter(filter)) this.remove(e);
  }

  private up(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (p.at <= e.at) break;
      h[i] = p;
      p.index = i;
      i = parent;
    }
    h[i] = e;
    e.index = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const e = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]!.at < h[l]!.at ? r : l;
      const child = h[c]!;
      if (child.at >= e.at) break;
      h[i] = child;
      child.index = i;
      i = c;
    }
    h[i] = e;
    e.index = i;
  }
}
