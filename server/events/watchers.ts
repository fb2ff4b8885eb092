// Watches: who is told about which key changes. Every keyspace event is recorded in the
// history, matched against the watches of its database (exact keys through a map, patterns
// through their compiled glob), and sent once per connection whose watches match, with the
// event's common part encoded once per event (per value variant), not once per watcher.

import { compileGlob, isLiteralPattern } from "../keyspace/glob.js";
import type { Keyspace } from "../keyspace/keyspace.js";
import type { Database } from "../keyspace/database.js";
import type { Reply } from "../reply.js";
import { encodeEventTail, eventFrame, headBytes, releaseTails, tailBytes, writeEventHead, writeEventTail } from "./event-frame.js";
import type { EventRecord, History } from "./history.js";
import { captureValue, containerValue, UNRECORDED } from "./values.js";
import { canReadKey } from "../acl/check.js";
import { READ } from "../acl/selector.js";
import type { User } from "../acl/user.js";

export type ValueMode = "none" | "delta" | "full";

/** Variant bits: which optional parts an event frame carries. */
export const WITH_DELTA = 1;
export const WITH_VALUE = 2;

/** A connection that has watches. The transport implements it. */
export interface WatchSink {
  /**
   * Sends one event frame: the first `headLength` bytes of `head` (this connection's watch
   * ids), then the first `tailLength` bytes of `tail` (shared by every connection). Both are
   * scratch memory to copy during the call, except a tail whose buffer is exactly `tailLength`
   * long: that one never changes and may be kept. The transport applies its output limit.
   * It must not change the keyspace (the fan-out's scratch memory is not reentrant).
   */
  sendEvent(head: Buffer, headLength: number, tail: Buffer, tailLength: number): void;
  /** Scratch space for one event's fan-out: the offset it was collected for. */
  stamp: number;
  /** Scratch: [watchId, seq, ...] of this event's matching watches, its first idCount entries. */
  ids: number[];
  /** Scratch: how many entries of ids are this event's (the array is reused, never emptied). */
  idCount: number;
  /** Scratch: union of the variant bits those watches want. */
  needs: number;
  /** Closes the connection with a WebSocket close code (a gateway's history restarted). */
  closeWith?(code: number, reason: string): void;
}

export interface Watch {
  readonly id: number;
  readonly db: number;
  readonly pattern: string;
  /** Null for an exact key (indexed by the key), else the compiled pattern. */
  readonly match: ((key: string) => boolean) | null;
  /** Event names delivered; null = every event but "new" (Redis's 'A' excludes it too). */
  readonly events: ReadonlySet<string> | null;
  readonly value: ValueMode;
  /** Events delivered to this watch so far: the per-subscription sequence number. */
  seq: number;
  readonly sink: WatchSink;
  /** Whose read permissions filter the keys delivered; null = everything. */
  readonly user: User | null;
  /** The user's version when `covered` was worked out. */
  aclVersion: number;
  /** The user may read every key the pattern can match: no per-event check needed. */
  covered: boolean;
}

function needsOf(w: Watch): number {
  return w.value === "full" ? WITH_VALUE | WITH_DELTA : w.value === "delta" ? WITH_DELTA : 0;
}

export function wants(w: Watch, event: string): boolean {
  return w.events === null ? event !== "new" : w.events.has(event);
}

