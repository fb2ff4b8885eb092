// Hashes commands (redis.io/commands/?group=hash).
import { command, type Key, type Value } from "../command.js";
import type { Cursor, ScanOption } from "./sets.js";

export const hashCommands = {
  hset: command("HSET", {
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@hash", "@fast"],
    keys: [1, 1, 1],
    summary: "Creates or modifies the value of a field in a hash. Returns the number of fields added.",
  })
    .args<[key: Key, field: Value, value: Value, ...fieldsAndValues: Value[]]>()
    .reply<number>(),
  hsetnx: command("HSETNX", {
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@hash", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "insert"],
    summary: "Sets the value of a field in a hash only when the field doesn't exist.",
  })
    .args<[key: Key, field: Value, value: Value]>()
    .reply<0 | 1>(),
  hget: command("HGET", {
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["@read", "@hash", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns the value of a field in a hash.",
  })
    .args<[key: Key, field: Value]>()
    .reply<string | null>(),
  hmget: command("HMGET", {
    arity: -3,
    flags: ["readonly", "fast"],
    acl: ["@read", "@hash", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns the values of all fields in a hash.",
  })
    .args<[key: Key, field: Value, ...fields: Value[]]>()
    .reply<(string | null)[]>(),
  hgetall: command("HGETALL", {
    arity: 2,
    flags: ["readonly"],
    acl: ["@read", "@hash", "@slow"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output_order"],
    summary: "Returns all fields and values in a hash.",
  })
    .args<[key: Key]>()
    .reply<Record<string, string>>(),
  hdel: command("HDEL", {
    arity: -3,
    flags: ["write", "fast"],
    acl: ["@write", "@hash", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "delete"],
    summary: "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.",
  })
    .args<[key: Key, field: Value, ...fields: Value[]]>()
    .reply<number>(),
  hexists: command("HEXISTS", {
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["@read", "@hash", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RO"],
    summary: "Determines whether a field exists in a hash.",
  })
    .args<[key: Key, field: Value]>()
    .reply<0 | 1>(),
  hlen: command("HLEN", {
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["@read", "@hash", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RO"],
    summary: "Returns the number of fields in a hash.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  hkeys: command("HKEYS", {
    arity: 2,
    flags: ["readonly"],
    acl: ["@read", "@hash", "@slow"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output_order"],
    summary: "Returns all fields in a hash.",
  })
    .args<[key: Key]>()
    .reply<string[]>(),
  hvals: command("HVALS", {
    arity: 2,
    flags: ["readonly"],
    acl: ["@read", "@hash", "@slow"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output_order"],
    summary: "Returns all values in a hash.",
  })
    .args<[key: Key]>()
    .reply<string[]>(),
  hstrlen: command("HSTRLEN", {
    arity: 3,
    flags: ["readonly", "fast"],
    acl: ["@read", "@hash", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RO"],
    summary: "Returns the length of the value of a field.",
  })
    .args<[key: Key, field: Value]>()
    .reply<number>(),
  hincrby: command("HINCRBY", {
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@hash", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "access", "update"],
    summary: "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.",
  })
    .args<[key: Key, field: Value, increment: number | string]>()
    .reply<number>(),
  hincrbyfloat: command("HINCRBYFLOAT", {
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@hash", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "access", "update"],
    summary: "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.",
  })
    .args<[key: Key, field: Value, increment: number | string]>()
    .reply<string>(),
  hrandfield: command("HRANDFIELD", {
    arity: -2,
    flags: ["readonly"],
    acl: ["@read", "@hash", "@slow"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output"],
    summary: "Returns one or more random fields from a hash. A negative count may repeat fields.",
  })
    // Without a count: a field or null; with a count: fields; WITHVALUES: [field, value]
    // pairs (flat field, value, ... on a RESP2 connection).
    .args<[key: Key] | [key: Key, count: number] | [key: Key, count: number, withValues: "WITHVALUES"]>()
    .reply<string | null | string[] | [field: string, value: string][]>(),
  hscan: command("HSCAN", {
    arity: -3,
    flags: ["readonly"],
    acl: ["@read", "@hash", "@slow"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output"],
    summary: "Iterates over fields and values of a hash.",
  })
    .args<[key: Key, cursor: Cursor, ...options: ScanOption[]]>()
    .reply<[cursor: string, fieldsAndValues: string[]]>(),
  hmset: command("HMSET", {
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@hash", "@fast"],
    keys: [1, 1, 1],
    summary: "Sets the values of multiple fields. Deprecated: use HSET.",
  })
    .args<[key: Key, field: Value, value: Value, ...fieldsAndValues: Value[]]>()
    .reply<"OK">(),
} as const;
