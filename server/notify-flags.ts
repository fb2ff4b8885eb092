// Redis's notify-keyspace-events flags: the class characters, the class of each event name,
// and the setting's parsing and printing. Read by the keyspace-channels publisher and by the
// setting in config.ts; it imports nothing, so both can.

export const K = 1 << 0; // keyspace channel
export const E = 1 << 1; // keyevent channel
export const CLASSES: Record<string, number> = {
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
export const EVENT_CLASS: Record<string, number> = {};
// Every event Redis 7.0 emits for these types, by the class its notifyKeyspaceEvent() names,
// so that a family added later finds its events already classed.
for (const e of ["set", "setrange", "incrby", "incrbyfloat", "append", "setbit", "pfadd", "pfmerge", "pfdebug"]) EVENT_CLASS[e] = CLASSES.$!;
for (const e of ["lpush", "rpush", "lpop", "rpop", "linsert", "lset", "lrem", "ltrim", "sortstore"]) EVENT_CLASS[e] = CLASSES.l!;
for (const e of ["sadd", "srem", "spop", "sinterstore", "sunionstore", "sdiffstore"]) EVENT_CLASS[e] = CLASSES.s!;
for (const e of ["hset", "hdel", "hincrby", "hincrbyfloat"]) EVENT_CLASS[e] = CLASSES.h!;
for (const e of [
  "zadd", "zincr", "zrem", "zrembyscore", "zrembyrank", "zrembylex", "zpopmin", "zpopmax",
  "zunionstore", "zinterstore", "zdiffstore", "zrangestore", "geoadd", "georadiusstore", "geosearchstore",
]) EVENT_CLASS[e] = CLASSES.z!;
// What redis-server 7.0.15 really publishes for ZREMRANGEBY* (t_zset.c's zremrangeGenericCommand).
for (const e of ["zremrangebyscore", "zremrangebyrank", "zremrangebylex"]) EVENT_CLASS[e] = CLASSES.z!;
for (const e of [
  "xadd", "xtrim", "xdel", "xsetid", "xgroup-create", "xgroup-createconsumer", "xgroup-delconsumer",
  "xgroup-destroy", "xgroup-setid", "xclaim", "xautoclaim",
]) EVENT_CLASS[e] = CLASSES.t!;
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
