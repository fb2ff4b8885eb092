// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD: Redis's
// zunionInterDiffGenericCommand. Plain sets count as sorted sets whose scores are all 1.
// Sources are taken smallest first (stably) for union and intersection, as Redis sorts them:
// with SUM, the order in which weighted scores are added decides the last bits of the result.
import type { zsetCommands } from "../../shared/commands/zsets.js";
import { isOption, toInt64 } from "../args.js";
import type { Context } from "../context.js";
import type { Implementations } from "../command-impl.js";
import { CommandError, NOT_INTEGER, SYNTAX, WRONGTYPE } from "../errors.js";
import { SetValue } from "../keyspace/set.js";
import { toScore } from "../keyspace/score.js";
import { ZSetValue } from "../keyspace/zset.js";
import type { Reply } from "../reply.js";
import { scoredReply } from "./zset-common.js";
import { listpackEntries, listpackValue } from "./zset-settings.js";

const UNION = 0;
const INTER = 1;
const DIFF = 2;

const SUM = 0;
const MIN = 1;
const MAX = 2;

interface Source {
  z: ZSetValue | null;
  s: SetValue | null;
  weight: number;
  size: number;
}

/** The score of a member in a source (1 for a plain set's member), or undefined. */
function find(src: Source, member: string): number | undefined {
  if (src.z !== null) return src.z.score(member);
  if (src.s !== null && src.s.has(member)) return 1;
  return undefined;
}

function aggregate(target: number, value: number, how: number): number {
  if (how === SUM) {
    // inf + -inf is NaN: Redis keeps 0 instead.
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  // A NaN value (inf * 0 weight) never wins a comparison, as in C.
  if (how === MIN) return value < target ? value : target;
  return value > target ? value : target;
}

/** What the command's words asked for. */
interface SetOp {
  sources: Source[];
  how: number;
  withScores: boolean;
  limit: number;
}

function parse(ctx: Context, argv: string[], numkeysAt: number, op: number, store: boolean, cardinality: boolean): SetOp {
  const n = toInt64(argv[numkeysAt]!);
  if (n === null) throw new CommandError(NOT_INTEGER);
  if (n < 1) throw new CommandError(`ERR at least 1 input key is needed for '${argv[0]!.toLowerCase()}' command`);
  if (n > argv.length - (numkeysAt + 1)) throw new CommandError(SYNTAX);
  const setnum = Number(n);
  const db = ctx.db;
  const sources: Source[] = new Array(setnum);
  let j = numkeysAt + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = db.lookup(argv[j]!);
    const src: Source = { z: null, s: null, weight: 1, size: 0 };
    if (v !== undefined) {
      if (v instanceof ZSetValue) src.z = v;
      else if (v instanceof SetValue) src.s = v;
      else throw new CommandError(WRONGTYPE);
      src.size = v.size;
    }
    sources[i] = src;
  }
  const opts: SetOp = { sources, how: SUM, withScores: false, limit: 0 };
  while (j < argv.length) {
    const remaining = argv.length - j;
    const word = argv[j]!;
    if (op !== DIFF && !cardinality && remaining >= setnum + 1 && isOption(word, "WEIGHTS")) {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = toScore(argv[j]!);
        if (w === null) throw new CommandError("ERR weight value is not a float");
        sources[i]!.weight = w;
      }
    } else if (op !== DIFF && !cardinality && remaining >= 2 && isOption(word, "AGGREGATE")) {
      const how = argv[j + 1]!;
      if (isOption(how, "SUM")) opts.how = SUM;
      else if (isOption(how, "MIN")) opts.how = MIN;
      else if (isOption(how, "MAX")) opts.how = MAX;
      else throw new CommandError(SYNTAX);
      j += 2;
    } else if (!store && !cardinality && isOption(word, "WITHSCORES")) {
      opts.withScores = true;
      j++;
    } else if (cardinality && remaining >= 2 && isOption(word, "LIMIT")) {
      const l = toInt64(argv[j + 1]!);
      if (l === null || l < 0) throw new CommandError("ERR LIMIT can't be negative");
      opts.limit = typeof l === "bigint" ? Number.MAX_SAFE_INTEGER : l;
      j += 2;
    } else throw new CommandError(SYNTAX);
  }
  if (op !== DIFF) sources.sort(bySize);
  return opts;
}

function bySize(a: Source, b: Source): number {
  return a.size - b.size;
}

