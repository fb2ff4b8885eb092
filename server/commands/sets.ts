// Set commands: t_set.c's family. Members are byte strings (see server/bytes.ts).
import type { setCommands } from "../../shared/commands/sets.js";
import { isOption, toInt64 } from "../args.js";
import type { Context } from "../context.js";
import type { Implementations } from "../command-impl.js";
import { CommandError, NOT_INTEGER, NOT_POSITIVE, SYNTAX, WRONGTYPE } from "../errors.js";
import type { Database, StoredValue } from "../keyspace/database.js";
import { distinctPositions, SetValue } from "../keyspace/set.js";
import { SetReply, type Reply } from "../reply.js";

const INT64_MIN = -(2n ** 63n);
const COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

/**
 * Most elements a count that allows repeats (SRANDMEMBER/HRANDFIELD with a negative count)
 * may ask for. Redis has no such cap and would build the whole reply; here a reply that
 * size would exhaust the process's heap, so the count is refused instead.
 */
export const MAX_REPEAT_COUNT = 2 ** 24;

function lookupSet(db: Database, key: string): SetValue | undefined {
  return db.lookupContainer<SetValue>(key, "set");
}

function asSet(value: StoredValue | undefined): SetValue | undefined {
  if (value === undefined || (typeof value !== "string" && value.type === "set")) return value as SetValue | undefined;
  throw new CommandError(WRONGTYPE);
}

/** A count that must be >= 0 (SPOP): getPositiveLongFromObjectOrReply's rules and error. */
function positiveCount(raw: string): number {
  const n = toInt64(raw);
  if (n === null || n < 0) throw new CommandError(NOT_POSITIVE);
  return typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
}

/**
 * A signed count for SRANDMEMBER/HRANDFIELD, in -LONG_MAX..LONG_MAX; stays exact (bigint)
 * beyond 2^53 so that callers can apply their own bounds first.
 */
export function signedCount(raw: string): number | bigint {
  const n = toInt64(raw);
  if (n === null) throw new CommandError(NOT_INTEGER);
  if (n === INT64_MIN) throw new CommandError(COUNT_RANGE);
  return n;
}

/** A count of repeated random picks, refused past MAX_REPEAT_COUNT. */
export function repeatCount(n: number | bigint): number {
  if (n > MAX_REPEAT_COUNT) throw new CommandError("ERR value is out of range");
  return Number(n);
}

/** Where SSCAN/HSCAN stand: positions still to visit, the step, and the MATCH pattern. */
export interface ScanArgs {
  cursor: number;
  count: number;
  pattern: string | null;
}

const CURSOR = /^[+-]?[0-9]+$/;
const ULONG_MAX = 2n ** 64n - 1n;

/**
 * A scan cursor with strtoul's rules, as Redis parses it: an optional sign, decimal digits,
 * nothing around them; the empty string is 0; a minus sign wraps (so the cursor is huge).
 */
export function parseCursor(raw: string): number {
  if (raw === "") return 0;
  if (!CURSOR.test(raw)) throw new CommandError("ERR invalid cursor");
  const negative = raw.charCodeAt(0) === 45;
  const digits = raw.charCodeAt(0) === 43 || negative ? raw.slice(1) : raw;
  const n = digits.length < 16 ? Number(digits) : BigInt(digits);
  if (typeof n === "bigint" && n > ULONG_MAX) throw new CommandError("ERR invalid cursor");
  if (negative && n !== 0 && n !== 0n) return Number.MAX_SAFE_INTEGER;
  // Past 2^53 precision does not matter: any cursor beyond a container's size means "from the top".
  return Number(n);
}

/** COUNT and MATCH after the cursor (Redis parses them after looking the key up). */
export function parseScanOptions(argv: string[], cursor: number): ScanArgs {
  const args: ScanArgs = { cursor, count: 10, pattern: null };
  for (let i = 3; i < argv.length; i += 2) {
    const opt = argv[i]!;
    if (i + 1 >= argv.length) throw new CommandError(SYNTAX);
    if (isOption(opt, "COUNT")) {
      const n = toInt64(argv[i + 1]!);
      if (n === null) throw new CommandError(NOT_INTEGER);
      if (n < 1) throw new CommandError(SYNTAX);
      args.count = typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
    } else if (isOption(opt, "MATCH")) {
      const pattern = argv[i + 1]!;
      args.pattern = pattern === "*" ? null : pattern;
    } else throw new CommandError(SYNTAX);
  }
  return args;
}

/** A scan of a missing key: done, nothing found. */
function emptyScan(): Reply {
  return ["0", []];
}

function bySize(a: SetValue, b: SetValue): number {
  return a.size - b.size;
}

/**
 * Looks up and type-checks every key in argv[from..]; a missing key is undefined. Every
 * key is checked even after a missing one, so WRONGTYPE wins as in Redis.
 */
