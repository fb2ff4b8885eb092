// maxmemory: the estimated size of the keyspace, kept up to date from the keyspace's event
// stream (every change announces itself there), and eviction by sampling like Redis's:
// the *-lru and *-lfu policies sample maxmemory-samples random keys per database into a pool
// of the best 16 candidates and evict the best; *-random evicts a random key; volatile-ttl
// evicts the key whose deadline is nearest, read exactly off the deadline heap.
//
// The guard exists only while maxmemory is set: without it, the server pays nothing. With it,
// each key costs a slot in a KeyTable (its accounted size and access clock), which the
// accounting counts too.

import { configOf } from "../config.js";
import type { KeySpec } from "../../shared/command.js";
import type { Database } from "../keyspace/database.js";
import type { ServerState } from "../state.js";
import { GUARD_BYTES, keyBytes } from "./estimate.js";
import { LFU_DECAY_TIME, LFU_LOG_FACTOR, MAXMEMORY, MAXMEMORY_POLICY, MAXMEMORY_SAMPLES, type Policy } from "./settings.js";
import { KeyTable } from "./table.js";
import type { KeyMap } from "../keyspace/key-map.js";

export const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

/** Redis's pool of eviction candidates. */
const POOL_SIZE = 16;
/** Keys evicted for one command at most; past it the command runs (and the next one evicts more). */
const MAX_EVICTIONS_PER_COMMAND = 10_000;
const LFU_INIT_VAL = 5;

interface Candidate {
  db: number;
  key: string;
  /** Higher is a better victim: idle ms for LRU, 255 - frequency for LFU. */
  score: number;
}

export class MemoryGuard {
  /** Estimated bytes of every key, value and TTL, and of this bookkeeping. */
  used = 0;
  max = 0;
  policy: Policy = "noeviction";
  /** LRU or LFU: key accesses are recorded. */
  tracksAccess = false;
  private lfu = false;
  private readonly tables: KeyTable[];
  private recountNeeded = false;
  private readonly started = Date.now();
  private pool: Candidate[] = [];
  private nextDb = 0;
  /** Rotating cursors over each database's keys with a TTL, for volatile policies when random picks miss. */
  private readonly volatileCursors: ({ map: KeyMap<unknown>; it: Iterator<string> } | undefined)[] = [];
  private readonly unsubscribe: (() => void)[];

  /** Creates, updates or removes the server's guard after a change of maxmemory or its policy. */
  static configure(state: ServerState): void {
    const config = configOf(state);
    const max = config.get(MAXMEMORY);
    if (max === 0) {
      state.memory?.close();
      state.memory = null;
      return;
    }
    const guard = (state.memory ??= new MemoryGuard(state));
    guard.max = max;
    const policy = config.get(MAXMEMORY_POLICY);
    if (policy !== guard.policy) {
      guard.policy = policy;
      guard.lfu = policy.endsWith("-lfu");
      guard.tracksAccess = policy.endsWith("-lru") || guard.lfu;
      const start = guard.lfu ? guard.minutes() * 256 + LFU_INIT_VAL : guard.elapsed();
      for (const t of guard.tables) t.resetClocks(start);
      guard.pool = [];
    }
  }

  private constructor(private readonly state: ServerState) {
    this.tables = state.keyspace.dbs.map(() => new KeyTable());
    this.recount();
    const ks = state.keyspace;
    this.unsubscribe = [ks.onKeyEvent((db, event, key) => this.changed(db, event, key)), ks.onFlush(() => void (this.recountNeeded = true))];
  }

  close(): void {
    for (const u of this.unsubscribe) u();
  }

  /** Keys changed without events (a load at start): count everything again before the next check. */
  invalidate(): void {
    this.recountNeeded = true;
  }

  private newClock(): number {
    return this.lfu ? this.minutes() * 256 + LFU_INIT_VAL : this.elapsed();
  }