/** Aggregates each member of a source into `out` with its weighted score (NaN as 0, as Redis has it). */
function weighted(src: Source, out: Map<string, number>, how: number): void {
  const w = src.weight;
  if (src.z !== null) {
    for (const [m, s] of src.z.entries()) {
      let score = w * s;
      if (Number.isNaN(score)) score = 0;
      const prev = out.get(m);
      out.set(m, prev === undefined ? score : aggregate(prev, score, how));
    }
  } else if (src.s !== null) {
    const members = src.s.view();
    let score = w;
    if (Number.isNaN(score)) score = 0;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      const prev = out.get(m);
      out.set(m, prev === undefined ? score : aggregate(prev, score, how));
    }
  }
}

/** Each member of a source with its own (unweighted) score: the iteration for INTER and DIFF. */
function* members(src: Source): IterableIterator<[string, number]> {
  if (src.z !== null) yield* src.z.entries();
  else if (src.s !== null) for (const m of src.s.view()) yield [m, 1];
}

/** The result as member -> score, or for ZINTERCARD its size only (up to the limit). */
function compute(o: SetOp, op: number, cardinality: boolean): Map<string, number> | number {
  const sources = o.sources;
  const out = new Map<string, number>();
  if (op === UNION) {
    for (const src of sources) weighted(src, out, o.how);
    return out;
  }
  const first = sources[0]!;
  if (op === DIFF) {
    if (first.size === 0) return out;
    next: for (const [m, s] of members(first)) {
      for (let j = 1; j < sources.length; j++) if (sources[j]!.size > 0 && find(sources[j]!, m) !== undefined) continue next;
      out.set(m, s);
    }
    return out;
  }
  let count = 0;
  if (first.size === 0) return cardinality ? 0 : out;
  next: for (const [m, s] of members(first)) {
    let score = first.weight * s;
    if (Number.isNaN(score)) score = 0;
    for (let j = 1; j < sources.length; j++) {
      const src = sources[j]!;
      const v = find(src, m);
      if (v === undefined) continue next;
      score = aggregate(score, v * src.weight, o.how);
    }
    if (cardinality) {
      count++;
      if (o.limit > 0 && count >= o.limit) break;
    } else out.set(m, score);
  }
  return cardinality ? count : out;
}

/** The result in rank order: parallel member and score arrays. */
function sorted(result: Map<string, number>): [string[], number[]] {
  const pairs = [...result];
  pairs.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const members: string[] = new Array(pairs.length);
  const scores: number[] = new Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    members[i] = pairs[i]![0];
    scores[i] = pairs[i]![1];
  }
  return [members, scores];
}

function read(ctx: Context, argv: string[], op: number): Reply {
  const o = parse(ctx, argv, 1, op, false, false);
  const [members, scores] = sorted(compute(o, op, false) as Map<string, number>);
  return o.withScores ? scoredReply(ctx, members, scores) : members;
}

function store(ctx: Context, argv: string[], op: number, event: string): number {
  const o = parse(ctx, argv, 2, op, true, false);
  const result = compute(o, op, false) as Map<string, number>;
  const db = ctx.db;
  const dest = argv[1]!;
  if (result.size === 0) {
    if (db.delete(dest)) ctx.notify("del", dest);
    return 0;
  }
  const [members, scores] = sorted(result);
  // Built as a skiplist, then a listpack if it fits (zsetConvertToListpackIfNeeded).
  const z = new ZSetValue("skiplist");
  z.buildFrom(members, scores);
  z.compact(listpackEntries(ctx.server), listpackValue(ctx.server));
  db.set(dest, z);
  ctx.notify(event, dest, null);
  return z.size;
}

export const zsetStores: Implementations<Pick<typeof zsetCommands, "zunion" | "zinter" | "zdiff" | "zunionstore" | "zinterstore" | "zdiffstore" | "zintercard">> = {
  zunion(ctx, argv) {
    return read(ctx, argv, UNION);
  },

  zinter(ctx, argv) {
    return read(ctx, argv, INTER);
  },

  zdiff(ctx, argv) {
    return read(ctx, argv, DIFF);
  },

  zunionstore(ctx, argv) {
    return store(ctx, argv, UNION, "zunionstore");
  },

  zinterstore(ctx, argv) {
    return store(ctx, argv, INTER, "zinterstore");
  },

  zdiffstore(ctx, argv) {
    return store(ctx, argv, DIFF, "zdiffstore");
  },

  zintercard(ctx, argv) {
    const o = parse(ctx, argv, 1, INTER, false, true);
    return compute(o, INTER, true) as number;
  },
};
