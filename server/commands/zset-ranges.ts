// Sorted set ranges: ZRANGE and its older forms, ZRANGESTORE, and ZREMRANGEBY*. One parser
// and one walker for all of them, as Redis's zrangeGenericCommand is one function: the
// forms differ in which options they accept and in the range type and direction they fix.
import type { zsetCommands } from "../../shared/commands/zsets.js";
import { intArg, isOption } from "../args.js";
import type { Context } from "../context.js";
import type { Implementations } from "../command-impl.js";
import { CommandError, SYNTAX } from "../errors.js";
import { parseLexRange, parseScoreRange } from "../keyspace/score.js";
import { lexGteMin, lexLteMax, scoreRangeEmpty, ZSetValue, type LexRange, type ScoreRange } from "../keyspace/zset.js";
import type { Reply } from "../reply.js";
import { addConverting, dropIfEmpty, lookupZSet, scoredReply } from "./zset-common.js";
import { listpackEntries } from "./zset-settings.js";

const AUTO = 0;
const RANK = 1;
const SCORE = 2;
const LEX = 3;

/** What a range command asked for, once its words are parsed. */
interface RangeQuery {
  type: number;
  reverse: boolean;
  withScores: boolean;
  offset: number;
  /** -1 (or any negative) for no limit. */
  limit: number;
  start: number;
  stop: number;
  score: ScoreRange | null;
  lex: LexRange | null;
}

/**
 * Parses the words after key min max (Redis's zrangeGenericCommand). `at` is where the key
 * is; `type` and `reverse` are fixed by the older forms (ZRANGEBYSCORE...), AUTO for ZRANGE.
 */
