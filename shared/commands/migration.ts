// Moving keys between servers and databases (redis.io/commands/?group=generic): DUMP and
// RESTORE in Redis 7.0's serialization format, MOVE, and WAIT (no replicas: it answers 0).
import { command, type Key, type Value } from "../command.js";

/** RESTORE's options, in any order: REPLACE | ABSTTL | IDLETIME seconds | FREQ frequency. */
export type RestoreOption = "REPLACE" | "ABSTTL" | "IDLETIME" | "FREQ" | number;

export const migrationCommands = {
  dump: command("DUMP", {
    arity: 2,
    flags: ["readonly"],
    acl: ["@keyspace", "@read", "@slow"],
    keys: [1, 1, 1],
    tips: ["nondeterministic_output"],
    keySpecFlags: ["RO", "access"],
    summary: "Returns a serialized representation of the value stored at a key.",
  })
    .args<[key: Key]>()
    .reply<string | null>(),
  restore: command("RESTORE", {
    arity: -4,
    flags: ["write", "denyoom"],
    acl: ["@keyspace", "@write", "@slow", "@dangerous"],
    keys: [1, 1, 1],
    keySpecFlags: ["OW", "update"],
    summary: "Creates a key from the serialized representation of a value.",
  })
    .args<[key: Key, ttl: number, serializedValue: Value, ...options: RestoreOption[]]>()
    .reply<"OK">(),
  move: command("MOVE", {
    arity: 3,
    flags: ["write", "fast"],
    acl: ["@keyspace", "@write", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "access", "update"],
    summary: "Moves a key to another database.",
  })
    .args<[key: Key, db: number]>()
    .reply<number>(),
  wait: command("WAIT", {
    arity: 3,
    flags: ["noscript"],
    acl: ["@slow", "@connection"],
    tips: ["request_policy:all_shards", "response_policy:agg_min"],
    summary: "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.",
  })
    .args<[numreplicas: number, timeout: number]>()
    .reply<number>(),
} as const;
