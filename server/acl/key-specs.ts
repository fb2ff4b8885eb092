// Which arguments of a command are keys, and whether each is read, written, or only named:
// Redis 7's key specs (COMMAND INFO), reduced to what ACL checks need. A key spec flagged
// "access" needs read permission (%R~); "insert", "update" or "delete" need write permission
// (%W~); one with neither (EXISTS, TYPE, LLEN) only needs the key to match some pattern.

import type { Entry } from "../command-impl.js";
import { READ, WRITE } from "./selector.js";

const R = READ;
const W = WRITE;
const RW = READ | WRITE;

/** [begin, last, step, perm]: last >= 0 counts from begin (0 = the begin key alone), < 0 from the end. */
type Segment = readonly [begin: number, last: number, step: number, perm: number];

const first = (perm: number): readonly Segment[] => [[1, 0, 1, perm]];
const all = (perm: number): readonly Segment[] => [[1, -1, 1, perm]];
const moveLike: readonly Segment[] = [
  [1, 0, 1, RW],
  [2, 0, 1, W],
];
const storeLike: readonly Segment[] = [
  [1, 0, 1, W],
  [2, -1, 1, R],
];

/** Per command, from redis-server 7.0's COMMAND INFO. */
const SPECS: Record<string, readonly Segment[]> = {
  del: all(W),
  unlink: all(W),
  exists: all(0),
  touch: all(0),
  watch: all(0),
  type: first(0),
  ttl: first(R),
  pttl: first(R),
  expiretime: first(R),
  pexpiretime: first(R),
  expire: first(W),
  pexpire: first(W),
  expireat: first(W),
  pexpireat: first(W),
  persist: first(W),
  rename: moveLike,
  renamenx: moveLike,
  copy: [
    [1, 0, 1, R],
    [2, 0, 1, W],
  ],
  "object|encoding": [[2, 0, 1, 0]],
  "object|freq": [[2, 0, 1, 0]],
  "object|idletime": [[2, 0, 1, 0]],
  "object|refcount": [[2, 0, 1, 0]],
  "memory|usage": [[2, 0, 1, 0]],
  get: first(R),
  setex: first(W),
  psetex: first(W),
  setnx: first(W),
  getset: first(RW),
  getdel: first(RW),
  getex: first(RW),
  mget: all(R),
  mset: [[1, -1, 2, W]],
  msetnx: [[1, -1, 2, W]],
  incr: first(RW),
  incrby: first(RW),
  decr: first(RW),
  decrby: first(RW),
  incrbyfloat: first(RW),
  append: first(W),
  strlen: first(0),
  getrange: first(R),
  setrange: first(W),
  lpush: first(W),
  rpush: first(W),
  lpushx: first(W),
  rpushx: first(W),
  lpop: first(RW),
  rpop: first(RW),
  lrange: first(R),
  ltrim: first(W),
  llen: first(0),
  lindex: first(R),
  lset: first(W),
  lrem: first(W),
  linsert: first(W),
  lpos: first(R),
  lmove: moveLike,
  rpoplpush: moveLike,
  sadd: first(W),
  srem: first(W),
  smembers: first(R),
  sismember: first(0),
  smismember: first(R),
  scard: first(0),
  spop: first(RW),
  srandmember: first(R),
  smove: moveLike,
  sinter: all(R),
  sunion: all(R),
  sdiff: all(R),
  sinterstore: storeLike,
  sunionstore: storeLike,
  sdiffstore: storeLike,
  sscan: first(R),
  restore: first(W),
  // Redis 7.0's key specs: update/delete need write only, ZCARD's RO without access nothing.
  zadd: first(W),
  zrem: first(W),
  zcard: first(0),
  zremrangebyrank: first(W),
  zremrangebyscore: first(W),
  zremrangebylex: first(W),
  hset: first(W),
  hsetnx: first(W),
  hmset: first(W),
  hget: first(R),
  hmget: first(R),
  hgetall: first(R),
  hdel: first(W),
  hexists: first(0),
  hlen: first(0),
  hkeys: first(R),
  hvals: first(R),
  hstrlen: first(0),
  hincrby: first(RW),
  hincrbyfloat: first(RW),
  hrandfield: first(R),
  hscan: first(R),
  pfadd: first(W),
  pfcount: all(R),
  pfmerge: [
    [1, 0, 1, RW],
    [2, -1, 1, R],
  ],
  pfdebug: [[2, 0, 1, R]],
};

