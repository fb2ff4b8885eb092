// Server commands (redis.io/commands/?group=server).
import { command, container, type Key, type Value } from "../command.js";

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
  rewrite: command("REWRITE", {
    arity: 2,
    flags: ADMIN,
    acl: ADMIN_ACL,
    summary: "Persists the effective configuration to file.",
  })
    .args<[]>()
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

const SLOWLOG_FLAGS = ["admin", "loading", "stale"] as const;

/** One SLOWLOG GET entry: id, unix time, microseconds, arguments, client address, client name. */
export type SlowlogEntry = [id: number, time: number, microseconds: number, args: string[], addr: string, name: string];

// In the order Redis 7.0's COMMAND INFO lists them.
const slowlogSubcommands = {
  len: command("LEN", {
    arity: 2,
    flags: SLOWLOG_FLAGS,
    acl: ADMIN_ACL,
    tips: ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
    summary: "Returns the number of entries in the slow log.",
  })
    .args<[]>()
    .reply<number>(),
  reset: command("RESET", {
    arity: 2,
    flags: SLOWLOG_FLAGS,
    acl: ADMIN_ACL,
    tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
    summary: "Clears all entries from the slow log.",
  })
    .args<[]>()
    .reply<"OK">(),
  help: command("HELP", {
    arity: 2,
    flags: ["loading", "stale"],
    acl: ["@slow"],
    summary: "Show helpful text about the different subcommands",
  })
    .args<[]>()
    .reply<string[]>(),
  get: command("GET", {
    arity: -2,
    flags: SLOWLOG_FLAGS,
    acl: ADMIN_ACL,
    tips: ["request_policy:all_nodes", "nondeterministic_output"],
    summary: "Returns the slow log's entries.",
  })
    .args<[count?: number]>()
    .reply<SlowlogEntry[]>(),
} as const;

const MEMORY_REPORT_TIPS = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"];

// In the order Redis 7.0's COMMAND INFO lists them.
const memorySubcommands = {
  purge: command("PURGE", {
    arity: 2,
    flags: [],
    acl: ["@slow"],
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    summary: "Asks the allocator to release memory.",
  })
    .args<[]>()
    .reply<"OK">(),
  doctor: command("DOCTOR", { arity: 2, flags: [], acl: ["@slow"], tips: MEMORY_REPORT_TIPS, summary: "Outputs a memory problems report." })
    .args<[]>()
    .reply<string>(),
  help: command("HELP", {
    arity: 2,
    flags: ["loading", "stale"],
    acl: ["@slow"],
    summary: "Returns helpful text about the different subcommands.",
  })
    .args<[]>()
    .reply<string[]>(),
  "malloc-stats": command("MALLOC-STATS", { arity: 2, flags: [], acl: ["@slow"], tips: MEMORY_REPORT_TIPS, summary: "Returns the allocator statistics." })
    .args<[]>()
    .reply<string>(),
  usage: command("USAGE", {
    arity: -3,
    flags: ["readonly"],
    acl: ["@read", "@slow"],
    keys: [2, 2, 1],
    keySpecFlags: ["RO"],
    summary: "Estimates the memory usage of a key (keycast's estimate: see docs/operations.md).",
  })
    .args<[key: Key, samples?: "SAMPLES", count?: number]>()
    .reply<number | null>(),
  stats: command("STATS", { arity: 2, flags: [], acl: ["@slow"], tips: MEMORY_REPORT_TIPS, summary: "Returns details about memory usage." })
    .args<[]>()
    .reply<Record<string, unknown>>(),
} as const;

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
    .args<["GET", ...patterns: string[]] | ["SET", name: string, value: Value, ...more: Value[]] | ["RESETSTAT" | "REWRITE" | "HELP"]>()
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
    summary: "Returns the Unix timestamp of the last successful save to disk.",
  })
    .args<[]>()
    .reply<number>(),
  save: command("SAVE", {
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    acl: ADMIN_ACL,
    summary: "Synchronously saves the database(s) to disk.",
  })
    .args<[]>()
    .reply<"OK">(),
  bgsave: command("BGSAVE", {
    arity: -1,
    flags: ["admin", "noscript", "no_async_loading"],
    acl: ADMIN_ACL,
    summary: "Asynchronously saves the database(s) to disk.",
  })
    .args<[schedule?: "SCHEDULE"]>()
    .reply<string>(),
  bgrewriteaof: command("BGREWRITEAOF", {
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading"],
    acl: ADMIN_ACL,
    summary: "Asynchronously rewrites the append-only file to disk.",
  })
    .args<[]>()
    .reply<string>(),
  shutdown: command("SHUTDOWN", {
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    acl: ADMIN_ACL,
    summary: "Synchronously saves the database(s) to disk and shuts down the server.",
  })
    .args<("NOSAVE" | "SAVE" | "NOW" | "FORCE" | "ABORT")[]>()
    .reply<"OK">(),
  slowlog: container("SLOWLOG", { arity: -2, flags: [], acl: ["@slow"], summary: "A container for slow log commands." }, slowlogSubcommands)
    .args<["GET", count?: number] | ["LEN" | "RESET" | "HELP"]>()
    .reply<SlowlogEntry[] | number | "OK" | string[]>(),
  monitor: command("MONITOR", {
    arity: 1,
    flags: ["admin", "noscript", "loading", "stale"],
    acl: ADMIN_ACL,
    transports: ["resp"],
    summary: "Listens for all requests received by the server in real-time.",
  })
    .args<[]>()
    .reply<"OK">(),
  memory: container("MEMORY", { arity: -2, flags: [], acl: ["@slow"], summary: "A container for memory diagnostics commands." }, memorySubcommands)
    .args<["USAGE", key: Key, ...opts: ["SAMPLES", number] | []] | ["HELP" | "STATS" | "DOCTOR" | "PURGE" | "MALLOC-STATS"]>()
    .reply<number | null | string[] | string | "OK" | Record<string, unknown>>(),
} as const;
