// All databases, the shared deadline table and its one timer, and the point where every
// change to the keyspace is announced (watchers, keyspace channels and WATCH listen here).

import { performance } from "node:perf_hooks";
import { Database } from "./database.js";
import { DeadlineTable } from "./deadlines.js";

export const DATABASES = 16;

/** Called for every keyspace change, with Redis's event name ("set", "lpush", "expired", ...). */
export type KeyEventListener = (db: number, event: string, key: string, delta: unknown) => void;

/** Called for a change that touches keys without naming each (FLUSHDB, FLUSHALL, SWAPDB). */
export type FlushListener = (db: number | "all") => void;

/** How long one expiry run may take before it lets other work in, ms. */
const EXPIRE_SLICE_MS = 4;
/** Within a run, the events of the keys expired so far are sent at least this often, ms. */
const EXPIRE_FLUSH_MS = 1;
/** Entries each map's sweep for buried ones (KeyMap) looks at per turn of the event loop. */
const SWEEP_CHUNK = 16_384;
/** Buried entries are swept when the next deadline is at least this far away. */
const SWEEP_GAP_MS = 50;
/** The longest delay setTimeout accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Keyspace {
  readonly dbs: Database[];
  readonly deadlines = new DeadlineTable();
  /** The time commands see: fixed for the length of one command, as Redis does. */
  now = Date.now();
  /** The wall clock and the monotonic clock read together by the last tick(): advance() counts from them. */
  private wallBase = this.now;
  private perfBase = performance.now();
  expiredKeys = 0;
  private readonly listeners: KeyEventListener[] = [];
  private readonly flushListeners: FlushListener[] = [];
  private readonly expiryFlushers: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private sweeping: NodeJS.Immediate | null = null;
  private timerAt = Infinity;
  private closed = false;

  constructor() {
    this.dbs = Array.from({ length: DATABASES }, (_, i) => new Database(i, this));
  }

  /** Refreshes the clock commands read. */
  tick(): number {
    this.perfBase = performance.now();
    return (this.wallBase = this.now = Date.now());
  }

  /**
   * Moves the clock to a performance.now() reading taken since the last tick(), without
   * reading the wall clock again: a batch runs each command with its own time at the cost of
   * the one monotonic reading that also times the command.
   */
  advance(perfNow: number): void {
    const since = perfNow - this.perfBase;
    // A reading from before the last tick (another caller ticked in between) keeps that tick's time.
    this.now = since > 0 ? this.wallBase + Math.floor(since) : this.wallBase;
  }

  /** The performance.now() reading of the last tick(). */
  get tickedAt(): number {
    return this.perfBase;
  }

  onKeyEvent(listener: KeyEventListener): () => void {
    this.listeners.push(listener);
    return () => void this.listeners.splice(this.listeners.indexOf(listener) >>> 0, 1);
  }

  /**
   * Called during a long expiry run, about every EXPIRE_FLUSH_MS: a transport that holds its
   * output until the end of the tick sends what the run announced so far (otherwise the
   * first events of a 4 ms run wait for its last).
   */
  onExpiryProgress(flush: () => void): () => void {
    this.expiryFlushers.push(flush);
    return () => void this.expiryFlushers.splice(this.expiryFlushers.indexOf(flush) >>> 0, 1);
  }

  onFlush(listener: FlushListener): () => void {
    this.flushListeners.push(listener);
    return () => void this.flushListeners.splice(this.flushListeners.indexOf(listener) >>> 0, 1);
  }

  /** Announces a change, as Redis's notifyKeyspaceEvent does. */
  notify(db: number, event: string, key: string, delta?: unknown): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!(db, event, key, delta);
  }

  notifyFlush(db: number | "all"): void {
    for (const l of this.flushListeners) l(db);
  }

  /** Removes a key whose deadline has passed and announces "expired". */
  expireNow(db: Database, key: string): void {
    db.removeExpired(key);
    this.expiredKeys++;
    this.notify(db.index, "expired", key);
  }

  /** Arms the timer for the earliest deadline, if it moved earlier. */
  scheduleExpiry(): void {
    const slot = this.deadlines.top();
    if (slot < 0 || this.closed) return;
    const at = this.deadlines.atOf(slot);
    if (at >= this.timerAt && (this.timer || this.immediate)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    // Node fires a timer of more than 2^31-1 ms after 1 ms instead: wake up at that bound
    // and re-arm, rather than spin on a deadline weeks away.
    this.timer = setTimeout(() => this.runExpiry(), Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
    this.timer.unref();
  }

  private runExpiry(): void {
    this.timer = null;
    this.immediate = null;
    this.timerAt = Infinity;
    const now = this.tick();
    // A slice of a few milliseconds, then other work gets a turn: a million keys due at once
    // do not stall the clients (nor the "expired" events of the keys due next).
    const started = performance.now();
    const stopAt = started + EXPIRE_SLICE_MS;
    let flushAt = started + EXPIRE_FLUSH_MS;
    const deadlines = this.deadlines;
    for (let n = 1; ; n++) {
      const slot = deadlines.top();
      if (slot < 0 || deadlines.atOf(slot) > now) break;
      this.expireNow(this.dbs[deadlines.dbOf(slot)]!, deadlines.keyOf(slot));
      if ((n & 63) === 0) {
        const t = performance.now();
        if (t >= stopAt) break;
        if (t >= flushAt) {
          flushAt = t + EXPIRE_FLUSH_MS;
          for (const f of this.expiryFlushers) f();
        }
      }
    }
    const next = deadlines.top();
    if (this.sweeping === null && !this.closed) this.sweep();
    if (next < 0 || this.closed) return;
    if (deadlines.atOf(next) <= now) {
      this.timerAt = now;
      // Not unref'd: Node runs an unref'd immediate only once the poll phase returns, which it
      // does on the next I/O event or timer, so a backlog of due keys waited milliseconds
      // between slices (300,000 keys due at once took 875 ms of wall time for 250 ms of work).
      this.immediate = setImmediate(() => this.runExpiry());
    } else this.scheduleExpiry();
  }

  /**
   * Deletes the entries expiry buried, a chunk per turn, while no deadline is due within
   * SWEEP_GAP_MS (or at once where they piled up past the live keys); otherwise the next
   * expiry run tries again.
   */
  private sweep(): void {
    this.sweeping = null;
    const next = this.deadlines.top();
    const idle = next < 0 || this.deadlines.atOf(next) - Date.now() >= SWEEP_GAP_MS;
    let left = 0;
    for (const db of this.dbs) {
      if (db.buried === 0 || !(idle || db.sweepDue)) continue;
      left += db.sweep(SWEEP_CHUNK);
    }
    if (left > 0 && !this.closed) {
      this.sweeping = setImmediate(() => this.sweep());
      return;
    }
    // After a burst: give back the deadline table's room, while no deadline is near.
    if (idle && this.deadlines.sparse) this.deadlines.compact((db, key, slot) => this.dbs[db]!.expires.set(key, slot));
  }

  /** Swaps two databases' contents (SWAPDB). */
  swap(a: number, b: number): void {
    const da = this.dbs[a]!;
    const db = this.dbs[b]!;
    [da.data, db.data] = [db.data, da.data];
    [da.expires, db.expires] = [db.expires, da.expires];
    for (const slot of da.expires.values()) this.deadlines.setDb(slot, a);
    for (const slot of db.expires.values()) this.deadlines.setDb(slot, b);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    if (this.sweeping) clearImmediate(this.sweeping);
    this.timer = null;
    this.immediate = null;
    this.sweeping = null;
  }
}
