// Generic keyspace commands (redis.io/commands/?group=generic).
import { command, type Key } from "../command.js";

export const keyCommands = {
  del: command("DEL", {
    arity: -2,
    flags: ["write"],
    acl: ["@keyspace", "@write", "@slow"],
    keys: [1, -1, 1],
    summary: "Deletes one or more keys.",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<number>(),
  exists: command("EXISTS", {
    arity: -2,
    flags: ["readonly", "fast"],
    acl: ["@keyspace", "@read", "@fast"],
    keys: [1, -1, 1],
    summary: "Determines whether one or more keys exist.",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<number>(),
} as const;
