// Sorted set commands: t_zset.c's family, single-key reads and writes. Ranges are in
// zset-ranges.ts, the multi-key operations (ZUNION, ZINTER, ZDIFF...) in zset-store.ts.
import type { zsetCommands } from "../../shared/commands/zsets.js";
import { isOption, toInt64 } from "../args.js";
import type { Context } from "../context.js";
import type { Implementations } from "../command-impl.js";
import { CommandError, SYNTAX } from "../errors.js";
import { listpackScoreText, NAN_SCORE, parseLexRange, parseScoreRange, scoreArg } from "../keyspace/score.js";
import { distinctPositions } from "../keyspace/set.js";
import type { ZSetValue } from "../keyspace/zset.js";
import { DoubleReply, NULL_ARRAY, type Reply } from "../reply.js";
import { formatDouble } from "../encoding/double-text.js";
import { parseCursor, parseScanOptions, repeatCount, signedCount } from "./sets.js";
import { dropIfEmpty, lookupZSet, newZSet, rankedDelta, scoredReply } from "./zset-common.js";
import { zsetRanges } from "./zset-ranges.js";
import { listpackEntries, listpackValue } from "./zset-settings.js";
import { zsetStores } from "./zset-store.js";

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;
const CH = 16;
const INCR = 32;

/** One of ZADD's option words, or 0 for anything else (the first score). */
function zaddFlag(word: string): number {
  switch (word.length) {
    case 2: {
      const w = word.toUpperCase();
      return w === "NX" ? NX : w === "XX" ? XX : w === "GT" ? GT : w === "LT" ? LT : w === "CH" ? CH : 0;
    }
    case 4:
      return isOption(word, "INCR") ? INCR : 0;
    default:
      return 0;
  }
}

const POSITIVE_COUNT = "ERR value is out of range, must be positive";

/**
 * ZADD and ZINCRBY (Redis's zaddGenericCommand, which ZINCRBY runs with INCR set: its
 * increment goes through the option loop too, so `ZINCRBY z nx m` is a syntax error).
 */