  /** Counts every key again (at start, and after FLUSHDB/FLUSHALL/SWAPDB). */
  private recount(): void {
    this.recountNeeded = false;
    let used = 0;
    const clock = this.newClock();
    for (const db of this.state.keyspace.dbs) {
      const table = this.tables[db.index]!;
      const old = table;
      const fresh = new KeyTable();
      for (const [key, v] of db.data) {
        const b = keyBytes(key, v, db.expires.size !== 0 && db.expires.has(key)) + GUARD_BYTES;
        fresh.setSize(key, b, old.clock(key) ?? clock);
        used += b;
      }
      this.tables[db.index] = fresh;
    }
    this.pool = [];
    this.used = used;
  }

  private changed(dbIndex: number, event: string, key: string): void {
    const db = this.state.keyspace.dbs[dbIndex]!;
    const table = this.tables[dbIndex]!;
    const v = db.data.get(key);
    if (v === undefined) {
      this.used -= table.remove(key);
      return;
    }
    const now = keyBytes(key, v, db.expires.size !== 0 && db.expires.has(key)) + GUARD_BYTES;
    this.used += now - table.setSize(key, now, this.newClock());
    if (this.tracksAccess && event !== "evicted" && event !== "new") this.touchKey(table, key);
  }

  /** The estimated bytes of one key (MEMORY USAGE). */
  sizeOf(db: number, key: string): number | undefined {
    return this.tables[db]?.sizeOf(key);
  }

  // ---- access clocks ----

  private elapsed(): number {
    return Date.now() - this.started;
  }

  private minutes(): number {
    return Math.floor(Date.now() / 60000) & 0xffff;
  }

  /** Redis's LFUDecrAndReturn: the counter, less one per lfu-decay-time minutes without access. */
  private lfuDecayed(packed: number): number {
    const ldt = Math.floor(packed / 256);
    let counter = packed & 0xff;
    const decay = configOf(this.state).get(LFU_DECAY_TIME);
    if (decay > 0) {
      const now = this.minutes();
      const elapsed = now >= ldt ? now - ldt : 0xffff - ldt + now;
      const periods = Math.floor(elapsed / decay);
      counter = periods > counter ? 0 : counter - periods;
    }
    return counter;
  }

  private touchKey(table: KeyTable, key: string): void {
    if (!this.lfu) {
      table.setClock(key, this.elapsed());
      return;
    }
    const packed = table.clock(key);
    if (packed === undefined) return;
    // Redis's LFULogIncr: the busier a key already is, the less likely a hit counts.
    let counter = this.lfuDecayed(packed);
    if (counter < 255) {
      const base = Math.max(0, counter - LFU_INIT_VAL);
      if (Math.random() < 1 / (base * configOf(this.state).get(LFU_LOG_FACTOR) + 1)) counter++;
    }
    table.setClock(key, this.minutes() * 256 + counter);
  }

  /** Records an access to the keys of a command (the dispatcher calls this under LRU/LFU). */
  touch(db: number, keys: KeySpec | null, argv: readonly string[]): void {
    if (keys === null) return;
    const table = this.tables[db]!;
    const last = keys.last < 0 ? argv.length + keys.last : keys.last;
    for (let i = keys.first; i <= last && i < argv.length; i += keys.step) this.touchKey(table, argv[i]!);
  }

  /** How good a victim a key is (higher first). */
  private score(clock: number): number {
    return this.lfu ? 255 - this.lfuDecayed(clock) : this.elapsed() - clock;
  }

  // ---- eviction ----

  /**
   * Called before each command while maxmemory is set: evicts what the policy allows when
   * over the limit. False when the command must be refused (over the limit, and it may grow memory).
   */
  admit(denyoom: boolean): boolean {
    if (this.recountNeeded) this.recount();
    if (this.used <= this.max) return true;
    if (this.policy !== "noeviction") {
      this.state.keyspace.tick();
      for (let n = 0; n < MAX_EVICTIONS_PER_COMMAND && this.used > this.max; n++) if (!this.evictOne()) break;
    }
    return this.used <= this.max || !denyoom;
  }

