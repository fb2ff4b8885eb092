// One database's keys as maxmemory sees them: each key's accounted size and access clock, in
// dense arrays with a Map from key to position, so that a uniformly random key is one index
// away (Redis samples random keys; a JS Map has no random access) and removal is a swap with
// the last slot, O(1).

export class KeyTable {
  private keys: string[] = [];
  private sizes: number[] = [];
  private clocks: number[] = [];
  private index = new Map<string, number>();

  get length(): number {
    return this.keys.length;
  }

  sizeOf(key: string): number | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.sizes[i];
  }

  /** Sets a key's size; returns the size it had (0 when new). New keys get `clock`. */
  setSize(key: string, size: number, clock: number): number {
    const i = this.index.get(key);
    if (i !== undefined) {
      const before = this.sizes[i]!;
      this.sizes[i] = size;
      return before;
    }
    this.index.set(key, this.keys.length);
    this.keys.push(key);
    this.sizes.push(size);
    this.clocks.push(clock);
    return 0;
  }

  /** Removes a key; returns its size (0 when it was not there). */
  remove(key: string): number {
    const i = this.index.get(key);
    if (i === undefined) return 0;
    const size = this.sizes[i]!;
    this.index.delete(key);
    const lastKey = this.keys.pop()!;
    const lastSize = this.sizes.pop()!;
    const lastClock = this.clocks.pop()!;
    if (i < this.keys.length) {
      this.keys[i] = lastKey;
      this.sizes[i] = lastSize;
      this.clocks[i] = lastClock;
      this.index.set(lastKey, i);
    }
    return size;
  }

  clock(key: string): number | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.clocks[i];
  }

  setClock(key: string, clock: number): void {
    const i = this.index.get(key);
    if (i !== undefined) this.clocks[i] = clock;
  }

  keyAt(i: number): string {
    return this.keys[i]!;
  }

  clockAt(i: number): number {
    return this.clocks[i]!;
  }

  /** Every clock to one value (a new policy starts everyone equal). */
  resetClocks(clock: number): void {
    this.clocks.fill(clock);
  }

  clear(): void {
    this.keys = [];
    this.sizes = [];
    this.clocks = [];
    this.index = new Map();
  }
}
