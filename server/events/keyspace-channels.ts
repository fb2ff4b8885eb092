// Redis's keyspace notifications as pub/sub messages: with notify-keyspace-events set
// (e.g. "KEA"), every change is published to __keyspace@<db>__:<key> (message: the event)
// and/or __keyevent@<db>__:<event> (message: the key), as Redis does.

import type { Keyspace } from "../keyspace/keyspace.js";
import type { PubSub } from "../pubsub.js";

const K = 1 << 0; // keyspace channel
const E = 1 << 1; // keyevent channel
const CLASSES: Record<string, number> = {
  g: 1 << 2,
  $: 1 << 3,
  l: 1 << 4,
  s: 1 << 5,
  h: 1 << 6,
  z: 1 << 7,
  x: 1 << 8,
  e: 1 << 9,
  t: 1 << 10,
  m: 1 << 11,
  d: 1 << 12,
  n: 1 << 13,
};
const ALL = CLASSES.g! | CLASSES.$! | CLASSES.l! | CLASSES.s! | CLASSES.h! | CLASSES.z! | CLASSES.x! | CLASSES.e! | CLASSES.t! | CLASSES.d!;

/** The class of each event name; anything not listed is generic ('g'). */
const EVENT_CLASS: Record<string, number> = {};
for (const e of ["set", "setrange", "incrby", "incrbyfloat", "append"]) EVENT_CLASS[e] = CLASSES.$!;
EVENT_CLASS.pfadd = CLASSES.$!;
for (const e of ["lpush", "rpush", "lpop", "rpop", "linsert", "lset", "lrem", "ltrim"]) EVENT_CLASS[e] = CLASSES.l!;
for (const e of ["sadd", "srem", "spop", "sinterstore", "sunionstore", "sdiffstore"]) EVENT_CLASS[e] = CLASSES.s!;
for (const e of ["hset", "hdel", "hincrby", "hincrbyfloat"]) EVENT_CLASS[e] = CLASSES.h!;
EVENT_CLASS.expired = CLASSES.x!;
EVENT_CLASS.evicted = CLASSES.e!;
EVENT_CLASS.new = CLASSES.n!;

export const INVALID_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/** Parses Redis's notify-keyspace-events string; null when a character is not a class. */
export function parseNotifyFlags(s: string): number | null {
  let flags = 0;
  for (const c of s) {
    if (c === "A") flags |= ALL;
    else if (c === "K") flags |= K;
    else if (c === "E") flags |= E;
    else if (CLASSES[c] !== undefined) flags |= CLASSES[c]!;
    else return null;
  }
  return flags;
}

/** Flags back to the string CONFIG GET shows, in Redis's order. */
export function formatNotifyFlags(flags: number): string {
  let out = "";
  // As Redis 7 shows them: with every class, "A" (and "n" goes unshown); else each class.
  if ((flags & ALL) === ALL) out += "A";
  else for (const c of "g$lshzxetdn") if (flags & CLASSES[c]!) out += c;
  if (flags & K) out += "K";
  if (flags & E) out += "E";
  if (flags & CLASSES.m!) out += "m";
  return out;
}

export class KeyspaceChannels {
  flags = 0;

  constructor(keyspace: Keyspace, private readonly pubsub: PubSub) {
    keyspace.onKeyEvent((db, event, key) => this.onEvent(db, event, key));
  }

  private onEvent(db: number, event: string, key: string): void {
    const flags = this.flags;
    if ((flags & (K | E)) === 0) return;
    if ((flags & (EVENT_CLASS[event] ?? CLASSES.g!)) === 0) return;
    if (!this.pubsub.hasReceivers()) return;
    if (flags & K) this.pubsub.publish(`__keyspace@${db}__:${key}`, event);
    if (flags & E) this.pubsub.publish(`__keyevent@${db}__:${event}`, key);
  }
}