function parseQuery(argv: string[], at: number, store: boolean, type: number, direction: number): RangeQuery {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  let limited = false;
  let dir = direction;
  for (let j = at + 3; j < argv.length; j++) {
    const word = argv[j]!;
    const left = argv.length - j - 1;
    if (!store && isOption(word, "WITHSCORES")) withScores = true;
    else if (left >= 2 && isOption(word, "LIMIT")) {
      offset = intArg(argv[j + 1]!);
      limit = intArg(argv[j + 2]!);
      limited = true;
      j += 2;
    } else if (dir === AUTO && isOption(word, "REV")) dir = -1;
    else if (type === AUTO && isOption(word, "BYLEX")) type = LEX;
    else if (type === AUTO && isOption(word, "BYSCORE")) type = SCORE;
    else throw new CommandError(SYNTAX);
  }
  if (type === AUTO) type = RANK;
  const reverse = dir === -1;
  if (limited && type === RANK) throw new CommandError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  if (withScores && type === LEX) throw new CommandError("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  // By score or lex, the reverse forms take max before min.
  let minAt = at + 1;
  let maxAt = at + 2;
  if (reverse && type !== RANK) {
    minAt = at + 2;
    maxAt = at + 1;
  }
  const q: RangeQuery = { type, reverse, withScores, offset, limit, start: 0, stop: 0, score: null, lex: null };
  if (type === RANK) {
    q.start = intArg(argv[minAt]!);
    q.stop = intArg(argv[maxAt]!);
  } else if (type === SCORE) q.score = parseScoreRange(argv[minAt]!, argv[maxAt]!);
  else q.lex = parseLexRange(argv[minAt]!, argv[maxAt]!);
  return q;
}

/**
 * Runs a query: pushes the members (and their scores when `scores` is given) in reply order.
 * Returns the rank range's length for RANK queries (ZRANGESTORE sizes its result by it), -1
 * otherwise.
 */
function runQuery(z: ZSetValue, q: RangeQuery, members: string[], scores: number[] | null): number {
  const size = z.size;
  if (q.type === RANK) {
    let start = q.start;
    let stop = q.stop;
    if (start < 0) start += size;
    if (stop < 0) stop += size;
    if (start < 0) start = 0;
    if (start > stop || start >= size) return 0;
    if (stop >= size) stop = size - 1;
    if (q.reverse) z.collect(size - 1 - stop, size - 1 - start, true, members, scores);
    else z.collect(start, stop, false, members, scores);
    return stop - start + 1;
  }
  // A negative offset skips past the end in Redis (its skip loop counts down to exhaustion).
  if (q.offset < 0 || (q.offset > 0 && q.offset >= size)) return -1;
  let limit = q.limit;
  if (q.type === SCORE) {
    const r = q.score!;
    if (scoreRangeEmpty(r)) return -1;
    if (!q.reverse) {
      const first = z.firstScoreRank(r.min, r.minExclusive);
      if (first >= size || !belowMax(z.scoreAt(first), r)) return -1;
      const c = z.cursorAt(first + q.offset);
      while (c.valid && limit-- !== 0 && belowMax(c.score, r)) {
        members.push(c.member);
        scores?.push(c.score);
        c.next();
      }
    } else {
      const last = z.lastScoreRank(r.max, r.maxExclusive);
      if (last < 0 || !aboveMin(z.scoreAt(last), r)) return -1;
      const c = z.cursorAt(last - q.offset);
      while (c.valid && limit-- !== 0 && aboveMin(c.score, r)) {
        members.push(c.member);
        scores?.push(c.score);
        c.prev();
      }
    }
    return -1;
  }
  const r = q.lex!;
  const [first, last] = z.lexRun(r, q.reverse);
  if (last < first) return -1;
  if (!q.reverse) {
    const c = z.cursorAt(first + q.offset);
    while (c.valid && limit-- !== 0 && lexLteMax(c.member, r.max)) {
      members.push(c.member);
      scores?.push(c.score);
      c.next();
    }
  } else {
    const c = z.cursorAt(last - q.offset);
    while (c.valid && limit-- !== 0 && lexGteMin(c.member, r.min)) {
      members.push(c.member);
      scores?.push(c.score);
      c.prev();
    }
  }
  return -1;
}

function belowMax(s: number, r: ScoreRange): boolean {
  return r.maxExclusive ? s < r.max : s <= r.max;
}

function aboveMin(s: number, r: ScoreRange): boolean {
  return r.minExclusive ? s > r.min : s >= r.min;
}

/** ZRANGE and the read-only forms. */
function zrange(ctx: Context, argv: string[], type: number, direction: number): Reply {
  const q = parseQuery(argv, 1, false, type, direction);
  const z = lookupZSet(ctx.db, argv[1]!);
  if (z === undefined) return [];
  const members: string[] = [];
  if (!q.withScores) {
    runQuery(z, q, members, null);
    return members;
  }
  const scores: number[] = [];
  runQuery(z, q, members, scores);
  return scoredReply(ctx, members, scores);
}

/** ZREMRANGEBYRANK/SCORE/LEX: the range is parsed before the key is looked up, as in Redis. */
function zremrange(ctx: Context, argv: string[], type: number, event: string): number {
  const q: RangeQuery = { type, reverse: false, withScores: false, offset: 0, limit: -1, start: 0, stop: 0, score: null, lex: null };
  if (type === RANK) {
    q.start = intArg(argv[2]!);
    q.stop = intArg(argv[3]!);
  } else if (type === SCORE) q.score = parseScoreRange(argv[2]!, argv[3]!);
  else q.lex = parseLexRange(argv[2]!, argv[3]!);
  const db = ctx.db;
  const key = argv[1]!;
  const z = lookupZSet(db, key);
  if (z === undefined) return 0;
  const members: string[] = [];
  runQuery(z, q, members, null);
  if (members.length === 0) return 0;
  for (let i = 0; i < members.length; i++) z.remove(members[i]!);
  const emptied = dropIfEmpty(db, key, z);
  ctx.notify(event, key, members);
  if (emptied) ctx.notify("del", key);
  return members.length;
}

export const zsetRanges: Implementations<
  Pick<
    typeof zsetCommands,
    "zrange" | "zrangestore" | "zrevrange" | "zrangebyscore" | "zrevrangebyscore" | "zrangebylex" | "zrevrangebylex" | "zremrangebyrank" | "zremrangebyscore" | "zremrangebylex"
  >
> = {
  zrange(ctx, argv) {
    return zrange(ctx, argv, AUTO, AUTO);
  },

  zrevrange(ctx, argv) {
    return zrange(ctx, argv, RANK, -1);
  },

  zrangebyscore(ctx, argv) {
    return zrange(ctx, argv, SCORE, 1);
  },

  zrevrangebyscore(ctx, argv) {
    return zrange(ctx, argv, SCORE, -1);
  },

  zrangebylex(ctx, argv) {
    return zrange(ctx, argv, LEX, 1);
  },

  zrevrangebylex(ctx, argv) {
    return zrange(ctx, argv, LEX, -1);
  },

  zrangestore(ctx, argv) {
    const q = parseQuery(argv, 2, true, AUTO, AUTO);
    const db = ctx.db;
    const dest = argv[1]!;
    const z = lookupZSet(db, argv[2]!);
    const members: string[] = [];
    const scores: number[] = [];
    let length = -1;
    if (z !== undefined) length = runQuery(z, q, members, scores);
    if (members.length === 0) {
      if (db.delete(dest)) ctx.notify("del", dest);
      return 0;
    }
    // Redis sizes the new set by the rank range's length when it knows it (a skiplist past
    // zset-max-listpack-entries), and otherwise starts a listpack that converts as it grows.
    const result = new ZSetValue(length > listpackEntries(ctx.server) ? "skiplist" : "listpack");
    addConverting(ctx, result, members, scores);
    db.set(dest, result);
    ctx.notify("zrangestore", dest, null);
    return result.size;
  },

  zremrangebyrank(ctx, argv) {
    return zremrange(ctx, argv, RANK, "zremrangebyrank");
  },

  zremrangebyscore(ctx, argv) {
    return zremrange(ctx, argv, SCORE, "zremrangebyscore");
  },

  zremrangebylex(ctx, argv) {
    return zremrange(ctx, argv, LEX, "zremrangebylex");
  },
};
