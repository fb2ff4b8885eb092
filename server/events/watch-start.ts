// Starting a watch: optional resume from a position (replaying what was missed, or telling
// the client to resync), optional snapshot of the matching keys, then live events. All of
// it runs in one synchronous step, so no change can fall between the snapshot (or the
// replay) and the first live event. Gateway mode (server/gateway/events) reads from the
// backend first, then finishes with the same steps (recoverFrom, completeWatch).

import type { ValueMode, WatchResult } from "../../shared/protocol.js";
import { CommandError } from "../errors.js";
import { compileGlob, isLiteralPattern } from "../keyspace/glob.js";
import { DATABASES } from "../keyspace/keyspace.js";
import { typeOf } from "../keyspace/database.js";
import type { ServerState } from "../state.js";
import { replyToWire, type Wire } from "../encoding/msgpack-replies.js";
import { UNRECORDED, storedValueReply } from "./values.js";
import type { EventRecord, History } from "./history.js";
import { createWatch, Watchers, type Watch, type WatchSink } from "./watchers.js";
import { canReadKey } from "../acl/check.js";
import type { User } from "../acl/user.js";

export interface WatchRequest {
  watchId: number;
  pattern: string;
  db: number;
  events: string[] | null;
  value: ValueMode;
  snapshot: boolean;
  snapshotLimit: number;
  since: { epoch: string; offset: number; seq: number } | null;
  /** Whose permissions filter the keys delivered (null: unrestricted). */
  user?: User | null;
}

export interface StartedWatch {
  watch: Watch;
  result: WatchResult;
  /** Event frames to send right before the result (which covers them), oldest first. */
  replay: Buffer[];
  /**
   * Event frames to send right after the result, oldest first: the changes since the position
   * a snapshot was read at (gateway mode), which the client must see after the snapshot.
   */
  after?: Buffer[];
}

const VALUE_MODES: readonly string[] = ["none", "delta", "full"];

/** Reads a WATCH frame's options map into a request; throws CommandError naming what is wrong. */
export function parseWatchRequest(watchId: unknown, pattern: unknown, raw: unknown, maxSnapshot: number): Omit<WatchRequest, "pattern"> & { pattern: unknown } {
  if (typeof watchId !== "number" || !Number.isSafeInteger(watchId)) throw new CommandError("ERR protocol error: a watch needs an integer watch id");
  const o = (raw ?? {}) as Record<string, unknown>;
  if (typeof o !== "object" || Array.isArray(o)) throw new CommandError("ERR protocol error: watch options must be a map");
  const db = o.db ?? 0;
  if (typeof db !== "number" || !Number.isInteger(db) || db < 0 || db >= DATABASES) throw new CommandError("ERR DB index is out of range");
  const value = o.value ?? "none";
  if (typeof value !== "string" || !VALUE_MODES.includes(value)) throw new CommandError("ERR watch option 'value' must be \"none\", \"delta\" or \"full\"");
  let events: string[] | null = null;
  if (o.events !== undefined && o.events !== null) {
    if (!Array.isArray(o.events) || !o.events.every((e) => typeof e === "string")) throw new CommandError("ERR watch option 'events' must be an array of event names");
    events = o.events as string[];
  }
  const limit = o.snapshotLimit ?? maxSnapshot;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0) throw new CommandError("ERR watch option 'snapshotLimit' must be a non-negative integer");
  let since: WatchRequest["since"] = null;
  if (o.since !== undefined && o.since !== null) {
    const s = o.since as unknown[];
    if (!Array.isArray(s) || typeof s[0] !== "string" || typeof s[1] !== "number" || typeof s[2] !== "number") {
      throw new CommandError("ERR watch option 'since' must be [epoch, offset, seq]");
    }
    since = { epoch: s[0], offset: s[1], seq: s[2] };
  }
  return { watchId, pattern, db, events, value: value as ValueMode, snapshot: o.snapshot === true, snapshotLimit: Math.min(limit, maxSnapshot), since };
}

