// List commands: t_list.c's family. Elements are byte strings (see server/bytes.ts) held in a
// Deque (server/keyspace/deque.ts). Argument checks come in the same order as Redis's, so
// that a command with several problems fails with the same error.
import type { listCommands } from "../../shared/commands/lists.js";
import { intArg, isOption, toInt64 } from "../args.js";
import type { Context } from "../context.js";
import type { Implementations } from "../command-impl.js";
import { ARITY, CommandError, INDEX_OUT_OF_RANGE, NO_SUCH_KEY, NOT_POSITIVE, SYNTAX } from "../errors.js";
import { Deque } from "../keyspace/deque.js";
import { NULL_ARRAY, OK, type Reply } from "../reply.js";

const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

/** getPositiveLongFromObjectOrReply: Redis gives the same message for junk and for negatives. */
function nonNegativeArg(raw: string, message: string): number {
  const v = toInt64(raw);
  if (v === null || v < 0) throw new CommandError(message);
  return typeof v === "bigint" ? Number.MAX_SAFE_INTEGER : v;
}

function lookupList(ctx: Context, key: string): Deque | undefined {
  return ctx.db.lookupContainer<Deque>(key, "list");
}

/** Redis removes a list that has no elements left, and says so after the command's own event. */
function deleteIfEmpty(ctx: Context, key: string, list: Deque): void {
  if (list.size !== 0) return;
  ctx.db.delete(key);
  ctx.notify("del", key);
}

/** LEFT = head, RIGHT = tail, as LMOVE spells them. */
function isLeft(raw: string): boolean {
  if (isOption(raw, "LEFT")) return true;
  if (isOption(raw, "RIGHT")) return false;
  throw new CommandError(SYNTAX);
}

function push(ctx: Context, argv: string[], front: boolean, onlyIfExists: boolean): number {
  const key = argv[1]!;
  const n = argv.length - 2;
  let list = lookupList(ctx, key);
  if (list === undefined) {
    if (onlyIfExists) return 0;
    list = new Deque(n);
    ctx.db.set(key, list);
  } else list.reserve(n);
  if (front) for (let i = 2; i < argv.length; i++) list.pushFront(argv[i]!);
  else for (let i = 2; i < argv.length; i++) list.pushBack(argv[i]!);
  ctx.notify(front ? "lpush" : "rpush", key, argv.slice(2));
  return list.size;
}

function pop(ctx: Context, argv: string[], front: boolean): Reply {
  // Declared with arity -2 for the optional count, so the upper bound is checked here.
  if (argv.length > 3) throw new CommandError(ARITY(front ? "lpop" : "rpop"));
  const key = argv[1]!;
  const hasCount = argv.length === 3;
  const count = hasCount ? nonNegativeArg(argv[2]!, NOT_POSITIVE) : 0;
  const list = lookupList(ctx, key);
  if (list === undefined) return hasCount ? NULL_ARRAY : null;
  if (hasCount && count === 0) return [];
  const event = front ? "lpop" : "rpop";
  if (!hasCount) {
    const value = (front ? list.popFront() : list.popBack()) as string;
    ctx.notify(event, key, [value]);
    deleteIfEmpty(ctx, key, list);
    return value;
  }
  const popped = front ? list.popFrontMany(count) : list.popBackMany(count);
  ctx.notify(event, key, popped);
  deleteIfEmpty(ctx, key, list);
  return popped;
}

function move(ctx: Context, srcKey: string, dstKey: string, fromLeft: boolean, toLeft: boolean): Reply {
  const src = lookupList(ctx, srcKey);
  if (src === undefined) return null;
  // The destination's type is checked before anything is popped.
  let dst = lookupList(ctx, dstKey);
  const value = (fromLeft ? src.popFront() : src.popBack()) as string;
  if (dst === undefined) {
    dst = new Deque();
    ctx.db.set(dstKey, dst);
  }
  if (toLeft) dst.pushFront(value);
  else dst.pushBack(value);
  const moved = [value];
  // Redis announces the push before the pop (lmoveHandlePush runs first).
  ctx.notify(toLeft ? "lpush" : "rpush", dstKey, moved);
  ctx.notify(fromLeft ? "lpop" : "rpop", srcKey, moved);
  deleteIfEmpty(ctx, srcKey, src);
  return value;
}

