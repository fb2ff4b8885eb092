// Sorted set commands (redis.io/commands/?group=sorted-set). Replies are typed as the
// WebSocket client receives them, which is RESP3's shape: scores are numbers (RESP3 doubles,
// msgpack floats), and WITHSCORES gives [member, score] pairs (RESP2 flattens them).
import { command, type ByOption, type Key, type KeySpecInfo, type Value } from "../command.js";
import type { Cursor, ScanOption } from "./sets.js";

/** A member with its score, as every WITHSCORES reply gives it. */
export type ScoredMember = [member: string, score: number];
/** ZADD's options, before the score/member pairs. */
export type ZAddOption = "NX" | "XX" | "GT" | "LT" | "CH" | "INCR";
/** A score or range bound: a number, or text such as "-inf", "+inf", "(1.5". */
export type Score = number | string;
/** ZRANGE's options: BYSCORE | BYLEX, REV, LIMIT offset count, WITHSCORES. */
export type ZRangeOption = "BYSCORE" | "BYLEX" | "REV" | "LIMIT" | "WITHSCORES" | number;
/** ZUNION/ZINTER/ZDIFF/...STORE options: WEIGHTS w..., AGGREGATE SUM|MIN|MAX, WITHSCORES. */
export type ZSetOpOption = "WEIGHTS" | "AGGREGATE" | "SUM" | "MIN" | "MAX" | "WITHSCORES" | number;

type Members<R> = ByOption<"WITHSCORES", R, ScoredMember[]>;

const keynumSpec = (flags: readonly string[]): readonly KeySpecInfo[] => [{ flags, begin: 1, keynum: [0, 1, 1] }];
const storeSpecs: readonly KeySpecInfo[] = [
  { flags: ["OW", "update"], begin: 1, range: [0, 1, 0] },
  { flags: ["RO", "access"], begin: 2, keynum: [0, 1, 1] },
];

