// The list pops that take from several keys or wait for one: LMPOP, and BLPOP BRPOP
// BRPOPLPUSH BLMOVE BLMPOP (t_list.c's blocking half). A blocking form first tries as its
// non-blocking form; with nothing to take it answers a BlockReply, which the transport hands
// to the Blocking service (server/blocking), unless it runs inside EXEC, an atomic batch or a
// script: then it answers as at its timeout, as Redis does.
import type { listCommands } from "../../shared/commands/lists.js";
import { isOption, toInt64 } from "../args.js";
import { mayBlock } from "../blocking/blocking.js";
import type { Implementations } from "../command-impl.js";
import type { Context } from "../context.js";
import { CommandError, SYNTAX } from "../errors.js";
import type { Deque } from "../keyspace/deque.js";
import { BlockReply, ErrorReply, NULL_ARRAY, type Reply } from "../reply.js";
import { deleteIfEmpty, isLeft, lookupList, move } from "./lists.js";
import { deadlineArg } from "./timeout.js";

type BlockingListCommands = Pick<typeof listCommands, "lmpop" | "blpop" | "brpop" | "brpoplpush" | "blmove" | "blmpop">;

/** The list at key, or undefined when missing or of another type (a waiter keeps waiting then). */
function listOrNothing(ctx: Context, key: string): Deque | undefined {
  const v = ctx.db.lookup(key);
  return v !== undefined && typeof v !== "string" && v.type === "list" ? (v as Deque) : undefined;
}

/** Pops up to count elements from one end, with its event (and del when emptied). */
function popMany(ctx: Context, key: string, list: Deque, front: boolean, count: number): string[] {
  const popped = front ? list.popFrontMany(count) : list.popBackMany(count);
  ctx.notify(front ? "lpop" : "rpop", key, popped);
  deleteIfEmpty(ctx, key, list);
  return popped;
}

function popOne(ctx: Context, key: string, list: Deque, front: boolean): string {
  const value = (front ? list.popFront() : list.popBack()) as string;
  ctx.notify(front ? "lpop" : "rpop", key, [value]);
  deleteIfEmpty(ctx, key, list);
  return value;
}

/** BLPOP / BRPOP: [key, element] from the first key that has one. */
function bpop(ctx: Context, argv: string[], front: boolean): Reply {
  const deadline = deadlineArg(argv[argv.length - 1]!, ctx.now);
  const keys = argv.slice(1, -1);
  for (const key of keys) {
    const list = lookupList(ctx, key);
    if (list !== undefined) return [key, popOne(ctx, key, list, front)];
  }
  if (!mayBlock(ctx)) return NULL_ARRAY;
  return new BlockReply(
    ctx.session.db,
    keys,
    deadline,
    NULL_ARRAY,
    (c, key) => {
      const list = listOrNothing(c, key);
      return list === undefined ? undefined : [key, popOne(c, key, list, front)];
    },
    (key) => [front ? "LPOP" : "RPOP", key],
  );
}

/** BLMOVE / BRPOPLPUSH: the element moved, once the source has one. */
function bmove(ctx: Context, src: string, dst: string, fromLeft: boolean, toLeft: boolean, deadline: number): Reply {
  if (lookupList(ctx, src) !== undefined) return move(ctx, src, dst, fromLeft, toLeft);
  if (!mayBlock(ctx)) return null;
  // After a wait Redis 7.0 times BLMOVE out with a null array, not the null bulk it answers at once.
  return new BlockReply(
    ctx.session.db,
    [src],
    deadline,
    NULL_ARRAY,
    (c) => {
      if (listOrNothing(c, src) === undefined) return undefined;
      // A destination of another type ends the wait with WRONGTYPE, nothing moved (Redis 7.0).
      try {
        return move(c, src, dst, fromLeft, toLeft);
      } catch (e) {
        if (e instanceof CommandError) return new ErrorReply(e.message);
        throw e;
      }
    },
    () => ["LMOVE", src, dst, fromLeft ? "LEFT" : "RIGHT", toLeft ? "LEFT" : "RIGHT"],
  );
}

interface MpopArgs {
  readonly keys: string[];
  readonly front: boolean;
  readonly count: number;
}

/** LMPOP's words from `at` (numkeys): numkeys key... LEFT|RIGHT [COUNT count], in Redis's order of checks. */
function mpopArgs(argv: string[], at: number): MpopArgs {
  const numkeys = toInt64(argv[at]!);
  if (numkeys === null || numkeys < 1) throw new CommandError("ERR numkeys should be greater than 0");
  const whereAt = at + Number(numkeys) + 1;
  if (whereAt >= argv.length) throw new CommandError(SYNTAX);
  const front = isLeft(argv[whereAt]!);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && isOption(argv[j]!, "COUNT") && j + 1 < argv.length) {
      const n = toInt64(argv[++j]!);
      if (n === null || n < 1) throw new CommandError("ERR count should be greater than 0");
      count = typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
    } else throw new CommandError(SYNTAX);
  }
  return { keys: argv.slice(at + 1, whereAt), front, count: count === -1 ? 1 : count };
}

/** [key, [elements]] from the first non-empty key, or undefined. WRONGTYPE for a key of another type. */
function mpop(ctx: Context, a: MpopArgs): Reply | undefined {
  for (const key of a.keys) {
    const list = lookupList(ctx, key);
    if (list !== undefined) return [key, popMany(ctx, key, list, a.front, a.count)];
  }
  return undefined;
}

export const listBlocking: Implementations<BlockingListCommands> = {
  lmpop(ctx, argv) {
    return mpop(ctx, mpopArgs(argv, 1)) ?? NULL_ARRAY;
  },

  blpop: (ctx, argv) => bpop(ctx, argv, true),
  brpop: (ctx, argv) => bpop(ctx, argv, false),

  brpoplpush(ctx, argv) {
    const deadline = deadlineArg(argv[3]!, ctx.now);
    return bmove(ctx, argv[1]!, argv[2]!, false, true, deadline);
  },

  blmove(ctx, argv) {
    const fromLeft = isLeft(argv[3]!);
    const toLeft = isLeft(argv[4]!);
    const deadline = deadlineArg(argv[5]!, ctx.now);
    return bmove(ctx, argv[1]!, argv[2]!, fromLeft, toLeft, deadline);
  },

  blmpop(ctx, argv) {
    const deadline = deadlineArg(argv[1]!, ctx.now);
    const a = mpopArgs(argv, 2);
    const now = mpop(ctx, a);
    if (now !== undefined) return now;
    if (!mayBlock(ctx)) return NULL_ARRAY;
    return new BlockReply(
      ctx.session.db,
      a.keys,
      deadline,
      NULL_ARRAY,
      (c, key) => {
        const list = listOrNothing(c, key);
        return list === undefined ? undefined : [key, popMany(c, key, list, a.front, a.count)];
      },
      (key) => ["LMPOP", "1", key, a.front ? "LEFT" : "RIGHT", "COUNT", String(a.count)],
    );
  },
};

