// The deadlines of every key with a TTL, across all databases: a min-heap ordered by
// deadline, so one timer serves them all and nothing scans the keyspace. Changing or
// removing a TTL is O(log n).
//
// Kept in typed arrays, not an object per key: a million keys with TTLs were a million
// objects (and as many boxed numbers) for every major GC to mark and move, and those GCs
// made expired events late. A key's deadline lives in a slot; the database maps the key to
// its slot number, and the heap orders slot numbers.

const FIRST_CAPACITY = 64;
/** Tables with room for fewer slots than this are not worth compacting. */
const COMPACT_FROM = 4096;

/** `into`, holding `from` at its start. */
function larger<T extends Float64Array | Uint8Array | Int32Array>(from: T, into: T): T {
  into.set(from);
  return into;
}

export class DeadlineTable {
  /** Per slot: the deadline (ms since the epoch), the database, the key, where it sits in the heap. */
  private at = new Float64Array(FIRST_CAPACITY);
  private db = new Uint8Array(FIRST_CAPACITY);
  private pos = new Int32Array(FIRST_CAPACITY);
  /** For a free slot, the next free one (-1: none). A list in a typed array, not a JS array
   * that would grow by a million entries while a burst of keys expires. */
  private nextFree = new Int32Array(FIRST_CAPACITY);
  private keys: string[] = [];
  /** Slot numbers, heap-ordered by deadline. */
  private heap = new Int32Array(FIRST_CAPACITY);
  private count = 0;
  /** Slots in use or freed: slots below this exist; the free ones are chained from `freeHead`. */
  private slots = 0;
  private freeHead = -1;

  get size(): number {
    return this.count;
  }

  /** Slots the arrays have room for. */
  get capacity(): number {
    return this.at.length;
  }

  /** Most of the room is unused (a burst of TTLs has expired): compact() would give it back. */
  get sparse(): boolean {
    return this.at.length > COMPACT_FROM && this.count < this.at.length / 8;
  }

  /**
   * Moves every deadline to the slot numbered by its heap position and shrinks the arrays to
   * fit, calling `moved(db, key, slot)` for each so that its owner can record the new number.
   * O(live deadlines): for an idle moment after a burst, not for the middle of one.
   */
  compact(moved: (db: number, key: string, slot: number) => void): void {
    const n = this.count;
    let cap = FIRST_CAPACITY;
    while (cap < n * 2) cap *= 2;
    const at = new Float64Array(cap);
    const db = new Uint8Array(cap);
    const pos = new Int32Array(cap);
    const heap = new Int32Array(cap);
    const keys: string[] = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const old = this.heap[i]!;
      at[i] = this.at[old]!;
      db[i] = this.db[old]!;
      keys[i] = this.keys[old]!;
      pos[i] = i;
      heap[i] = i;
    }
    this.at = at;
    this.db = db;
    this.pos = pos;
    this.heap = heap;
    this.keys = keys;
    this.nextFree = new Int32Array(cap);
    this.freeHead = -1;
    this.slots = n;
    for (let i = 0; i < n; i++) moved(db[i]!, keys[i]!, i);
  }

  /** The slot with the earliest deadline, or -1 when there is none. */
  top(): number {
    return this.count === 0 ? -1 : this.heap[0]!;
  }

  atOf(slot: number): number {
    return this.at[slot]!;
  }

  dbOf(slot: number): number {
    return this.db[slot]!;
  }

  keyOf(slot: number): string {
    return this.keys[slot]!;
  }

  /** Moves a slot to another database (SWAPDB). */
  setDb(slot: number, db: number): void {
    this.db[slot] = db;
  }

  /** Adds a deadline; returns its slot. */
  add(db: number, key: string, at: number): number {
    let slot = this.freeHead;
    if (slot >= 0) this.freeHead = this.nextFree[slot]!;
    else {
      if (this.slots === this.at.length) this.grow();
      slot = this.slots++;
    }
    this.at[slot] = at;
    this.db[slot] = db;
    this.keys[slot] = key;
    const i = this.count++;
    this.heap[i] = slot;
    this.pos[slot] = i;
    this.up(i);
    return slot;
  }

  /** Changes a slot's deadline. */
  update(slot: number, at: number): void {
    const before = this.at[slot]!;
    this.at[slot] = at;
    if (at < before) this.up(this.pos[slot]!);
    else this.down(this.pos[slot]!);
  }

  /** Removes a slot's deadline; the slot is reused. */
  remove(slot: number): void {
    const i = this.pos[slot]!;
    if (i < 0) return;
    const last = this.heap[--this.count]!;
    this.release(slot);
    if (last !== slot) {
      this.heap[i] = last;
      this.pos[last] = i;
      this.up(i);
      this.down(this.pos[last]!);
    }
  }

  /** Removes every deadline of one database (FLUSHDB), or all (FLUSHALL). */
  clear(db?: number): void {
    if (db === undefined) {
      this.at = new Float64Array(FIRST_CAPACITY);
      this.db = new Uint8Array(FIRST_CAPACITY);
      this.pos = new Int32Array(FIRST_CAPACITY);
      this.heap = new Int32Array(FIRST_CAPACITY);
      this.nextFree = new Int32Array(FIRST_CAPACITY);
      this.keys = [];
      this.freeHead = -1;
      this.count = 0;
      this.slots = 0;
      return;
    }
    // Keep the other databases' slots, and heapify them again in one pass.
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      const slot = this.heap[i]!;
      if (this.db[slot] === db) this.release(slot);
      else this.heap[n++] = slot;
    }
    this.count = n;
    for (let i = 0; i < n; i++) this.pos[this.heap[i]!] = i;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private release(slot: number): void {
    this.pos[slot] = -1;
    this.keys[slot] = "";
    this.nextFree[slot] = this.freeHead;
    this.freeHead = slot;
  }

  private grow(): void {
    const n = this.at.length * 2;
    this.at = larger(this.at, new Float64Array(n));
    this.db = larger(this.db, new Uint8Array(n));
    this.pos = larger(this.pos, new Int32Array(n));
    this.heap = larger(this.heap, new Int32Array(n));
    this.nextFree = larger(this.nextFree, new Int32Array(n));
  }

  private up(i: number): void {
    const h = this.heap;
    const at = this.at;
    const slot = h[i]!;
    const t = at[slot]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (at[p]! <= t) break;
      h[i] = p;
      this.pos[p] = i;
      i = parent;
    }
    h[i] = slot;
    this.pos[slot] = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const at = this.at;
    const n = this.count;
    const slot = h[i]!;
    const t = at[slot]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && at[h[r]!]! < at[h[l]!]! ? r : l;
      const child = h[c]!;
      if (at[child]! >= t) break;
      h[i] = child;
      this.pos[child] = i;
      i = c;
    }
    h[i] = slot;
    this.pos[slot] = i;
  }
}