export const zsetCommands = {
  zadd: command("ZADD", {
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    summary: "Add one or more members to a sorted set, or update its score if it already exists.",
  })
    // Options first, then score member pairs: ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ...
    .args<[key: Key, ...optionsAndPairs: (ZAddOption | Score | Value)[], score: Score, member: Value]>()
    .reply<ByOption<"INCR", number, number | null>>(),
  zincrby: command("ZINCRBY", {
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "access", "update"],
    summary: "Increment the score of a member in a sorted set.",
  })
    .args<[key: Key, increment: Score, member: Value]>()
    .reply<number>(),
  zrem: command("ZREM", {
    arity: -3,
    flags: ["write", "fast"],
    acl: ["@write", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "delete"],
    summary: "Remove one or more members from a sorted set.",
  })
    .args<[key: Key, member: Value, ...members: Value[]]>()
    .reply<number>(),
  zcard: command("ZCARD", {
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["@read", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RO"],
    summary: "Get the number of members in a sorted set.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  zscore: command("ZSCORE", {
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["@read", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    summary: "Get the score associated with the given member in a sorted set.",
  })
    .args<[key: Key, member: Value]>()
    .reply<number | null>(),
  zmscore: command("ZMSCORE", {
    arity: -3,
    flags: ["readonly", "fast"],
    acl: ["@read", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    summary: "Get the score associated with the given members in a sorted set.",
  })
    .args<[key: Key, member: Value, ...members: Value[]]>()
    .reply<(number | null)[]>(),
  zcount: command("ZCOUNT", {
    arity: 4,
    flags: ["readonly", "fast"],
    acl: ["@read", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    summary: "Count the members in a sorted set with scores within the given values.",
  })
    .args<[key: Key, min: Score, max: Score]>()
    .reply<number>(),
  zlexcount: command("ZLEXCOUNT", {
    arity: 4,
    flags: ["readonly", "fast"],
    acl: ["@read", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    summary: "Count the number of members in a sorted set between a given lexicographical range.",
  })
    .args<[key: Key, min: Value, max: Value]>()
    .reply<number>(),
  zrank: command("ZRANK", {
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["@read", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    summary: "Determine the index of a member in a sorted set.",
  })
    .args<[key: Key, member: Value]>()
    .reply<number | null>(),
  zrevrank: command("ZREVRANK", {
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["@read", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    summary: "Determine the index of a member in a sorted set, with scores ordered from high to low.",
  })
    .args<[key: Key, member: Value]>()
    .reply<number | null>(),
  zrange: command("ZRANGE", {
    arity: -4,
    flags: ["readonly"],
    acl: ["@read", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    summary: "Return a range of members in a sorted set.",
  })
    .args<[key: Key, start: Score, stop: Score, ...options: ZRangeOption[]]>()
    .reply<Members<string[]>>(),
  zrangestore: command("ZRANGESTORE", {
    arity: -5,
    flags: ["write", "denyoom"],
    acl: ["@write", "@sortedset", "@slow"],
    keys: [1, 2, 1],
    keySpecs: [
      { flags: ["OW", "update"], begin: 1, range: [0, 1, 0] },
      { flags: ["RO", "access"], begin: 2, range: [0, 1, 0] },
    ],
    summary: "Store a range of members from sorted set into another key.",
  })
    .args<[destination: Key, source: Key, min: Score, max: Score, ...options: Exclude<ZRangeOption, "WITHSCORES">[]]>()
    .reply<number>(),
  zrevrange: command("ZREVRANGE", {
    arity: -4,
    flags: ["readonly"],
    acl: ["@read", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low.",
  })
    .args<[key: Key, start: number, stop: number] | [key: Key, start: number, stop: number, withscores: "WITHSCORES"]>()
    .reply<Members<string[]>>(),
  zrangebyscore: command("ZRANGEBYSCORE", {
    arity: -4,
    flags: ["readonly"],
    acl: ["@read", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    summary: "Return a range of members in a sorted set, by score.",
  })
    .args<[key: Key, min: Score, max: Score, ...options: ("WITHSCORES" | "LIMIT" | number)[]]>()
    .reply<Members<string[]>>(),
  zrevrangebyscore: command("ZREVRANGEBYSCORE", {
    arity: -4,
    flags: ["readonly"],
    acl: ["@read", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low.",
  })
    .args<[key: Key, max: Score, min: Score, ...options: ("WITHSCORES" | "LIMIT" | number)[]]>()
    .reply<Members<string[]>>(),
  zrangebylex: command("ZRANGEBYLEX", {
    arity: -4,
    flags: ["readonly"],
    acl: ["@read", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    summary: "Return a range of members in a sorted set, by lexicographical range.",
  })
    .args<[key: Key, min: Value, max: Value] | [key: Key, min: Value, max: Value, limit: "LIMIT", offset: number, count: number]>()
    .reply<string[]>(),
  zrevrangebylex: command("ZREVRANGEBYLEX", {
    arity: -4,
    flags: ["readonly"],
    acl: ["@read", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
  })
    .args<[key: Key, max: Value, min: Value] | [key: Key, max: Value, min: Value, limit: "LIMIT", offset: number, count: number]>()
    .reply<string[]>(),
  zremrangebyrank: command("ZREMRANGEBYRANK", {
    arity: 4,
    flags: ["write"],
    acl: ["@write", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "delete"],
    summary: "Remove all members in a sorted set within the given indexes.",
  })
    .args<[key: Key, start: number, stop: number]>()
    .reply<number>(),
  zremrangebyscore: command("ZREMRANGEBYSCORE", {
    arity: 4,
    flags: ["write"],
    acl: ["@write", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "delete"],
    summary: "Remove all members in a sorted set within the given scores.",
  })
    .args<[key: Key, min: Score, max: Score]>()
    .reply<number>(),
  zremrangebylex: command("ZREMRANGEBYLEX", {
    arity: 4,
    flags: ["write"],
    acl: ["@write", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "delete"],
    summary: "Remove all members in a sorted set between the given lexicographical range.",
  })
    .args<[key: Key, min: Value, max: Value]>()
    .reply<number>(),
  zpopmin: command("ZPOPMIN", {
    arity: -2,
    flags: ["write", "fast"],
    acl: ["@write", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "access", "delete"],
    summary: "Remove and return members with the lowest scores in a sorted set.",
  })
    // Without a count: [member, score] (or [] for no key); with a count: pairs.
    .args<[key: Key] | [key: Key, count: number]>()
    .reply<ScoredMember | [] | ScoredMember[]>(),
  zpopmax: command("ZPOPMAX", {
    arity: -2,
    flags: ["write", "fast"],
    acl: ["@write", "@sortedset", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "access", "delete"],
    summary: "Remove and return members with the highest scores in a sorted set.",
  })
    .args<[key: Key] | [key: Key, count: number]>()
    .reply<ScoredMember | [] | ScoredMember[]>(),
  zmpop: command("ZMPOP", {
    arity: -4,
    flags: ["write", "movablekeys"],
    acl: ["@write", "@sortedset", "@slow"],
    keySpecs: keynumSpec(["RW", "access", "delete"]),
    summary: "Remove and return members with scores in a sorted set.",
  })
    .args<[numkeys: number, key: Key, ...keysThenWhere: (Key | "MIN" | "MAX" | "COUNT" | number)[]]>()
    .reply<[key: string, popped: ScoredMember[]] | null>(),
  zrandmember: command("ZRANDMEMBER", {
    arity: -2,
    flags: ["readonly"],
    acl: ["@read", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output"],
    summary: "Get one or multiple random elements from a sorted set.",
  })
    // Without a count: one member or null; with a count: a list; WITHSCORES: pairs.
    .args<[key: Key] | [key: Key, count: number] | [key: Key, count: number, withscores: "WITHSCORES"]>()
    .reply<Members<string | null | string[]>>(),
  zunion: command("ZUNION", {
    arity: -3,
    flags: ["readonly", "movablekeys"],
    acl: ["@read", "@sortedset", "@slow"],
    keySpecs: keynumSpec(["RO", "access"]),
    summary: "Add multiple sorted sets.",
  })
    .args<[numkeys: number, key: Key, ...keysThenOptions: (Key | ZSetOpOption)[]]>()
    .reply<Members<string[]>>(),
  zinter: command("ZINTER", {
    arity: -3,
    flags: ["readonly", "movablekeys"],
    acl: ["@read", "@sortedset", "@slow"],
    keySpecs: keynumSpec(["RO", "access"]),
    summary: "Intersect multiple sorted sets.",
  })
    .args<[numkeys: number, key: Key, ...keysThenOptions: (Key | ZSetOpOption)[]]>()
    .reply<Members<string[]>>(),
  zdiff: command("ZDIFF", {
    arity: -3,
    flags: ["readonly", "movablekeys"],
    acl: ["@read", "@sortedset", "@slow"],
    keySpecs: keynumSpec(["RO", "access"]),
    summary: "Subtract multiple sorted sets.",
  })
    .args<[numkeys: number, key: Key, ...keysThenWithscores: (Key | "WITHSCORES")[]]>()
    .reply<Members<string[]>>(),
  zunionstore: command("ZUNIONSTORE", {
    arity: -4,
    flags: ["write", "denyoom", "movablekeys"],
    acl: ["@write", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    keySpecs: storeSpecs,
    summary: "Add multiple sorted sets and store the resulting sorted set in a new key.",
  })
    .args<[destination: Key, numkeys: number, key: Key, ...keysThenOptions: (Key | Exclude<ZSetOpOption, "WITHSCORES">)[]]>()
    .reply<number>(),
  zinterstore: command("ZINTERSTORE", {
    arity: -4,
    flags: ["write", "denyoom", "movablekeys"],
    acl: ["@write", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    keySpecs: storeSpecs,
    summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key.",
  })
    .args<[destination: Key, numkeys: number, key: Key, ...keysThenOptions: (Key | Exclude<ZSetOpOption, "WITHSCORES">)[]]>()
    .reply<number>(),
  zdiffstore: command("ZDIFFSTORE", {
    arity: -4,
    flags: ["write", "denyoom", "movablekeys"],
    acl: ["@write", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    keySpecs: storeSpecs,
    summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key.",
  })
    .args<[destination: Key, numkeys: number, key: Key, ...keys: Key[]]>()
    .reply<number>(),
  zintercard: command("ZINTERCARD", {
    arity: -3,
    flags: ["readonly", "movablekeys"],
    acl: ["@read", "@sortedset", "@slow"],
    keySpecs: keynumSpec(["RO", "access"]),
    summary: "Intersect multiple sorted sets and return the cardinality of the result.",
  })
    .args<[numkeys: number, key: Key, ...keysThenLimit: (Key | "LIMIT" | number)[]]>()
    .reply<number>(),
  zscan: command("ZSCAN", {
    arity: -3,
    flags: ["readonly"],
    acl: ["@read", "@sortedset", "@slow"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output"],
    summary: "Incrementally iterate sorted sets elements and associated scores.",
  })
    // The page is flat: member, score (as text), member, score...
    .args<[key: Key, cursor: Cursor, ...options: ScanOption[]]>()
    .reply<[cursor: string, page: string[]]>(),
};