function snapshotOf(state: ServerState, req: WatchRequest): SnapshotEntry[] {
  const db = state.keyspace.dbs[req.db]!;
  const now = state.keyspace.now;
  const out: SnapshotEntry[] = [];
  const add = (key: string) => {
    const v = db.data.get(key)!;
    const at = db.deadline(key);
    out.push([replyToWire(key), typeOf(v), replyToWire(storedValueReply(v)), at === undefined ? -1 : Math.max(0, at - now)]);
  };
  if (isLiteralPattern(req.pattern)) {
    if (db.lookup(req.pattern) !== undefined && canReadKey(req.user ?? undefined, req.pattern)) add(req.pattern);
    return out;
  }
  const match = compileGlob(req.pattern);
  const user = req.user ?? undefined;
  const keys: string[] = [];
  for (const key of db.keys()) {
    if (!match(key) || !canReadKey(user, key)) continue;
    if (keys.length === req.snapshotLimit) {
      throw new CommandError(`ERR the snapshot of '${req.pattern}' would hold more than ${req.snapshotLimit} keys: narrow the pattern or raise snapshotLimit`);
    }
    keys.push(key);
  }
  for (const key of keys) add(key);
  return out;
}

/** What a `since` position gives: the events to replay, or null when the client must resync. */
export interface Recovery {
  missed: EventRecord[] | null;
  /** Undefined when the request had no position. */
  recovered: boolean | undefined;
  /** The watch's sequence number to continue from. */
  seq: number;
}

/**
 * The events after a position that this watch would have been sent, or null when some are no
 * longer held (or, for a full-value watch, were held without their value and `unrecorded`
 * does not allow that: the caller fills them in).
 */
export function recoverFrom(
  history: History,
  sink: WatchSink,
  req: WatchRequest,
  now: number,
  since: WatchRequest["since"] = req.since,
  unrecorded = false,
): Recovery {
  if (!since) return { missed: null, recovered: undefined, seq: 0 };
  let missed = history.since(since.epoch, since.offset, now);
  const probe = createWatch(sink, req.watchId, req.db, req.pattern, req.events, req.value, 0, req.user ?? null);
  if (missed) missed = missed.filter((r) => Watchers.matches(probe, r));
  // A full-value watch cannot be replayed an event whose value was not captured.
  if (missed && !unrecorded && req.value === "full" && missed.some((r) => r.value === UNRECORDED)) missed = null;
  return { missed, recovered: missed !== null, seq: missed !== null ? since.seq : 0 };
}

/** One key of a snapshot: key, type name, value, milliseconds to live (-1: none). */
export type SnapshotEntry = [key: Wire, type: string, value: Wire, pttl: number];

/** Registers the watch and builds its answer: replay frames, position, snapshot. */
export function completeWatch(state: ServerState, sink: WatchSink, req: WatchRequest, rec: Recovery, snapshot?: SnapshotEntry[]): StartedWatch {
  const history = state.history;
  const watch = createWatch(sink, req.watchId, req.db, req.pattern, req.events, req.value, rec.seq, req.user ?? null);
  const replay: Buffer[] = [];
  if (rec.missed) for (const r of rec.missed) replay.push(state.watchers.replayFrame(watch, r));
  state.watchers.add(watch);
  const result: WatchResult = { epoch: history.epoch, offset: history.offset };
  if (rec.recovered !== undefined) result.recovered = rec.recovered;
  if (snapshot) result.snapshot = snapshot as WatchResult["snapshot"];
  return { watch, result, replay };
}

export function startWatch(state: ServerState, sink: WatchSink, req: WatchRequest): StartedWatch {
  const now = state.keyspace.tick();
  const rec = recoverFrom(state.history, sink, req, now);
  const snapshot = req.snapshot && !rec.recovered ? snapshotOf(state, req) : undefined;
  return completeWatch(state, sink, req, rec, snapshot);
}