function lookupSets(db: Database, argv: string[], from: number, to = argv.length): (SetValue | undefined)[] {
  const sets: (SetValue | undefined)[] = new Array(to - from);
  for (let i = from; i < to; i++) sets[i - from] = lookupSet(db, argv[i]!);
  return sets;
}

/**
 * Members in every one of the sets (all present), walking the smallest and probing the
 * rest; stops after `limit` members when limit > 0. Pushes them to `out` when given.
 */
function intersect(sets: SetValue[], limit: number, out: string[] | null): number {
  sets.sort(bySize);
  const smallest = sets[0]!.view();
  let n = 0;
  next: for (let i = 0; i < smallest.length; i++) {
    const m = smallest[i]!;
    for (let j = 1; j < sets.length; j++) if (!sets[j]!.has(m)) continue next;
    if (out !== null) out.push(m);
    if (++n === limit) break;
  }
  return n;
}

function union(sets: (SetValue | undefined)[]): SetValue {
  const result = new SetValue();
  for (const set of sets) {
    if (set === undefined) continue;
    const members = set.view();
    for (let i = 0; i < members.length; i++) result.add(members[i]!);
  }
  return result;
}

/** Members of the first set in none of the others. */
function difference(sets: (SetValue | undefined)[]): string[] {
  const first = sets[0];
  if (first === undefined) return [];
  // Probing every other set per member costs size(first) * sets; removing the others'
  // members from a copy costs their total size. Take the cheaper, as Redis does.
  let others = 0;
  for (let j = 1; j < sets.length; j++) others += sets[j]?.size ?? 0;
  if (first.size + others < first.size * sets.length) {
    const copy = first.clone();
    for (let j = 1; j < sets.length && copy.size > 0; j++) {
      const members = sets[j]?.view();
      if (members === undefined) continue;
      for (let i = 0; i < members.length; i++) copy.remove(members[i]!);
    }
    return copy.drain();
  }
  const out: string[] = [];
  const members = first.view();
  next: for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    for (let j = 1; j < sets.length; j++) if (sets[j]?.has(m)) continue next;
    out.push(m);
  }
  return out;
}

/**
 * The *STORE ending: the result replaces whatever was at dest (its TTL too), or an empty
 * result deletes dest. Replies with the result's size.
 */
function store(ctx: Context, dest: string, result: SetValue, event: string): number {
  const db = ctx.db;
  if (result.size === 0) {
    if (db.delete(dest)) ctx.notify("del", dest);
    return 0;
  }
  db.set(dest, result);
  ctx.notify(event, dest);
  return result.size;
}

/** Removes a set that became empty; its "del" goes after the command's own event. */
function dropIfEmpty(db: Database, key: string, set: SetValue): boolean {
  if (set.size !== 0) return false;
  db.delete(key);
  return true;
}