export const lists: Implementations<typeof listCommands> = {
  lpush: (ctx, argv) => push(ctx, argv, true, false),
  rpush: (ctx, argv) => push(ctx, argv, false, false),
  lpushx: (ctx, argv) => push(ctx, argv, true, true),
  rpushx: (ctx, argv) => push(ctx, argv, false, true),
  lpop: (ctx, argv) => pop(ctx, argv, true),
  rpop: (ctx, argv) => pop(ctx, argv, false),

  lrange(ctx, argv) {
    let start = intArg(argv[2]!);
    let end = intArg(argv[3]!);
    const list = lookupList(ctx, argv[1]!);
    if (list === undefined) return [];
    const len = list.size;
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) return [];
    if (end >= len) end = len - 1;
    return list.range(start, end - start + 1);
  },

  ltrim(ctx, argv) {
    const key = argv[1]!;
    let start = intArg(argv[2]!);
    let end = intArg(argv[3]!);
    const list = lookupList(ctx, key);
    if (list === undefined) return OK;
    const len = list.size;
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    let front: number;
    let back: number;
    if (start > end || start >= len) {
      front = len;
      back = 0;
    } else {
      if (end >= len) end = len - 1;
      front = start;
      back = len - end - 1;
    }
    // Redis announces "ltrim" even when nothing was cut (and so invalidates a WATCH); so do we,
    // with the delta [0, 0] telling a watcher there is nothing to apply.
    if (front !== 0 || back !== 0) list.trim(front, back);
    ctx.notify("ltrim", key, [front, back]);
    deleteIfEmpty(ctx, key, list);
    return OK;
  },

  llen(ctx, argv) {
    return lookupList(ctx, argv[1]!)?.size ?? 0;
  },

  lindex(ctx, argv) {
    const list = lookupList(ctx, argv[1]!);
    if (list === undefined) return null;
    let index = intArg(argv[2]!);
    if (index < 0) index += list.size;
    return index >= 0 && index < list.size ? list.at(index) : null;
  },

  lset(ctx, argv) {
    const key = argv[1]!;
    const list = lookupList(ctx, key);
    if (list === undefined) throw new CommandError(NO_SUCH_KEY);
    let index = intArg(argv[2]!);
    if (index < 0) index += list.size;
    if (index < 0 || index >= list.size) throw new CommandError(INDEX_OUT_OF_RANGE);
    const element = argv[3]!;
    list.set(index, element);
    ctx.notify("lset", key, [index, element]);
    return OK;
  },

  lrem(ctx, argv) {
    const key = argv[1]!;
    const count = intArg(argv[2]!);
    const element = argv[3]!;
    const list = lookupList(ctx, key);
    if (list === undefined) return 0;
    const removed = list.remove(element, count);
    if (removed === 0) return 0;
    ctx.notify("lrem", key, [element, removed]);
    deleteIfEmpty(ctx, key, list);
    return removed;
  },

  linsert(ctx, argv) {
    const key = argv[1]!;
    let after: boolean;
    if (isOption(argv[2]!, "AFTER")) after = true;
    else if (isOption(argv[2]!, "BEFORE")) after = false;
    else throw new CommandError(SYNTAX);
    const list = lookupList(ctx, key);
    if (list === undefined) return 0;
    const at = list.indexOf(argv[3]!);
    if (at < 0) return -1;
    const element = argv[4]!;
    list.insert(after ? at + 1 : at, element);
    ctx.notify("linsert", key, [element]);
    return list.size;
  },

  lpos(ctx, argv) {
    const element = argv[2]!;
    let rank = 1;
    let count = -1; // -1: no COUNT, so the reply is one index or nil rather than an array.
    let maxlen = 0;
    for (let i = 3; i < argv.length; i++) {
      const opt = argv[i]!;
      const more = i + 1 < argv.length;
      if (more && isOption(opt, "RANK")) {
        rank = intArg(argv[++i]!);
        if (rank === 0) throw new CommandError(RANK_ZERO);
      } else if (more && isOption(opt, "COUNT")) {
        count = nonNegativeArg(argv[++i]!, "ERR COUNT can't be negative");
      } else if (more && isOption(opt, "MAXLEN")) {
        maxlen = nonNegativeArg(argv[++i]!, "ERR MAXLEN can't be negative");
      } else throw new CommandError(SYNTAX);
    }
    const list = lookupList(ctx, argv[1]!);
    if (list === undefined) return count === -1 ? null : [];
    const fromTail = rank < 0;
    if (fromTail) rank = -rank;
    const len = list.size;
    const scan = maxlen === 0 || maxlen > len ? len : maxlen;
    const found: number[] | null = count === -1 ? null : [];
    let matches = 0;
    for (let n = 0; n < scan; n++) {
      const i = fromTail ? len - 1 - n : n;
      if (list.at(i) !== element || ++matches < rank) continue;
      if (found === null) return i;
      found.push(i);
      if (found.length === count) break;
    }
    return found;
  },

  lmove(ctx, argv) {
    const fromLeft = isLeft(argv[3]!);
    const toLeft = isLeft(argv[4]!);
    return move(ctx, argv[1]!, argv[2]!, fromLeft, toLeft);
  },

  rpoplpush: (ctx, argv) => move(ctx, argv[1]!, argv[2]!, false, true),
};
