// What a server says about itself (redis.io/commands/?group=server): ROLE and LOLWUT.
import { command, type Value } from "../command.js";

export const instanceCommands = {
  role: command("ROLE", {
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast"],
    acl: ["@admin", "@fast", "@dangerous"],
    summary: "Returns the replication role.",
  })
    .args<[]>()
    .reply<[role: "master", offset: number, replicas: unknown[]]>(),
  lolwut: command("LOLWUT", {
    arity: -1,
    flags: ["readonly", "fast"],
    acl: ["@read", "@fast"],
    summary: "Displays computer art and the Redis version",
  })
    .args<[] | ["VERSION", version: number, ...params: Value[]]>()
    .reply<string>(),
} as const;
