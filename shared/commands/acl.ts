// ACL commands (redis.io/commands/?group=server, the ACL container): users, their rules, the log.
import { command, container, type Value } from "../command.js";

const ADMIN = ["admin", "noscript", "loading", "stale"] as const;
const ADMIN_ACL = ["@admin", "@slow", "@dangerous"] as const;
const PLAIN = ["noscript", "loading", "stale"] as const;

/** ACL GETUSER's reply: flags, password hashes, rules, and the extra selectors. */
export interface AclUserInfo {
  flags: string[];
  passwords: string[];
  commands: string;
  keys: string;
  channels: string;
  selectors: { commands: string; keys: string; channels: string }[];
}

const aclSubcommands = {
  cat: command("CAT", { arity: -2, flags: PLAIN, acl: ["@slow"], summary: "Lists the ACL categories, or the commands inside a category." })
    .args<[category?: string]>()
    .reply<string[]>(),
  deluser: command("DELUSER", { arity: -3, flags: ADMIN, acl: ADMIN_ACL, summary: "Deletes ACL users, and terminates their connections." })
    .args<[username: Value, ...usernames: Value[]]>()
    .reply<number>(),
  dryrun: command("DRYRUN", {
    arity: -4,
    flags: ADMIN,
    acl: ADMIN_ACL,
    summary: "Simulates the execution of a command by a user, without executing the command.",
  })
    .args<[username: Value, command: string, ...args: Value[]]>()
    .reply<string>(),
  genpass: command("GENPASS", { arity: -2, flags: PLAIN, acl: ["@slow"], summary: "Generates a pseudorandom, secure password that can be used to identify ACL users." })
    .args<[bits?: number]>()
    .reply<string>(),
  getuser: command("GETUSER", { arity: 3, flags: ADMIN, acl: ADMIN_ACL, summary: "Lists the ACL rules of a user." })
    .args<[username: Value]>()
    .reply<Record<string, unknown> | null>(),
  list: command("LIST", { arity: 2, flags: ADMIN, acl: ADMIN_ACL, summary: "Dumps the effective rules in ACL file format." })
    .args<[]>()
    .reply<string[]>(),
  load: command("LOAD", { arity: 2, flags: ADMIN, acl: ADMIN_ACL, summary: "Reloads the rules from the configured ACL file." })
    .args<[]>()
    .reply<"OK">(),
  log: command("LOG", { arity: -2, flags: ADMIN, acl: ADMIN_ACL, summary: "Lists recent security events generated due to ACL rules." })
    .args<[count?: number | "RESET"]>()
    .reply<Record<string, unknown>[] | "OK">(),
  save: command("SAVE", { arity: 2, flags: ADMIN, acl: ADMIN_ACL, summary: "Saves the effective ACL rules in the configured ACL file." })
    .args<[]>()
    .reply<"OK">(),
  setuser: command("SETUSER", { arity: -3, flags: ADMIN, acl: ADMIN_ACL, summary: "Creates and modifies an ACL user and its rules." })
    .args<[username: Value, ...rules: string[]]>()
    .reply<"OK">(),
  users: command("USERS", { arity: 2, flags: ADMIN, acl: ADMIN_ACL, summary: "Lists all ACL users." })
    .args<[]>()
    .reply<string[]>(),
  whoami: command("WHOAMI", { arity: 2, flags: PLAIN, acl: ["@slow"], summary: "Returns the authenticated username of the current connection." })
    .args<[]>()
    .reply<string>(),
  help: command("HELP", { arity: 2, flags: ["loading", "stale"], acl: ["@slow"], summary: "Returns helpful text about the different subcommands." })
    .args<[]>()
    .reply<string[]>(),
} as const;

export const aclCommands = {
  acl: container("ACL", { arity: -2, flags: [], acl: ["@slow"], summary: "A container for Access List Control commands." }, aclSubcommands)
    .args<
      | ["WHOAMI" | "LIST" | "USERS" | "LOAD" | "SAVE" | "HELP"]
      | ["CAT", category?: string]
      | ["GETUSER", username: Value]
      | ["SETUSER", username: Value, ...rules: string[]]
      | ["DELUSER", username: Value, ...usernames: Value[]]
      | ["DRYRUN", username: Value, command: string, ...args: Value[]]
      | ["GENPASS", bits?: number]
      | ["LOG", countOrReset?: number | "RESET"]
    >()
    .reply<unknown>(),
} as const;
