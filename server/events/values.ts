// Values carried by events and snapshots. A string value is captured for every event (it is
// a reference to an immutable string: free); a container's value is serialized only when a
// watcher asked for full values, since that costs time proportional to its size.

import type { Database, StoredValue } from "../keyspace/database.js";
import type { Reply } from "../reply.js";

/** Marks an event whose value was not captured (a container with no full-value watcher). */
export const UNRECORDED: unique symbol = Symbol("unrecorded");

/** Events after which the key no longer exists. */
const GONE = new Set(["del", "expired", "evicted", "rename_from", "move_from"]);
/**
 * Events of strings rewritten whole on every change and big (an HLL's 12 KB after each PFADD):
 * kept in the history only while a watcher wants full values, as a container's value is. Each
 * kept copy is a distinct string, so 10,000 of them held 120 MB and doubled PFADD's GC time.
 */
const REWRITTEN = new Set(["pfadd"]);
/** Events whose delta is the key's new string value. */
const DELTA_IS_VALUE = new Set(["set", "incrby", "incrbyfloat"]);

/** A stored value as a reply: strings as bulk strings, lists and sets as arrays, hashes as maps. */
export function storedValueReply(v: StoredValue): Reply {
  if (typeof v === "string") return v;
  return v.toReply();
}

export function containerValue(db: Database, key: string): Reply {
  const v = db.data.get(key);
  return v === undefined ? null : storedValueReply(v);
}

export function captureValue(db: Database, event: string, key: string, delta: unknown, full: boolean): unknown {
  if (GONE.has(event)) return null;
  if (DELTA_IS_VALUE.has(event) && typeof delta === "string") return delta;
  const v = db.data.get(key);
  if (v === undefined) return null;
  if (typeof v === "string") return full || !REWRITTEN.has(event) ? v : UNRECORDED;
  return full ? storedValueReply(v) : UNRECORDED;
}
