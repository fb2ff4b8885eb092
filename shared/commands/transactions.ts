// Transactions (redis.io/commands/?group=transactions). RESP only: over WebSocket an atomic
// batch does the same in one frame.
import { command, type Key } from "../command.js";

const RESP_ONLY = ["resp"] as const;
const FLAGS = ["noscript", "loading", "stale", "fast", "allow_busy"] as const;

export const transactionCommands = {
  multi: command("MULTI", {
    arity: 1,
    flags: FLAGS,
    acl: ["@fast", "@transaction"],
    transports: RESP_ONLY,
    summary: "Starts a transaction.",
  })
    .args<[]>()
    .reply<"OK">(),
  exec: command("EXEC", {
    arity: 1,
    flags: ["noscript", "loading", "stale", "skip_slowlog"],
    acl: ["@slow", "@transaction"],
    transports: RESP_ONLY,
    summary: "Executes all commands in a transaction.",
  })
    .args<[]>()
    .reply<unknown[] | null>(),
  discard: command("DISCARD", {
    arity: 1,
    flags: FLAGS,
    acl: ["@fast", "@transaction"],
    transports: RESP_ONLY,
    summary: "Discards a transaction.",
  })
    .args<[]>()
    .reply<"OK">(),
  watch: command("WATCH", {
    arity: -2,
    flags: FLAGS,
    acl: ["@fast", "@transaction"],
    keys: [1, -1, 1],
    keySpecFlags: ["RO"],
    transports: RESP_ONLY,
    summary: "Monitors changes to keys to determine the execution of a transaction.",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<"OK">(),
  unwatch: command("UNWATCH", {
    arity: 1,
    flags: FLAGS,
    acl: ["@fast", "@transaction"],
    transports: RESP_ONLY,
    summary: "Forgets about all watched keys.",
  })
    .args<[]>()
    .reply<"OK">(),
} as const;
