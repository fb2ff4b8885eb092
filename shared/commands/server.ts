// Server commands (redis.io/commands/?group=server).
import { command, container, type Value } from "../command.js";

const commandSubcommands = {
  count: command("COUNT", {
    arity: 2,
    flags: ["loading", "stale"],
    acl: ["@slow", "@connection"],
    summary: "Returns a count of commands.",
  })
    .args<[]>()
    .reply<number>(),
  info: command("INFO", {
    arity: -2,
    flags: ["loading", "stale"],
    acl: ["@slow", "@connection"],
    tips: ["nondeterministic_output_order"],
    summary: "Returns information about one, multiple or all commands.",
  })
    .args<string[]>()
    .reply<unknown[]>(),
  docs: command("DOCS", {
    arity: -2,
    flags: ["loading", "stale"],
    acl: ["@slow", "@connection"],
    tips: ["nondeterministic_output_order"],
    summary: "Returns documentary information about one, multiple or all commands.",
  })
    .args<string[]>()
    .reply<Record<string, unknown>>(),
  getkeys: command("GETKEYS", {
    arity: -4,
    flags: ["loading", "stale"],
    acl: ["@slow", "@connection"],
    summary: "Extracts the key names from an arbitrary command.",
  })
    .args<[command: string, ...args: Value[]]>()
    .reply<string[]>(),
  list: command("LIST", {
    arity: -2,
    flags: ["loading", "stale"],
    acl: ["@slow", "@connection"],
    tips: ["nondeterministic_output_order"],
    summary: "Returns a list of command names (FILTERBY MODULE | ACLCAT | PATTERN).",
  })
    .args<[] | ["FILTERBY", by: "MODULE" | "ACLCAT" | "PATTERN", value: string]>()
    .reply<string[]>(),
  help: command("HELP", {
    arity: 2,
    flags: ["loading", "stale"],
    acl: ["@slow", "@connection"],
    summary: "Returns helpful text about the different subcommands.",
  })
    .args<[]>()
    .reply<string[]>(),
} as const;

const ADMIN = ["admin", "noscript", "loading", "stale"] as const;
const ADMIN_ACL = ["@admin", "@slow", "@dangerous"] as const;

const configSubcommands = {
  get: command("GET", {
    arity: -3,
    flags: ADMIN,
    acl: ADMIN_ACL,
    summary: "Returns the effective values of configuration parameters.",
  })
    .args<[pattern: string, ...patterns: string[]]>()
    .reply<Record<string, string>>(),
  set: command("SET", {
    arity: -4,
    flags: ADMIN,
    acl: ADMIN_ACL,
    tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
    summary: "Sets configuration parameters in-flight.",
  })
    .args<[name: string, value: Value, ...more: Value[]]>()
    .reply<"OK">(),
  resetstat: command("RESETSTAT", {
    arity: 2,
    flags: ADMIN,
    acl: ADMIN_ACL,
    summary: "Resets the server's statistics.",
  })
    .args<[]>()
    .reply<"OK">(),
  help: command("HELP", {
    arity: 2,
    flags: ["loading", "stale"],
    acl: ["@slow"],
    summary: "Returns helpful text about the different subcommands.",
  })
    .args<[]>()
    .reply<string[]>(),
} as const;

const FLUSH_TIPS = ["request_policy:all_shards", "response_policy:all_succeeded"];

export const serverCommands = {
  command: container(
    "COMMAND",
    {
      arity: -1,
      flags: ["loading", "stale"],
      acl: ["@slow", "@connection"],
      tips: ["nondeterministic_output_order"],
      summary: "Returns detailed information about all commands.",
    },
    commandSubcommands,
  )
    .args<[] | ["COUNT" | "HELP"] | ["INFO" | "DOCS" | "LIST" | "GETKEYS", ...args: Value[]]>()
    .reply<unknown>(),
  info: command("INFO", {
    arity: -1,
    flags: ["loading", "stale"],
    acl: ["@slow", "@dangerous"],
    tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
    summary: "Returns information and statistics about the server.",
  })
    .args<string[]>()
    .reply<string>(),
  config: container("CONFIG", { arity: -2, flags: [], acl: ["@slow"], summary: "A container for server configuration commands." }, configSubcommands)
    .args<["GET", ...patterns: string[]] | ["SET", name: string, value: Value, ...more: Value[]] | ["RESETSTAT" | "HELP"]>()
    .reply<Record<string, string> | "OK" | string[]>(),
  dbsize: command("DBSIZE", {
    arity: 1,
    flags: ["readonly", "fast"],
    acl: ["@keyspace", "@read", "@fast"],
    tips: ["request_policy:all_shards", "response_policy:agg_sum"],
    summary: "Returns the number of keys in the database.",
  })
    .args<[]>()
    .reply<number>(),
  flushall: command("FLUSHALL", {
    arity: -1,
    flags: ["write"],
    acl: ["@keyspace", "@write", "@slow", "@dangerous"],
    tips: FLUSH_TIPS,
    summary: "Removes all keys from all databases.",
  })
    .args<[mode?: "ASYNC" | "SYNC"]>()
    .reply<"OK">(),
  flushdb: command("FLUSHDB", {
    arity: -1,
    flags: ["write"],
    acl: ["@keyspace", "@write", "@slow", "@dangerous"],
    tips: FLUSH_TIPS,
    summary: "Remove all keys from the current database.",
  })
    .args<[mode?: "ASYNC" | "SYNC"]>()
    .reply<"OK">(),
  swapdb: command("SWAPDB", {
    arity: 3,
    flags: ["write", "fast"],
    acl: ["@keyspace", "@write", "@fast", "@dangerous"],
    summary: "Swaps two databases.",
  })
    .args<[index1: number, index2: number]>()
    .reply<"OK">(),
  time: command("TIME", {
    arity: 1,
    flags: ["loading", "stale", "fast"],
    acl: ["@fast"],
    tips: ["nondeterministic_output"],
    summary: "Returns the server time.",
  })
    .args<[]>()
    .reply<[seconds: string, microseconds: string]>(),
  lastsave: command("LASTSAVE", {
    arity: 1,
    flags: ["loading", "stale", "fast"],
    acl: ["@admin", "@fast", "@dangerous"],
    tips: ["nondeterministic_output"],
    summary: "Returns the Unix timestamp of the last successful save to disk (keycast: its start time, as it does not save yet).",
  })
    .args<[]>()
    .reply<number>(),
} as const;