export const sets: Implementations<typeof setCommands> = {
  sadd(ctx, argv) {
    const db = ctx.db;
    const key = argv[1]!;
    let set = lookupSet(db, key);
    const created = set === undefined;
    if (set === undefined) set = new SetValue();
    let added: string[] | null = null;
    for (let i = 2; i < argv.length; i++) {
      if (set.add(argv[i]!)) (added ??= []).push(argv[i]!);
    }
    if (added === null) return 0;
    if (created) db.set(key, set);
    ctx.notify("sadd", key, added);
    return added.length;
  },

  srem(ctx, argv) {
    const db = ctx.db;
    const key = argv[1]!;
    const set = lookupSet(db, key);
    if (set === undefined) return 0;
    let removed: string[] | null = null;
    for (let i = 2; i < argv.length; i++) {
      if (set.remove(argv[i]!)) {
        (removed ??= []).push(argv[i]!);
        if (set.size === 0) break;
      }
    }
    if (removed === null) return 0;
    const emptied = dropIfEmpty(db, key, set);
    ctx.notify("srem", key, removed);
    if (emptied) ctx.notify("del", key);
    return removed.length;
  },

  smembers(ctx, argv) {
    const set = lookupSet(ctx.db, argv[1]!);
    // A copy: a later command of the same batch may change the set before the reply is encoded.
    return new SetReply(set === undefined ? [] : set.toArray());
  },

  sismember(ctx, argv) {
    return lookupSet(ctx.db, argv[1]!)?.has(argv[2]!) ? 1 : 0;
  },

  smismember(ctx, argv) {
    const set = lookupSet(ctx.db, argv[1]!);
    const out: number[] = new Array(argv.length - 2);
    for (let i = 2; i < argv.length; i++) out[i - 2] = set?.has(argv[i]!) ? 1 : 0;
    return out;
  },

  scard(ctx, argv) {
    return lookupSet(ctx.db, argv[1]!)?.size ?? 0;
  },

  spop(ctx, argv) {
    const db = ctx.db;
    const key = argv[1]!;
    if (argv.length === 2) {
      const set = lookupSet(db, key);
      if (set === undefined) return null;
      const member = set.pop();
      const emptied = dropIfEmpty(db, key, set);
      ctx.notify("spop", key, [member]);
      if (emptied) ctx.notify("del", key);
      return member;
    }
    if (argv.length > 3) throw new CommandError(SYNTAX);
    const count = positiveCount(argv[2]!);
    const set = lookupSet(db, key);
    if (set === undefined || count === 0) return new SetReply([]);
    let popped: string[];
    if (count >= set.size) {
      popped = set.drain();
      db.delete(key);
    } else {
      popped = new Array(count);
      for (let i = 0; i < count; i++) popped[i] = set.pop();
    }
    ctx.notify("spop", key, popped);
    if (set.size === 0) ctx.notify("del", key);
    return new SetReply(popped);
  },

  srandmember(ctx, argv) {
    const db = ctx.db;
    const key = argv[1]!;
    if (argv.length === 2) {
      const set = lookupSet(db, key);
      return set === undefined ? null : set.random();
    }
    if (argv.length > 3) throw new CommandError(SYNTAX);
    const n = signedCount(argv[2]!);
    const set = lookupSet(db, key);
    if (set === undefined || n === 0) return [];
    if (n < 0) {
      const count = repeatCount(-n);
      const out: string[] = new Array(count);
      for (let i = 0; i < count; i++) out[i] = set.random();
      return out;
    }
    if (n >= set.size) return set.toArray();
    const picks = distinctPositions(set.size, Number(n));
    const out: string[] = new Array(picks.length);
    for (let i = 0; i < picks.length; i++) out[i] = set.at(picks[i]!);
    return out;
  },

  smove(ctx, argv) {
    const db = ctx.db;
    const src = argv[1]!;
    const dst = argv[2]!;
    const member = argv[3]!;
    // Both keys are looked up (and expired if due) before anything is checked, as in Redis:
    // a missing source answers 0 even when the destination has the wrong type.
    const fromValue = db.lookup(src);
    const toValue = db.lookup(dst);
    if (fromValue === undefined) return 0;
    const from = asSet(fromValue)!;
    let to = asSet(toValue);
    if (src === dst) return from.has(member) ? 1 : 0;
    if (!from.remove(member)) return 0;
    const emptied = dropIfEmpty(db, src, from);
    ctx.notify("srem", src, [member]);
    if (emptied) ctx.notify("del", src);
    if (to === undefined) {
      to = new SetValue();
      to.add(member);
      db.set(dst, to);
      ctx.notify("sadd", dst, [member]);
    } else if (to.add(member)) ctx.notify("sadd", dst, [member]);
    return 1;
  },

  sinter(ctx, argv) {
    const found = lookupSets(ctx.db, argv, 1);
    if (found.includes(undefined)) return new SetReply([]);
    const out: string[] = [];
    intersect(found as SetValue[], 0, out);
    return new SetReply(out);
  },

  sunion(ctx, argv) {
    return new SetReply(union(lookupSets(ctx.db, argv, 1)).drain());
  },

  sdiff(ctx, argv) {
    return new SetReply(difference(lookupSets(ctx.db, argv, 1)));
  },

  sinterstore(ctx, argv) {
    const found = lookupSets(ctx.db, argv, 2);
    const out: string[] = [];
    if (!found.includes(undefined)) intersect(found as SetValue[], 0, out);
    return store(ctx, argv[1]!, SetValue.fromDistinct(out), "sinterstore");
  },

  sunionstore(ctx, argv) {
    return store(ctx, argv[1]!, union(lookupSets(ctx.db, argv, 2)), "sunionstore");
  },

  sdiffstore(ctx, argv) {
    return store(ctx, argv[1]!, SetValue.fromDistinct(difference(lookupSets(ctx.db, argv, 2))), "sdiffstore");
  },

  sintercard(ctx, argv) {
    const numkeys = toInt64(argv[1]!);
    if (numkeys === null || numkeys < 1) throw new CommandError("ERR numkeys should be greater than 0");
    if (numkeys > argv.length - 2) throw new CommandError("ERR Number of keys can't be greater than number of args");
    const end = 2 + Number(numkeys);
    let limit = 0;
    for (let i = end; i < argv.length; i++) {
      if (isOption(argv[i]!, "LIMIT") && i + 1 < argv.length) {
        const n = toInt64(argv[++i]!);
        if (n === null || n < 0) throw new CommandError("ERR LIMIT can't be negative");
        limit = typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
      } else throw new CommandError(SYNTAX);
    }
    const found = lookupSets(ctx.db, argv, 2, end);
    if (found.includes(undefined)) return 0;
    return intersect(found as SetValue[], limit, null);
  },

  sscan(ctx, argv) {
    const cursor = parseCursor(argv[2]!);
    const set = lookupSet(ctx.db, argv[1]!);
    if (set === undefined) return emptyScan();
    const args = parseScanOptions(argv, cursor);
    const out: string[] = [];
    const next = set.scan(args.cursor, args.count, args.pattern, out);
    return [String(next), out];
  },
};