function zadd(ctx: Context, argv: string[], flags: number): Reply {
  let at = 2;
  for (; at < argv.length; at++) {
    const f = zaddFlag(argv[at]!);
    if (f === 0) break;
    flags |= f;
  }
  const pairs = argv.length - at;
  if (pairs === 0 || pairs % 2 !== 0) throw new CommandError(SYNTAX);
  const elements = pairs >> 1;
  if (flags & NX && flags & XX) throw new CommandError("ERR XX and NX options at the same time are not compatible");
  if ((flags & GT && flags & NX) || (flags & LT && flags & NX) || (flags & GT && flags & LT)) {
    throw new CommandError("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  const incr = (flags & INCR) !== 0;
  if (incr && elements > 1) throw new CommandError("ERR INCR option supports a single increment-element pair");
  // Every score is read before anything changes: the command applies whole or not at all.
  let first = 0;
  let scores: number[] | null = null;
  if (elements === 1) first = scoreArg(argv[at]!);
  else {
    scores = new Array(elements);
    for (let j = 0; j < elements; j++) scores[j] = scoreArg(argv[at + 2 * j]!);
  }
  const db = ctx.db;
  const key = argv[1]!;
  let z = lookupZSet(db, key);
  if (z === undefined) {
    if (flags & XX) return incr ? null : 0;
    z = newZSet(ctx, argv[at + 1]!);
    db.set(key, z);
  }
  const entries = listpackEntries(ctx.server);
  const value = listpackValue(ctx.server);
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  let changed: string[] | null = null;
  for (let j = 0; j < elements; j++) {
    score = scores === null ? first : scores[j]!;
    const member = argv[at + 2 * j + 1]!;
    const current = z.score(member);
    if (current !== undefined) {
      if (flags & NX) continue;
      if (incr) {
        score += current;
        if (Number.isNaN(score)) throw new CommandError(NAN_SCORE);
      }
      if ((flags & LT && score >= current) || (flags & GT && score <= current)) continue;
      processed++;
      // C compares with ==: -0 and 0 are the same score, and nothing changes.
      if (score !== current) {
        z.add(member, score);
        updated++;
        (changed ??= []).push(member);
      }
    } else {
      if (flags & XX) continue;
      z.beforeAdd(member, entries, value);
      z.add(member, score);
      added++;
      processed++;
      (changed ??= []).push(member);
    }
  }
  if (changed !== null) {
    // A member named twice is reported once, with where it ended up.
    const delta = rankedDelta(z, elements > 1 ? [...new Set(changed)] : changed);
    ctx.notify(incr ? "zincr" : "zadd", key, delta);
  }
  if (incr) return processed > 0 ? new DoubleReply(score) : null;
  return flags & CH ? added + updated : added;
}

/** ZPOPMIN/ZPOPMAX/ZMPOP's popping: up to count members from one end, with the events. */
function popFrom(ctx: Context, key: string, z: ZSetValue, count: number, max: boolean, members: string[], scores: number[]): void {
  const n = Math.min(count, z.size);
  for (let i = 0; i < n; i++) {
    const c = z.cursorAt(max ? z.size - 1 : 0);
    const m = c.member;
    members.push(m);
    scores.push(c.score);
    z.remove(m);
  }
  const emptied = dropIfEmpty(ctx.db, key, z);
  ctx.notify(max ? "zpopmax" : "zpopmin", key, members.slice());
  if (emptied) ctx.notify("del", key);
}

function zpop(ctx: Context, argv: string[], max: boolean): Reply {
  if (argv.length > 3) throw new CommandError(SYNTAX);
  let count = 1;
  if (argv.length === 3) {
    const n = toInt64(argv[2]!);
    if (n === null || n < 0) throw new CommandError(POSITIVE_COUNT);
    count = typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
  }
  const key = argv[1]!;
  const z = lookupZSet(ctx.db, key);
  if (z === undefined || count === 0) return [];
  const members: string[] = [];
  const scores: number[] = [];
  popFrom(ctx, key, z, count, max, members, scores);
  // RESP3 nests pairs only when a count was given.
  if (ctx.session.resp === 3 && argv.length === 2) return [members[0]!, new DoubleReply(scores[0]!)];
  return scoredReply(ctx, members, scores);
}

/** getRangeLongFromObjectOrReply(1, LONG_MAX) with a message for both failures (ZMPOP). */
function positiveArg(raw: string, message: string): number {
  const n = toInt64(raw);
  if (n === null || n < 1) throw new CommandError(message);
  return typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
}

/** A ZSCAN page's scores as Redis writes them: a listpack's stored text, a skiplist's "%.17Lg". */
function scanScoreText(z: ZSetValue, score: number): string {
  return z.encoding === "listpack" ? listpackScoreText(score, formatDouble) : formatDouble(score);
}

const zsetBasics: Implementations<Omit<typeof zsetCommands, keyof typeof zsetRanges | keyof typeof zsetStores>> = {
  zadd(ctx, argv) {
    return zadd(ctx, argv, 0);
  },

  zincrby(ctx, argv) {
    return zadd(ctx, argv, INCR);
  },

  zrem(ctx, argv) {
    const db = ctx.db;
    const key = argv[1]!;
    const z = lookupZSet(db, key);
    if (z === undefined) return 0;
    let removed: string[] | null = null;
    for (let i = 2; i < argv.length; i++) {
      if (z.remove(argv[i]!)) {
        (removed ??= []).push(argv[i]!);
        if (z.size === 0) break;
      }
    }
    if (removed === null) return 0;
    const emptied = dropIfEmpty(db, key, z);
    ctx.notify("zrem", key, removed);
    if (emptied) ctx.notify("del", key);
    return removed.length;
  },

  zcard(ctx, argv) {
    return lookupZSet(ctx.db, argv[1]!)?.size ?? 0;
  },

  zscore(ctx, argv) {
    const s = lookupZSet(ctx.db, argv[1]!)?.score(argv[2]!);
    return s === undefined ? null : new DoubleReply(s);
  },

  zmscore(ctx, argv) {
    const z = lookupZSet(ctx.db, argv[1]!);
    const out: Reply[] = new Array(argv.length - 2);
    for (let i = 2; i < argv.length; i++) {
      const s = z?.score(argv[i]!);
      out[i - 2] = s === undefined ? null : new DoubleReply(s);
    }
    return out;
  },

  zcount(ctx, argv) {
    const r = parseScoreRange(argv[2]!, argv[3]!);
    return lookupZSet(ctx.db, argv[1]!)?.countInScore(r) ?? 0;
  },

  zlexcount(ctx, argv) {
    const r = parseLexRange(argv[2]!, argv[3]!);
    const z = lookupZSet(ctx.db, argv[1]!);
    if (z === undefined) return 0;
    const [first, last] = z.lexRun(r, false);
    return last >= first ? last - first + 1 : 0;
  },

  zrank(ctx, argv) {
    const z = lookupZSet(ctx.db, argv[1]!);
    const r = z === undefined ? -1 : z.rank(argv[2]!);
    return r < 0 ? null : r;
  },

  zrevrank(ctx, argv) {
    const z = lookupZSet(ctx.db, argv[1]!);
    const r = z === undefined ? -1 : z.rank(argv[2]!);
    return r < 0 ? null : z!.size - 1 - r;
  },

  zpopmin(ctx, argv) {
    return zpop(ctx, argv, false);
  },

  zpopmax(ctx, argv) {
    return zpop(ctx, argv, true);
  },

  zmpop(ctx, argv) {
    const numkeys = positiveArg(argv[1]!, "ERR numkeys should be greater than 0");
    const whereAt = 1 + numkeys + 1;
    if (whereAt >= argv.length) throw new CommandError(SYNTAX);
    const where = argv[whereAt]!;
    const max = isOption(where, "MAX");
    if (!max && !isOption(where, "MIN")) throw new CommandError(SYNTAX);
    let count = -1;
    for (let j = whereAt + 1; j < argv.length; j++) {
      if (count === -1 && isOption(argv[j]!, "COUNT") && j + 1 < argv.length) {
        count = positiveArg(argv[++j]!, "ERR count should be greater than 0");
      } else throw new CommandError(SYNTAX);
    }
    if (count === -1) count = 1;
    const db = ctx.db;
    for (let i = 2; i < whereAt; i++) {
      const key = argv[i]!;
      const z = lookupZSet(db, key);
      if (z === undefined) continue;
      const members: string[] = [];
      const scores: number[] = [];
      popFrom(ctx, key, z, count, max, members, scores);
      const pairs: Reply[] = new Array(members.length);
      for (let k = 0; k < members.length; k++) pairs[k] = [members[k]!, new DoubleReply(scores[k]!)];
      return [key, pairs];
    }
    return NULL_ARRAY;
  },

  zrandmember(ctx, argv) {
    const key = argv[1]!;
    if (argv.length === 2) {
      const z = lookupZSet(ctx.db, key);
      return z === undefined ? null : z.memberAt((Math.random() * z.size) | 0);
    }
    const n = signedCount(argv[2]!);
    let withScores = false;
    if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3]!, "WITHSCORES"))) throw new CommandError(SYNTAX);
    if (argv.length === 4) {
      withScores = true;
      if (n < -(2n ** 62n - 1n) || n > 2n ** 62n - 1n) throw new CommandError("ERR value is out of range");
    }
    const z = lookupZSet(ctx.db, key);
    if (z === undefined || n === 0 || n === 0n) return [];
    const members: string[] = [];
    const scores: number[] = [];
    if (n < 0) {
      const count = repeatCount(-n);
      for (let i = 0; i < count; i++) {
        const c = z.cursorAt((Math.random() * z.size) | 0);
        members.push(c.member);
        scores.push(c.score);
      }
    } else if (n >= z.size) {
      z.collect(0, z.size - 1, false, members, scores);
    } else {
      const picks = distinctPositions(z.size, Number(n));
      for (let i = 0; i < picks.length; i++) {
        const c = z.cursorAt(picks[i]!);
        members.push(c.member);
        scores.push(c.score);
      }
    }
    return withScores ? scoredReply(ctx, members, scores) : members;
  },

  zscan(ctx, argv) {
    const cursor = parseCursor(argv[2]!);
    const z = lookupZSet(ctx.db, argv[1]!);
    if (z === undefined) return ["0", []];
    const args = parseScanOptions(argv, cursor);
    const out: Reply[] = [];
    const next = z.scan(args.cursor, args.count, args.pattern, out);
    for (let i = 1; i < out.length; i += 2) out[i] = scanScoreText(z, out[i] as number);
    return [String(next), out];
  },
};

export const zsets: Implementations<typeof zsetCommands> = {
  ...zsetBasics,
  ...zsetRanges,
  ...zsetStores,
};
