// Connection commands (redis.io/commands/?group=connection).
import { command, container, type Value } from "../command.js";

/** CLIENT's subcommands: each with Redis 7's arity, flags and ACL categories. */
const clientSubcommands = {
  id: command("ID", {
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    acl: ["@slow", "@connection"],
    summary: "Returns the unique client ID of the connection.",
  })
    .args<[]>()
    .reply<number>(),
  setname: command("SETNAME", {
    arity: 3,
    flags: ["noscript", "loading", "stale"],
    acl: ["@slow", "@connection"],
    summary: "Sets the connection name.",
  })
    .args<[name: Value]>()
    .reply<"OK">(),
  getname: command("GETNAME", {
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    acl: ["@slow", "@connection"],
    summary: "Returns the name of the connection.",
  })
    .args<[]>()
    .reply<string | null>(),
  list: command("LIST", {
    arity: -2,
    flags: ["admin", "noscript", "loading", "stale"],
    acl: ["@admin", "@slow", "@dangerous", "@connection"],
    tips: ["nondeterministic_output"],
    summary: "Lists open connections.",
  })
    .args<Value[]>()
    .reply<string>(),
  info: command("INFO", {
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    acl: ["@slow", "@connection"],
    tips: ["nondeterministic_output"],
    summary: "Returns information about the connection.",
  })
    .args<[]>()
    .reply<string>(),
  kill: command("KILL", {
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    acl: ["@admin", "@slow", "@dangerous", "@connection"],
    summary: "Terminates open connections.",
  })
    .args<Value[]>()
    .reply<"OK" | number>(),
  unblock: command("UNBLOCK", {
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    acl: ["@admin", "@slow", "@dangerous", "@connection"],
    summary: "Unblocks a client blocked by a blocking command from a different connection.",
  })
    .args<[clientId: number, reason?: "TIMEOUT" | "ERROR"]>()
    .reply<0 | 1>(),
  "no-evict": command("NO-EVICT", {
    arity: 3,
    flags: ["admin", "noscript", "loading", "stale"],
    acl: ["@admin", "@slow", "@dangerous", "@connection"],
    summary: "Sets the client eviction mode of the connection.",
  })
    .args<[mode: "ON" | "OFF"]>()
    .reply<"OK">(),
  setinfo: command("SETINFO", {
    arity: 4,
    flags: ["noscript", "loading", "stale"],
    acl: ["@slow", "@connection"],
    summary: "Sets information specific to the client or connection (LIB-NAME, LIB-VER).",
  })
    .args<[attr: "LIB-NAME" | "LIB-VER", value: Value]>()
    .reply<"OK">(),
  help: command("HELP", {
    arity: 2,
    flags: ["loading", "stale"],
    acl: ["@slow", "@connection"],
    summary: "Returns helpful text about the different subcommands.",
  })
    .args<[]>()
    .reply<string[]>(),
} as const;

/** HELLO, QUIT and RESET exist only on a RESP connection: the WebSocket protocol has its own handshake and close. */
const RESP_ONLY = ["resp"] as const;

export const connectionCommands = {
  ping: command("PING", {
    arity: -1,
    flags: ["fast"],
    acl: ["@fast", "@connection"],
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    summary: "Returns the server's liveliness response.",
  })
    .args<[message?: Value]>()
    .reply<string>(),
  echo: command("ECHO", {
    arity: 2,
    flags: ["loading", "stale", "fast"],
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
  auth: command("AUTH", {
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    acl: ["@fast", "@connection"],
    summary: "Authenticates the connection.",
  })
    .args<[password: Value] | [username: Value, password: Value]>()
    .reply<"OK">(),
  hello: command("HELLO", {
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    acl: ["@fast", "@connection"],
    transports: RESP_ONLY,
    summary: "Handshakes with the server: selects the RESP version, optionally authenticates and names the connection.",
  })
    .args<[protover?: 2 | 3, ...options: Value[]]>()
    .reply<Record<string, string | number | unknown[]>>(),
  quit: command("QUIT", {
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    acl: ["@fast", "@connection"],
    transports: RESP_ONLY,
    summary: "Closes the connection.",
  })
    .args<[]>()
    .reply<"OK">(),
  reset: command("RESET", {
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    acl: ["@fast", "@connection"],
    transports: RESP_ONLY,
    summary: "Resets the connection: ends MULTI, forgets WATCHed keys, RESP2, database 0, no name.",
  })
    .args<[]>()
    .reply<"RESET">(),
  client: container(
    "CLIENT",
    { arity: -2, flags: [], acl: ["@slow"], summary: "A container for client connection commands." },
    clientSubcommands,
  )
    .args<
      | ["ID" | "GETNAME" | "INFO" | "HELP"]
      | ["SETNAME", name: Value]
      | ["LIST", ...filters: Value[]]
      | ["KILL", ...filters: Value[]]
      | ["NO-EVICT", mode: "ON" | "OFF"]
      | ["SETINFO", attr: "LIB-NAME" | "LIB-VER", value: Value]
    >()
    .reply<number | string | null | string[]>(),
} as const;

