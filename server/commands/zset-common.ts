// What the sorted set commands share: lookups, the encoding a new set starts in, and the
// reply shapes of scores and scored members in RESP2 (flat, scores as bulk strings) and
// RESP3 (a [member, score] pair each, scores as doubles).
import type { Context } from "../context.js";
import { CommandError, WRONGTYPE } from "../errors.js";
import type { Database, StoredValue } from "../keyspace/database.js";
import { ZSetValue } from "../keyspace/zset.js";
import { DoubleReply, type Reply } from "../reply.js";
import { listpackEntries, listpackValue } from "./zset-settings.js";

export function lookupZSet(db: Database, key: string): ZSetValue | undefined {
  return db.lookupContainer<ZSetValue>(key, "zset");
}

export function asZSet(value: StoredValue | undefined): ZSetValue | undefined {
  if (value === undefined || (typeof value !== "string" && value.type === "zset")) return value as ZSetValue | undefined;
  throw new CommandError(WRONGTYPE);
}

/**
 * A new sorted set for a command about to add `firstMember`: a listpack unless
 * zset-max-listpack-entries is 0 or the member is too long for one (Redis's ZADD).
 */
export function newZSet(ctx: Context, firstMember: string): ZSetValue {
  const entries = listpackEntries(ctx.server);
  return new ZSetValue(entries === 0 || firstMember.length > listpackValue(ctx.server) ? "skiplist" : "listpack");
}

/** Adds members one by one to a set being built (ZRANGESTORE), converting as Redis's zsetAdd does. */
export function addConverting(ctx: Context, z: ZSetValue, members: readonly string[], scores: readonly number[]): void {
  const entries = listpackEntries(ctx.server);
  const value = listpackValue(ctx.server);
  for (let i = 0; i < members.length; i++) {
    z.beforeAdd(members[i]!, entries, value);
    z.add(members[i]!, scores[i]!);
  }
}

export function scoreReply(score: number): DoubleReply {
  return new DoubleReply(score);
}

/**
 * Members with their scores as the connection's protocol wants them: RESP2 a flat array,
 * RESP3 (and WebSocket) an array of [member, score] pairs.
 */
export function scoredReply(ctx: Context, members: readonly string[], scores: readonly number[]): Reply[] {
  const n = members.length;
  if (ctx.session.resp === 2) {
    const out: Reply[] = new Array(n * 2);
    for (let i = 0; i < n; i++) {
      out[2 * i] = members[i]!;
      out[2 * i + 1] = new DoubleReply(scores[i]!);
    }
    return out;
  }
  const out: Reply[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = [members[i]!, new DoubleReply(scores[i]!)];
  return out;
}

/** Removes a sorted set that became empty; its "del" goes after the command's own event. */
export function dropIfEmpty(db: Database, key: string, z: ZSetValue): boolean {
  if (z.size !== 0) return false;
  db.delete(key);
  return true;
}

/** [member, score, rank, ...] for watchers, ranks as they are now (after the whole command). */
export function rankedDelta(z: ZSetValue, members: readonly string[]): unknown[] {
  const out: unknown[] = new Array(members.length * 3);
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    out[3 * i] = m;
    out[3 * i + 1] = z.score(m)!;
    out[3 * i + 2] = z.rank(m);
  }
  return out;
}
