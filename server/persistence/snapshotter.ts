// A consistent snapshot of the keyspace without a fork and without stopping clients.
//
// Values are strings (immutable) or containers that commands change in place, so a snapshot
// taken over many event-loop turns cannot simply walk the keyspace: a key it already wrote may
// change behind it. Instead it works like a live migration's pre-copy:
//   1. walk every database a few thousand keys per turn, writing each key as it is then;
//   2. meanwhile, note every key that changes (from the keyspace's event stream, which every
//      write, expiry and eviction goes through);
//   3. rewrite the noted keys (their current value, or a DEL if they are gone), again in
//      turns, until few are left;
//   4. in one synchronous step, write the last noted keys and the history position.
// The file then describes the keyspace exactly as it was at step 4: readers apply its records
// in order, a later record of a key replacing an earlier one. A FLUSHDB/FLUSHALL/SWAPDB
// during the walk writes a CLEAR of the database and walks it again.
//
// Keys past their deadline that the timer has not removed yet are written too: after a
// restart they are expired (and announced as "expired" to watchers), not silently missing.

import type { EventRecord } from "../events/history.js";
import type { Database } from "../keyspace/database.js";
import { MapReply, SetReply } from "../reply.js";
import type { ServerState } from "../state.js";
import { ByteWriter, checksum } from "./codec.js";
import { Op, writeClear, writeDel, writeHeader, writeHistory, writeKey, writeMeta, type SnapshotMeta } from "./format.js";
import { SERVER_VERSION } from "../version.js";
import type { KeyMap } from "../keyspace/key-map.js";

/**
 * Bytes of event history a snapshot keeps at most: the newest events that fit. Events hold
 * references to values in memory, but a snapshot copies each one, so a burst of big values
 * could otherwise make every snapshot huge. A watcher further behind resyncs after a restart.
 */
export const HISTORY_BUDGET = 4 * 1024 * 1024;

/** Keys written between clock checks. */
const BATCH = 256;
/** Noted keys few enough to write in the final synchronous step. */
const FINISH_AT = 2000;
/** Rounds of rewriting noted keys before finishing anyway (a write rate faster than the save). */
const MAX_ROUNDS = 8;

const PENDING = 0;
const WALKING = 1;
const DONE = 2;

export class SnapshotJob {
  private readonly w: ByteWriter;
  private crc = 0;
  private readonly status: number[];
  private readonly dirty: Set<string>[];
  private walking: { db: Database; map: KeyMap<unknown>; it: Iterator<string> } | null = null;
  private rounds = 0;
  private readonly unsubscribe: (() => void)[] = [];
  private finished = false;
  /** Key records written (a key rewritten after a change counts again). */
  written = 0;

  constructor(
    private readonly state: ServerState,
    sink: (chunk: Buffer) => void,
  ) {
    this.w = new ByteWriter((chunk) => {
      this.crc = checksum(chunk, this.crc);
      sink(chunk);
    });
    const n = state.keyspace.dbs.length;
    this.status = new Array(n).fill(PENDING);
    this.dirty = Array.from({ length: n }, () => new Set<string>());
    writeHeader(this.w);
    const ks = state.keyspace;
    this.unsubscribe.push(
      ks.onKeyEvent((db, _event, key) => {
        if (this.status[db] !== PENDING) this.dirty[db]!.add(key);
      }),
      ks.onFlush((db) => {
        if (db === "all") for (let i = 0; i < n; i++) this.reset(i);
        else this.reset(db);
      }),
    );
  }

  /** A database is about to be emptied or swapped: drop what was written of it and walk it again. */
  private reset(db: number): void {
    if (this.status[db] === PENDING) return;
    writeClear(this.w, db);
    this.status[db] = PENDING;
    this.dirty[db]!.clear();
    if (this.walking?.db.index === db) this.walking = null;
  }

  /** Bytes encoded and not yet handed to the sink. */
  get buffered(): number {
    return this.w.length;
  }

