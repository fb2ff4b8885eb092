// A Map of keys whose expiry removals never make V8 rehash it in the middle of a burst.
//
// V8 halves a Map's table when a delete leaves it less than a quarter full, and rebuilds it
// in one go: 20 ms for a Map of 262,144 keys on the machines keycast is measured on. When a
// million keys with TTLs expire in a row, the databases' two maps (values and deadlines)
// crossed that line together, and every `expired` event due in those 40-50 ms was that late.
//
// So a key removed by expiry is buried instead: its entry stays, holding a marker (an
// overwrite never rehashes), and is invisible to every reader. Small maps too: one code path
// (a branch for large maps alone first ran, and deoptimized, in the middle of the first burst). The buried entries
// are swept (really deleted) when no deadline is due soon, or at once in a steady state where
// they would otherwise pile up: more buried entries than the map held live when the first was
// buried. A shrink still happens, but while nothing waits on the timer.

/** The value of a buried entry. */
const BURIED: unique symbol = Symbol("buried");

export class KeyMap<V> implements Iterable<[string, V]> {
  private readonly map = new Map<string, V | typeof BURIED>();
  /** Where the last sweep stopped: a walk over the map's keys. */
  private sweeper: IterableIterator<string> | null = null;
  private buriedCount = 0;
  /** Live entries when the first of the buried ones now held was buried. */
  private liveAtFirstBurial = 0;

  /** Live entries. */
  get size(): number {
    return this.map.size - this.buriedCount;
  }

  /** Entries buried and not yet swept. */
  get buriedSize(): number {
    return this.buriedCount;
  }

  /** Buried entries have piled up past the live ones: sweep them even though deadlines are due. */
  get sweepDue(): boolean {
    return this.buriedCount > this.liveAtFirstBurial;
  }

  get(key: string): V | undefined {
    const v = this.map.get(key);
    return v === BURIED ? undefined : v;
  }

  has(key: string): boolean {
    const v = this.map.get(key);
    return v !== undefined && v !== BURIED;
  }

  set(key: string, value: V): this {
    if (this.buriedCount !== 0 && this.map.get(key) === BURIED) this.buriedCount--;
    this.map.set(key, value);
    return this;
  }

  delete(key: string): boolean {
    const v = this.map.get(key);
    if (v === undefined || v === BURIED) return false;
    return this.map.delete(key);
  }

  /** Removes a key as delete() does, without a rehash now (see above). */
  bury(key: string): boolean {
    const v = this.map.get(key);
    if (v === undefined || v === BURIED) return false;
    if (this.buriedCount === 0) this.liveAtFirstBurial = this.size;
    this.map.set(key, BURIED);
    this.buriedCount++;
    return true;
  }

  /**
   * Deletes buried entries, looking at up to `max` entries (live ones included) from where
   * the last sweep stopped; returns how many buried entries are left. Walking the map needs
   * no list of the buried keys: that list's growth was most of an expiry burst's allocations.
   */
  sweep(max: number): number {
    let it = this.sweeper ?? this.map.keys();
    let seen = 0;
    let restarted = this.sweeper === null;
    while (this.buriedCount > 0 && seen < max) {
      let finished = true;
      for (const key of it) {
        if (this.map.get(key) === BURIED) {
          this.map.delete(key);
          this.buriedCount--;
        }
        if (++seen >= max || this.buriedCount === 0) {
          finished = false;
          break;
        }
      }
      if (!finished) break;
      // The end of the map: entries buried behind the walk are found from the start again.
      if (restarted) break;
      it = this.map.keys();
      restarted = true;
    }
    this.sweeper = this.buriedCount > 0 ? it : null;
    return this.buriedCount;
  }

  *keys(): IterableIterator<string> {
    for (const [k, v] of this.map) if (v !== BURIED) yield k;
  }

  *values(): IterableIterator<V> {
    for (const v of this.map.values()) if (v !== BURIED) yield v;
  }

  *entries(): IterableIterator<[string, V]> {
    for (const e of this.map) if (e[1] !== BURIED) yield e as [string, V];
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}
