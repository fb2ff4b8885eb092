// Sets commands (redis.io/commands/?group=set).
import { command, type Key, type Value } from "../command.js";

/** SSCAN/HSCAN options, in any order: MATCH pattern | COUNT n. */
export type ScanOption = "MATCH" | "COUNT" | Value;
/** A scan cursor: "0" to start, then whatever the previous reply said. */
export type Cursor = string | number;

export const setCommands = {
  sadd: command("SADD", {
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@set", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "insert"],
    summary: "Adds one or more members to a set. Creates the key if it doesn't exist.",
  })
    .args<[key: Key, member: Value, ...members: Value[]]>()
    .reply<number>(),
  srem: command("SREM", {
    arity: -3,
    flags: ["write", "fast"],
    acl: ["@write", "@set", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "delete"],
    summary: "Removes one or more members from a set. Deletes the set if the last member was removed.",
  })
    .args<[key: Key, member: Value, ...members: Value[]]>()
    .reply<number>(),
  smembers: command("SMEMBERS", {
    arity: 2,
    flags: ["readonly"],
    acl: ["@read", "@set", "@slow"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output_order"],
    summary: "Returns all members of a set.",
  })
    .args<[key: Key]>()
    .reply<string[]>(),
  sismember: command("SISMEMBER", {
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["@read", "@set", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RO"],
    summary: "Determines whether a member belongs to a set.",
  })
    .args<[key: Key, member: Value]>()
    .reply<0 | 1>(),
  smismember: command("SMISMEMBER", {
    arity: -3,
    flags: ["readonly", "fast"],
    acl: ["@read", "@set", "@fast"],
    keys: [1, 1, 1],
    summary: "Determines whether multiple members belong to a set.",
  })
    .args<[key: Key, member: Value, ...members: Value[]]>()
    .reply<(0 | 1)[]>(),
  scard: command("SCARD", {
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["@read", "@set", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RO"],
    summary: "Returns the number of members in a set.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  spop: command("SPOP", {
    arity: -2,
    flags: ["write", "fast"],
    acl: ["@write", "@set", "@fast"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output"],
    keySpecFlags: ["RW", "access", "delete"],
    summary: "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.",
  })
    // Without a count: one member or null; with a count: a list.
    .args<[key: Key] | [key: Key, count: number]>()
    .reply<string | null | string[]>(),
  srandmember: command("SRANDMEMBER", {
    arity: -2,
    flags: ["readonly"],
    acl: ["@read", "@set", "@slow"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output"],
    summary: "Get one or multiple random members from a set. A negative count may repeat members.",
  })
    .args<[key: Key] | [key: Key, count: number]>()
    .reply<string | null | string[]>(),
  smove: command("SMOVE", {
    arity: 4,
    flags: ["write", "fast"],
    acl: ["@write", "@set", "@fast"],
    keys: [1, 2, 1],
    summary: "Moves a member from one set to another.",
  })
    .args<[source: Key, destination: Key, member: Value]>()
    .reply<0 | 1>(),
  sinter: command("SINTER", {
    arity: -2,
    flags: ["readonly"],
    acl: ["@read", "@set", "@slow"],
    keys: [1, -1, 1],
    tips: ["nondeterministic_output_order"],
    summary: "Returns the intersect of multiple sets.",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<string[]>(),
  sunion: command("SUNION", {
    arity: -2,
    flags: ["readonly"],
    acl: ["@read", "@set", "@slow"],
    keys: [1, -1, 1],
    tips: ["nondeterministic_output_order"],
    summary: "Returns the union of multiple sets.",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<string[]>(),
  sdiff: command("SDIFF", {
    arity: -2,
    flags: ["readonly"],
    acl: ["@read", "@set", "@slow"],
    keys: [1, -1, 1],
    tips: ["nondeterministic_output_order"],
    summary: "Returns the difference of multiple sets.",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<string[]>(),
  sinterstore: command("SINTERSTORE", {
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["@write", "@set", "@slow"],
    keys: [1, -1, 1],
    summary: "Stores the intersect of multiple sets in a key.",
  })
    .args<[destination: Key, key: Key, ...keys: Key[]]>()
    .reply<number>(),
  sunionstore: command("SUNIONSTORE", {
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["@write", "@set", "@slow"],
    keys: [1, -1, 1],
    summary: "Stores the union of multiple sets in a key.",
  })
    .args<[destination: Key, key: Key, ...keys: Key[]]>()
    .reply<number>(),
  sdiffstore: command("SDIFFSTORE", {
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["@write", "@set", "@slow"],
    keys: [1, -1, 1],
    summary: "Stores the difference of multiple sets in a key.",
  })
    .args<[destination: Key, key: Key, ...keys: Key[]]>()
    .reply<number>(),
  // Keys follow a count (numkeys), which first/last/step cannot say: Redis reports 0 0 0
  // with "movablekeys", and so does this entry.
  sintercard: command("SINTERCARD", {
    arity: -3,
    flags: ["readonly", "movablekeys"],
    acl: ["@read", "@set", "@slow"],
    keynum: [1, 2, 1],
    summary: "Returns the number of members of the intersect of multiple sets.",
  })
    .args<[numkeys: number, key: Key, ...keysThenLimit: (Key | "LIMIT" | number)[]]>()
    .reply<number>(),
  sscan: command("SSCAN", {
    arity: -3,
    flags: ["readonly"],
    acl: ["@read", "@set", "@slow"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output"],
    summary: "Iterates over members of a set.",
  })
    .args<[key: Key, cursor: Cursor, ...options: ScanOption[]]>()
    .reply<[cursor: string, members: string[]]>(),
} as const;