  /**
   * Does up to `budgetMs` of work. True when what is left is small enough for finish()
   * to do synchronously.
   */
  step(budgetMs: number): boolean {
    const until = performance.now() + budgetMs;
    for (;;) {
      if (this.walkSome()) {
        if (performance.now() >= until) return false;
        continue;
      }
      let pending = 0;
      for (const d of this.dirty) pending += d.size;
      if (pending <= FINISH_AT || this.rounds >= MAX_ROUNDS) return true;
      this.rounds++;
      for (let i = 0; i < this.dirty.length; i++) {
        if (this.dirty[i]!.size === 0) continue;
        const keys = this.dirty[i]!;
        this.dirty[i] = new Set();
        this.writeNoted(i, keys);
      }
      this.w.emit();
      if (performance.now() >= until) return false;
    }
  }

  /** Walks a batch of keys; false when every database has been walked. */
  private walkSome(): boolean {
    const dbs = this.state.keyspace.dbs;
    let walking = this.walking;
    if (walking !== null && walking.map !== walking.db.data) {
      // Replaced without a flush event (should not happen): start that database again.
      this.reset(walking.db.index);
      walking = null;
    }
    if (walking === null) {
      const next = this.status.indexOf(PENDING);
      if (next < 0) return false;
      const db = dbs[next]!;
      walking = this.walking = { db, map: db.data, it: db.data.keys() };
      this.status[next] = WALKING;
    }
    const { db, it } = walking;
    for (let n = 0; n < BATCH; n++) {
      const r = it.next();
      if (r.done) {
        this.status[db.index] = DONE;
        this.walking = null;
        this.w.emit();
        return true;
      }
      const key = r.value;
      const value = db.data.get(key);
      if (value === undefined) continue;
      writeKey(this.w, db.index, key, value, db.deadline(key));
      this.written++;
    }
    return true;
  }

  private writeNoted(db: number, keys: Set<string>): void {
    const d = this.state.keyspace.dbs[db]!;
    for (const key of keys) {
      const value = d.data.get(key);
      if (value === undefined) writeDel(this.w, db, key);
      else {
        writeKey(this.w, db, key, value, d.deadline(key));
        this.written++;
      }
    }
  }

  /** Writes the rest synchronously and the end marker: the snapshot's state is the state now. */
  finish(): SnapshotMeta {
    while (this.walkSome());
    for (let i = 0; i < this.dirty.length; i++) {
      if (this.dirty[i]!.size > 0) this.writeNoted(i, this.dirty[i]!);
      this.dirty[i]!.clear();
    }
    this.stop();
    const state = this.state;
    const history = state.history;
    const now = Date.now();
    let keys = 0;
    for (const db of state.keyspace.dbs) keys += db.size;
    const meta: SnapshotMeta = { writer: SERVER_VERSION, at: now, epoch: history.epoch, offset: history.offset, keys };
    writeMeta(this.w, meta);
    writeHistory(this.w, recentHistory(history.since(history.epoch, history.firstOffset - 1, now) ?? []));
    this.w.u8(Op.END);
    this.w.emit();
    this.w.u32(this.crc);
    this.w.emit();
    return meta;
  }

  /** Stops following changes (after finish, or to abandon the snapshot). */
  stop(): void {
    if (this.finished) return;
    this.finished = true;
    for (const u of this.unsubscribe) u();
    this.unsubscribe.length = 0;
  }
}

function approxBytes(v: unknown): number {
  if (typeof v === "string") return v.length + 2;
  if (Array.isArray(v)) {
    let n = 2;
    for (const x of v) n += approxBytes(x);
    return n;
  }
  if (v instanceof MapReply) return approxBytes(v.flat);
  if (v instanceof SetReply) return approxBytes(v.items);
  return 9;
}

/** The newest events whose encoding fits in HISTORY_BUDGET, oldest first. */
function recentHistory(events: EventRecord[]): EventRecord[] {
  let budget = HISTORY_BUDGET;
  let i = events.length;
  while (i > 0) {
    const e = events[i - 1]!;
    budget -= e.key.length + e.event.length + 24 + approxBytes(e.delta) + approxBytes(e.value);
    if (budget < 0) break;
    i--;
  }
  return i === 0 ? events : events.slice(i);
}