/** The literal start of a glob pattern: what every key it matches begins with. */
function literalPrefix(pattern: string): string {
  const i = pattern.search(/[*?[\\]/);
  return i < 0 ? pattern : pattern.slice(0, i);
}

/**
 * Does one of the user's read patterns match every key the watch pattern can? Sufficient, not
 * exact: "*", the same pattern, or a "prefix*" that the watch's own literal prefix starts with.
 * When it says no, each event's key is checked instead.
 */
function covers(user: User, pattern: string): boolean {
  if (isLiteralPattern(pattern)) return canReadKey(user, pattern);
  const prefix = literalPrefix(pattern);
  for (const s of user.selectors) {
    if (s.allKeys) return true;
    for (const p of s.keys) {
      if (!(p.perm & READ)) continue;
      if (p.pattern === "*" || p.pattern === pattern) return true;
      const body = p.pattern.slice(0, -1);
      if (p.pattern.endsWith("*") && isLiteralPattern(body) && prefix.startsWith(body)) return true;
    }
  }
  return false;
}

/** May this watch's user read this key? A boolean test for unrestricted users and covering patterns. */
export function readable(w: Watch, key: string): boolean {
  const user = w.user;
  if (user === null || user.unrestricted) return true;
  if (w.aclVersion !== user.version) {
    w.aclVersion = user.version;
    w.covered = covers(user, w.pattern);
  }
  return w.covered || canReadKey(user, key);
}

export function createWatch(
  sink: WatchSink,
  id: number,
  db: number,
  pattern: string,
  events: readonly string[] | null,
  value: ValueMode,
  seq = 0,
  user: User | null = null,
): Watch {
  return {
    id,
    db,
    pattern,
    match: isLiteralPattern(pattern) ? null : compileGlob(pattern),
    events: events ? new Set(events) : null,
    value,
    seq,
    sink,
    user,
    aclVersion: -1,
    covered: false,
  };
}

/** What the fan-out's scratch holds between events instead of a connection. */
const NO_SINK: WatchSink = { sendEvent() {}, stamp: -1, ids: [], idCount: 0, needs: 0 };

export class Watchers {
  private readonly exact: Map<string, Watch[]>[];
  private readonly patterns: Watch[][];
  /** Watches wanting full values, per database: values of containers are captured only then. */
  private readonly fullCount: number[];
  private count = 0;
  eventsSent = 0;
  // Scratch of onEvent and fanOut, reused from event to event: an expiry burst makes 100,000
  // events a second, and what each allocated (a record, two arrays) set the pace of the
  // young-generation collections that made events late.
  private readonly record: EventRecord = { offset: 0, db: 0, key: "", event: "", time: 0, delta: undefined, value: null };
  // Reused with a count rather than emptied: `array.length = 0` lets the backing store go, and
  // the next push allocates it again.
  private readonly touched: WatchSink[] = [];
  private touchedCount = 0;
  /** Length of each variant's tail for the event being sent; -1 when not encoded yet. */
  private readonly tailLengths = [-1, -1, -1, -1];

  constructor(
    private readonly keyspace: Keyspace,
    readonly history: History,
  ) {
    const n = keyspace.dbs.length;
    this.exact = Array.from({ length: n }, () => new Map());
    this.patterns = Array.from({ length: n }, () => []);
    this.fullCount = new Array(n).fill(0);
    keyspace.onKeyEvent((db, event, key, delta) => this.onEvent(db, event, key, delta));
  }

  get size(): number {
    return this.count;
  }

  add(w: Watch): void {
    if (w.match === null) {
      const list = this.exact[w.db]!.get(w.pattern);
      if (list) list.push(w);
      else this.exact[w.db]!.set(w.pattern, [w]);
    } else this.patterns[w.db]!.push(w);
    if (w.value === "full") this.fullCount[w.db]!++;
    this.count++;
  }

  remove(w: Watch): void {
    let list: Watch[] | undefined;
    if (w.match === null) list = this.exact[w.db]!.get(w.pattern);
    else list = this.patterns[w.db];
    if (!list) return;
    const i = list.indexOf(w);
    if (i < 0) return;
    list.splice(i, 1);
    if (w.match === null && list.length === 0) this.exact[w.db]!.delete(w.pattern);
    if (w.value === "full") this.fullCount[w.db]!--;
    this.count--;
  }

  /** Does this watch see this recorded event? */
  static matches(w: Watch, r: EventRecord): boolean {
    if (r.db !== w.db || !wants(w, r.event)) return false;
    return (w.match === null ? r.key === w.pattern : w.match(r.key)) && readable(w, r.key);
  }

  private onEvent(db: number, event: string, key: string, delta: unknown): void {
    const ks = this.keyspace;
    const record = this.record as { -readonly [K in keyof EventRecord]: EventRecord[K] };
    record.offset = this.history.offset + 1;
    record.db = db;
    record.key = key;
    record.event = event;
    record.time = ks.now;
    record.delta = delta;
    record.value = captureValue(ks.dbs[db]!, event, key, delta, this.fullCount[db]! > 0);
    this.history.append(record);
    if (this.count !== 0) this.fanOut(record, ks.dbs[db]!);
    // Not kept past the event.
    record.key = "";
    record.delta = undefined;
    record.value = null;
  }

  /**
   * An event from an external source (a gateway's shared stream): recorded with its own
   * offset and the delta and value the caller supplies (UNRECORDED when it read none), then
   * sent to the matching watches. Never reads the local keyspace.
   */
  deliver(record: EventRecord): void {
    this.history.append(record);
    if (this.count !== 0) this.fanOut(record, null);
  }

  /**
   * What the watches that match this event want it to carry: 1 the delta, 2 the value. For an
   * external source, which reads values only when some watch wants them.
   */
  needsFor(db: number, key: string, event: string): number {
    if (this.count === 0) return 0;
    let needs = 0;
    const exact = this.exact[db]?.get(key);
    if (exact) for (const w of exact) if (wants(w, event) && readable(w, key)) needs |= needsOf(w);
    const patterns = this.patterns[db];
    if (patterns) for (const w of patterns) if (w.match!(key) && wants(w, event) && readable(w, key)) needs |= needsOf(w);
    return needs;
  }

  /** Every connection with a watch (for telling them all that the history restarted). */
  sinks(): Set<WatchSink> {
    const out = new Set<WatchSink>();
    for (const m of this.exact) for (const list of m.values()) for (const w of list) out.add(w.sink);
    for (const list of this.patterns) for (const w of list) out.add(w.sink);
    return out;
  }

  /** `db` is null for an external event: a value not supplied stays unrecorded (sent as nil). */
  private fanOut(record: EventRecord, db: Database | null): void {
    const key = record.key;
    const touched = this.touched;
    this.touchedCount = 0;
    const exact = this.exact[record.db]!.get(key);
    if (exact) for (let i = 0; i < exact.length; i++) this.collect(exact[i]!, record);
    const patterns = this.patterns[record.db]!;
    for (let i = 0; i < patterns.length; i++) {
      const w = patterns[i]!;
      if (w.match!(key)) this.collect(w, record);
    }
    const n = this.touchedCount;
    if (n === 0) return;

    // One encoding of the common part per variant, shared by every connection.
    const lengths = this.tailLengths;
    lengths[0] = lengths[1] = lengths[2] = lengths[3] = -1;
    for (let i = 0; i < n; i++) {
      const sink = touched[i]!;
      const needs = sink.needs;
      if (needs & WITH_VALUE && record.value === UNRECORDED && db !== null) {
        record.value = containerValue(db, key);
        this.history.setValue(record.offset, record.value);
      }
      let tailLength = lengths[needs]!;
      if (tailLength < 0) tailLength = lengths[needs] = this.writeTail(needs, record);
      const headLength = writeEventHead(sink.ids, sink.idCount);
      sink.sendEvent(headBytes(), headLength, tailBytes(needs), tailLength);
      this.eventsSent++;
    }
    // Let go of the sinks (a closed connection must not be kept by the scratch).
    for (let i = 0; i < n; i++) touched[i] = NO_SINK;
    releaseTails();
  }

  private collect(w: Watch, record: EventRecord): void {
    if (!wants(w, record.event)) return;
    if (w.user !== null && !w.user.unrestricted && !readable(w, record.key)) return;
    const sink = w.sink;
    if (sink.stamp !== record.offset) {
      sink.stamp = record.offset;
      sink.idCount = 0;
      sink.needs = 0;
      this.touched[this.touchedCount++] = sink;
    }
    const ids = sink.ids;
    ids[sink.idCount++] = w.id;
    ids[sink.idCount++] = ++w.seq;
    sink.needs |= needsOf(w);
  }

  /** The tail of an event frame: db, key, event, offset, time, delta, value (msgpack, no array header). */
  encodeCommon(r: EventRecord, needs: number): Buffer {
    const delta = needs & WITH_DELTA ? (r.delta as Reply | undefined) : undefined;
    const value = needs & WITH_VALUE && r.value !== UNRECORDED ? (r.value as Reply) : undefined;
    return encodeEventTail(r.db, r.key, r.event, r.offset, r.time, delta, value);
  }

  /** encodeCommon into the fan-out's scratch slot `needs`: returns the length (see writeEventTail). */
  private writeTail(needs: number, r: EventRecord): number {
    const delta = needs & WITH_DELTA ? (r.delta as Reply | undefined) : undefined;
    const value = needs & WITH_VALUE && r.value !== UNRECORDED ? (r.value as Reply) : undefined;
    return writeEventTail(needs, r.db, r.key, r.event, r.offset, r.time, delta, value);
  }

  /** An event frame for one watch, for replay after a resume. */
  replayFrame(w: Watch, r: EventRecord): Buffer {
    return eventFrame([w.id, ++w.seq], this.encodeCommon(r, needsOf(w)));
  }
}
