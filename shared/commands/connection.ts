// Connection commands (redis.io/commands/?group=connection).
import { command, type Value } from "../command.js";

export const connectionCommands = {
  ping: command("PING", {
    arity: -1,
    flags: ["fast"],
    acl: ["@fast", "@connection"],
    summary: "Returns the server's liveliness response.",
  })
    .args<[message?: Value]>()
    .reply<string>(),
  echo: command("ECHO", {
    arity: 2,
    flags: ["fast"],
    acl: ["@fast", "@connection"],
    summary: "Returns the given string.",
  })
    .args<[message: Value]>()
    .reply<string>(),
  select: command("SELECT", {
    arity: 2,
    flags: ["loading", "stale", "fast"],
    acl: ["@fast", "@connection"],
    summary: "Changes the selected database.",
  })
    .args<[index: number]>()
    .reply<"OK">(),
} as const;
