// The bounded history of keyspace events that lets a watcher resume after a drop.
// Every event gets the next offset of the current epoch; the history keeps the newest
// `maxEvents` events no older than `maxAgeMs`. A watcher that comes back with a position
// inside the history is replayed what it missed; one whose position fell out of it (or
// that names another epoch) is told to resync, never silently skipped ahead.

import { randomBytes } from "node:crypto";

export interface EventRecord {
  readonly offset: number;
  readonly db: number;
  readonly key: string;
  readonly event: string;
  /** Server time of the change, ms since the epoch. */
  readonly time: number;
  readonly delta: unknown;
  /** The key's value after the change, when it was captured (always for strings). */
  value: unknown;
}

export interface HistoryOptions {
  /** Events kept at most. Default 10,000. */
  maxEvents: number;
  /** Events older than this are dropped. Default 5 minutes. */
  maxAgeMs: number;
}

/** A slot of the ring: written over in place when the ring wraps (see History). */
class Slot implements EventRecord {
  offset = 0;
  db = 0;
  key = "";
  event = "";
  time = 0;
  delta: unknown = undefined;
  value: unknown = null;
}

export class History {
  /**
   * Changes whenever positions of the past can no longer be trusted (a restart; in gateway
   * mode, a new epoch of the shared stream: see reset).
   */
  epoch = randomBytes(6).toString("hex");
  /** Offset of the newest event (0 before the first). */
  offset = 0;
  // The ring's slots are objects of their own, made once and written over: a record per event
  // that lived as long as the history held it was copied by every young-generation GC of an
  // expiry burst (10,000 survivors each time), and those pauses made events late.
  private ring: (Slot | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly options: HistoryOptions) {
    this.ring = new Array(Math.max(1, options.maxEvents));
  }

  /** Offset of the oldest event still held (offset + 1 when empty). */
  get firstOffset(): number {
    return this.offset - this.count + 1;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Forgets every event and continues at `offset` of `epoch`: positions before it resync.
   * For an external source of events (a gateway's shared stream) whose epoch changed or
   * whose offsets jumped.
   */
  reset(epoch: string, offset: number): void {
    while (this.count > 0) this.dropOldest();
    this.head = 0;
    this.epoch = epoch;
    this.offset = offset;
  }

  /** Records an event (its fields are copied: the caller may reuse the object). */
  append(record: EventRecord): void {
    const cap = this.ring.length;
    const i = (this.head + this.count) % cap;
    const slot = (this.ring[i] ??= new Slot());
    slot.offset = record.offset;
    slot.db = record.db;
    slot.key = record.key;
    slot.event = record.event;
    slot.time = record.time;
    slot.delta = record.delta;
    slot.value = record.value;
    if (this.count < cap) this.count++;
    else this.head = (this.head + 1) % cap;
    this.offset = record.offset;
    this.trimAge(record.time);
  }

  /** Fills in the value of a held event that was recorded without it (a fan-out captured it later). */
  setValue(offset: number, value: unknown): void {
    if (offset < this.firstOffset || offset > this.offset) return;
    this.ring[(this.head + (offset - this.firstOffset)) % this.ring.length]!.value = value;
  }

  private dropOldest(): void {
    // The slot stays for reuse; what it refers to is let go.
    const slot = this.ring[this.head]!;
    slot.key = "";
    slot.delta = undefined;
    slot.value = null;
    this.head = (this.head + 1) % this.ring.length;
    this.count--;
  }

  private trimAge(now: number): void {
    const limit = now - this.options.maxAgeMs;
    while (this.count > 0 && this.ring[this.head]!.time < limit) this.dropOldest();
  }

  /**
   * The events after `offset` of `epoch`, oldest first, or null when some of them are no
   * longer held (or the epoch is another), so the caller must resync. The records are copies:
   * the caller may keep them, and fill in their values, while the history moves on.
   */
  since(epoch: string, offset: number, now: number): EventRecord[] | null {
    if (epoch !== this.epoch || offset > this.offset || offset < 0) return null;
    this.trimAge(now);
    if (offset + 1 < this.firstOffset) return null;
    const out: EventRecord[] = [];
    const cap = this.ring.length;
    for (let o = offset + 1; o <= this.offset; o++) {
      const r = this.ring[(this.head + (o - this.firstOffset)) % cap]!;
      out.push({ offset: r.offset, db: r.db, key: r.key, event: r.event, time: r.time, delta: r.delta, value: r.value });
    }
    return out;
  }
}