  private evictKey(db: Database, key: string): void {
    db.data.delete(key);
    db.clearDeadline(key);
    this.state.stats.evictedKeys++;
    this.state.keyspace.notify(db.index, "evicted", key);
  }

  private evictOne(): boolean {
    const dbs = this.state.keyspace.dbs;
    const volatile = this.policy.startsWith("volatile-");
    if (this.policy === "volatile-ttl") {
      const deadlines = this.state.keyspace.deadlines;
      const slot = deadlines.top();
      if (slot < 0) return false;
      this.evictKey(dbs[deadlines.dbOf(slot)]!, deadlines.keyOf(slot));
      return true;
    }
    if (this.policy.endsWith("-random")) {
      for (let tries = 0; tries < dbs.length; tries++) {
        const db = dbs[this.nextDb]!;
        this.nextDb = (this.nextDb + 1) % dbs.length;
        const key = this.sample(db, volatile, 1)[0];
        if (key === undefined) continue;
        this.evictKey(db, key);
        return true;
      }
      return false;
    }
    const samples = configOf(this.state).get(MAXMEMORY_SAMPLES);
    for (const db of dbs) {
      const table = this.tables[db.index]!;
      for (const key of this.sample(db, volatile, samples)) this.offer({ db: db.index, key, score: this.score(table.clock(key)!) });
    }
    while (this.pool.length > 0) {
      const best = this.pool.shift()!;
      const db = dbs[best.db]!;
      if (!db.data.has(best.key) || (volatile && !db.expires.has(best.key))) continue;
      this.evictKey(db, best.key);
      return true;
    }
    return false;
  }

  /** Redis's evictionPoolPopulate: keeps the POOL_SIZE best candidates, best first. */
  private offer(c: Candidate): void {
    const pool = this.pool;
    for (let i = 0; i < pool.length; i++) {
      if (pool[i]!.db === c.db && pool[i]!.key === c.key) {
        pool.splice(i, 1);
        break;
      }
    }
    let at = pool.length;
    while (at > 0 && pool[at - 1]!.score < c.score) at--;
    if (at >= POOL_SIZE) return;
    pool.splice(at, 0, c);
    if (pool.length > POOL_SIZE) pool.length = POOL_SIZE;
  }

  /** Up to n distinct random keys of the database (with a TTL, for volatile policies). */
  private sample(db: Database, volatile: boolean, n: number): string[] {
    const table = this.tables[db.index]!;
    const out: string[] = [];
    const size = table.length;
    if (size === 0) return out;
    if (volatile && db.expires.size === 0) return out;
    // Random picks; for volatile policies, a key without a TTL is a miss.
    const tries = volatile ? n * 4 : n * 2;
    for (let t = 0; t < tries && out.length < Math.min(n, size); t++) {
      const key = table.keyAt((Math.random() * size) | 0);
      if (volatile && !db.expires.has(key)) continue;
      if (!out.includes(key)) out.push(key);
    }
    if (out.length === 0 && volatile) {
      // Few keys have a TTL: walk those instead, on from where the last walk stopped.
      let c = this.volatileCursors[db.index];
      if (c === undefined || c.map !== db.expires) this.volatileCursors[db.index] = c = { map: db.expires, it: db.expires.keys() };
      for (let restarts = 0; out.length < n && restarts < 2; ) {
        const r = c.it.next();
        if (r.done) {
          c.it = db.expires.keys();
          restarts++;
          continue;
        }
        if (!out.includes(r.value)) out.push(r.value);
      }
    }
    return out;
  }
}

// The settings this guard reads are declared in ./settings.ts; their effect is attached here.
MAXMEMORY.apply = MAXMEMORY_POLICY.apply = (state: ServerState) => MemoryGuard.configure(state);
