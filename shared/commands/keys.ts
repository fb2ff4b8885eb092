// Generic keyspace commands (redis.io/commands/?group=generic).
import { command, container, type Key, type Value } from "../command.js";

/** EXPIRE's conditions (Redis 7): NX, XX, GT, LT; NX excludes the others, GT excludes LT. */
export type ExpireCondition = "NX" | "XX" | "GT" | "LT";
/** SCAN's options, in any order: MATCH pattern | COUNT n | TYPE name. */
export type ScanOption = "MATCH" | "COUNT" | "TYPE" | Value;
/** COPY's options, in any order: DB n | REPLACE. */
export type CopyOption = "DB" | "REPLACE" | number;
/** What TYPE answers. */
export type TypeName = "string" | "list" | "set" | "hash" | "none";

const multiKey = ["request_policy:multi_shard", "response_policy:agg_sum"];

export const keyCommands = {
  del: command("DEL", {
    arity: -2,
    flags: ["write"],
    acl: ["@keyspace", "@write", "@slow"],
    keys: [1, -1, 1],
    tips: multiKey,
    keySpecFlags: ["RM", "delete"],
    summary: "Deletes one or more keys.",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<number>(),
  unlink: command("UNLINK", {
    arity: -2,
    flags: ["write", "fast"],
    acl: ["@keyspace", "@write", "@fast"],
    keys: [1, -1, 1],
    tips: multiKey,
    keySpecFlags: ["RM", "delete"],
    summary: "Asynchronously deletes one or more keys.",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<number>(),
  exists: command("EXISTS", {
    arity: -2,
    flags: ["readonly", "fast"],
    acl: ["@keyspace", "@read", "@fast"],
    keys: [1, -1, 1],
    tips: multiKey,
    keySpecFlags: ["RO"],
    summary: "Determines whether one or more keys exist.",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<number>(),
  touch: command("TOUCH", {
    arity: -2,
    flags: ["readonly", "fast"],
    acl: ["@keyspace", "@read", "@fast"],
    keys: [1, -1, 1],
    tips: multiKey,
    keySpecFlags: ["RO"],
    summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<number>(),
  keys: command("KEYS", {
    arity: 2,
    flags: ["readonly"],
    acl: ["@keyspace", "@read", "@slow", "@dangerous"],
    tips: ["request_policy:all_shards", "nondeterministic_output_order"],
    summary: "Returns all key names that match a pattern.",
  })
    .args<[pattern: Key]>()
    .reply<string[]>(),
  scan: command("SCAN", {
    arity: -2,
    flags: ["readonly"],
    acl: ["@keyspace", "@read", "@slow"],
    tips: ["nondeterministic_output", "request_policy:special"],
    summary: "Iterates over the key names in the database.",
  })
    .args<[cursor: string | number, ...options: ScanOption[]]>()
    .reply<[cursor: string, keys: string[]]>(),
  randomkey: command("RANDOMKEY", {
    arity: 1,
    flags: ["readonly"],
    acl: ["@keyspace", "@read", "@slow"],
    tips: ["request_policy:all_shards", "nondeterministic_output"],
    summary: "Returns a random key name from the database.",
  })
    .args<[]>()
    .reply<string | null>(),
  type: command("TYPE", {
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["@keyspace", "@read", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RO"],
    summary: "Determines the type of value stored at a key.",
  })
    .args<[key: Key]>()
    .reply<TypeName>(),
  ttl: command("TTL", {
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["@keyspace", "@read", "@fast"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output"],
    summary: "Returns the expiration time in seconds of a key.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  pttl: command("PTTL", {
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["@keyspace", "@read", "@fast"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output"],
    summary: "Returns the expiration time in milliseconds of a key.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  expiretime: command("EXPIRETIME", {
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["@keyspace", "@read", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns the expiration time of a key as a Unix timestamp.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  pexpiretime: command("PEXPIRETIME", {
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["@keyspace", "@read", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  expire: command("EXPIRE", {
    arity: -3,
    flags: ["write", "fast"],
    acl: ["@keyspace", "@write", "@fast"],
    keys: [1, 1, 1],
    summary: "Sets the expiration time of a key in seconds.",
  })
    .args<[key: Key, seconds: number | string, ...conditions: ExpireCondition[]]>()
    .reply<number>(),
  pexpire: command("PEXPIRE", {
    arity: -3,
    flags: ["write", "fast"],
    acl: ["@keyspace", "@write", "@fast"],
    keys: [1, 1, 1],
    summary: "Sets the expiration time of a key in milliseconds.",
  })
    .args<[key: Key, milliseconds: number | string, ...conditions: ExpireCondition[]]>()
    .reply<number>(),
  expireat: command("EXPIREAT", {
    arity: -3,
    flags: ["write", "fast"],
    acl: ["@keyspace", "@write", "@fast"],
    keys: [1, 1, 1],
    summary: "Sets the expiration time of a key to a Unix timestamp.",
  })
    .args<[key: Key, unixSeconds: number | string, ...conditions: ExpireCondition[]]>()
    .reply<number>(),
  pexpireat: command("PEXPIREAT", {
    arity: -3,
    flags: ["write", "fast"],
    acl: ["@keyspace", "@write", "@fast"],
    keys: [1, 1, 1],
    summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.",
  })
    .args<[key: Key, unixMilliseconds: number | string, ...conditions: ExpireCondition[]]>()
    .reply<number>(),
  persist: command("PERSIST", {
    arity: 2,
    flags: ["write", "fast"],
    acl: ["@keyspace", "@write", "@fast"],
    keys: [1, 1, 1],
    summary: "Removes the expiration time of a key.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  rename: command("RENAME", {
    arity: 3,
    flags: ["write"],
    acl: ["@keyspace", "@write", "@slow"],
    keys: [1, 2, 1],
    summary: "Renames a key and overwrites the destination.",
  })
    .args<[key: Key, newKey: Key]>()
    .reply<"OK">(),
  renamenx: command("RENAMENX", {
    arity: 3,
    flags: ["write", "fast"],
    acl: ["@keyspace", "@write", "@fast"],
    keys: [1, 2, 1],
    summary: "Renames a key only when the target key name doesn't exist.",
  })
    .args<[key: Key, newKey: Key]>()
    .reply<number>(),
  copy: command("COPY", {
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["@keyspace", "@write", "@slow"],
    keys: [1, 2, 1],
    summary: "Copies the value of a key to a new key.",
  })
    .args<[source: Key, destination: Key, ...options: CopyOption[]]>()
    .reply<number>(),
  object: container(
    "OBJECT",
    { arity: -2, flags: [], acl: ["@slow"], summary: "A container for object introspection commands." },
    {
      encoding: command("ENCODING", {
        arity: 3,
        flags: ["readonly"],
        acl: ["@keyspace", "@read", "@slow"],
        keys: [2, 2, 1],
        tips: ["nondeterministic_output"],
        summary: "Returns the internal encoding of a Redis object.",
      })
        .args<[key: Key]>()
        .reply<string | null>(),
      freq: command("FREQ", {
        arity: 3,
        flags: ["readonly"],
        acl: ["@keyspace", "@read", "@slow"],
        keys: [2, 2, 1],
        tips: ["nondeterministic_output"],
        summary: "Returns the logarithmic access frequency counter of a Redis object.",
      })
        .args<[key: Key]>()
        .reply<number | null>(),
      idletime: command("IDLETIME", {
        arity: 3,
        flags: ["readonly"],
        acl: ["@keyspace", "@read", "@slow"],
        keys: [2, 2, 1],
        tips: ["nondeterministic_output"],
        summary: "Returns the time since the last access to a Redis object.",
      })
        .args<[key: Key]>()
        .reply<number | null>(),
      refcount: command("REFCOUNT", {
        arity: 3,
        flags: ["readonly"],
        acl: ["@keyspace", "@read", "@slow"],
        keys: [2, 2, 1],
        tips: ["nondeterministic_output"],
        summary: "Returns the reference count of a value of a key.",
      })
        .args<[key: Key]>()
        .reply<number | null>(),
      help: command("HELP", {
        arity: 2,
        flags: ["loading", "stale"],
        acl: ["@keyspace", "@slow"],
        summary: "Returns helpful text about the different subcommands.",
      })
        .args<[]>()
        .reply<string[]>(),
    },
  )
    .args<[subcommand: "ENCODING" | "FREQ" | "IDLETIME" | "REFCOUNT", key: Key] | [subcommand: "HELP"]>()
    .reply<string | number | null | string[]>(),
} as const;