function addRange(argv: readonly string[], seg: Segment, out: number[]): void {
  const [begin, lastSpec, step, perm] = seg;
  const last = lastSpec >= 0 ? begin + lastSpec : argv.length + lastSpec;
  for (let i = begin; i <= last && i < argv.length; i += step) out.push(i, perm);
}

/** A command's keys as flat [argvIndex, perm, argvIndex, perm, ...]. */
export function keysOf(entry: Entry, argv: readonly string[]): number[] {
  const out: number[] = [];
  const name = entry.lower;
  if (name === "set") {
    // SET reads the old value only with GET (Redis's variable key flags).
    let get = false;
    for (let i = 3; i < argv.length; i++) if (argv[i]!.toLowerCase() === "get") get = true;
    out.push(1, get ? RW : W);
    return out;
  }
  if (name === "zunionstore" || name === "zinterstore" || name === "zdiffstore") {
    // A destination (write), then numkeys sources (read); a bad count names no key at all.
    const n = Number(argv[2]);
    if (!Number.isSafeInteger(n) || n < 1 || 3 + n > argv.length) return out;
    out.push(1, W);
    for (let i = 3; i < 3 + n; i++) out.push(i, R);
    return out;
  }
  if (name === "sintercard") {
    const n = Number(argv[1]);
    // More keys than arguments: no keys (COMMAND GETKEYS then refuses it, as Redis does).
    if (Number.isSafeInteger(n) && n > 0 && n <= argv.length - 2) for (let i = 2; i < 2 + n && i < argv.length; i++) out.push(i, R);
    return out;
  }
  if (name === "sort" || name === "sort_ro") {
    // sortGetKeys: the sorted key, and the last STORE's destination (BY, GET and LIMIT skip their arguments).
    out.push(1, R);
    if (name === "sort") {
      let store = -1;
      for (let i = 2; i < argv.length; i++) {
        const w = argv[i]!.toLowerCase();
        if (w === "limit") i += 2;
        else if (w === "get" || w === "by") i += 1;
        else if (w === "store" && i + 1 < argv.length) store = i + 1;
      }
      if (store > 0) out.push(store, W);
    }
    return out;
  }
  // Redis 7.0 finds no keys at all when PFMERGE has no source (its second key spec would
  // begin past the end), so the destination is not checked either.
  if (name === "pfmerge" && argv.length < 3) return out;
  const segs = SPECS[name];
  if (segs !== undefined) {
    for (const s of segs) addRange(argv, s, out);
    return out;
  }
  const k = entry.spec.keys;
  const kn = entry.spec.keynum;
  // A command this table does not know yet: read and write, the strictest reading.
  const perm = entry.spec.flags.includes("write") ? RW : R;
  if (k !== null) addRange(argv, [k.first, k.last < 0 ? k.last : k.last - k.first, k.step, perm], out);
  if (kn !== undefined) {
    const n = Number(argv[kn.numkeys]);
    // A count that runs past the arguments names no keys (Redis's keynum spec, COMMAND GETKEYS).
    if (Number.isSafeInteger(n) && n > 0 && kn.first + (n - 1) * kn.step < argv.length) {
      for (let i = 0, at = kn.first; i < n; i++, at += kn.step) out.push(at, perm);
    }
  }
  return out;
}

/** Channels a command names: 1 = a channel, 2 = a pattern (compared literally). */
export function channelsOf(entry: Entry, argv: readonly string[]): { from: number; to: number; pattern: boolean } | null {
  switch (entry.lower) {
    case "publish":
      return { from: 1, to: 1, pattern: false };
    case "subscribe":
      return { from: 1, to: argv.length - 1, pattern: false };
    case "psubscribe":
      return { from: 1, to: argv.length - 1, pattern: true };
    default:
      return null;
  }
}
