// String commands (redis.io/commands/?group=string).
import { command, type Key, type Value } from "../command.js";

/** SET's options, in any order: EX s | PX ms | EXAT t | PXAT t | NX | XX | KEEPTTL | GET. */
export type SetOption = "EX" | "PX" | "EXAT" | "PXAT" | "NX" | "XX" | "KEEPTTL" | "GET" | number;

export const stringCommands = {
  get: command("GET", {
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["@read", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns the string value of a key.",
  })
    .args<[key: Key]>()
    .reply<string | null>(),
  set: command("SET", {
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["@write", "@string", "@slow"],
    keys: [1, 1, 1],
    summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
  })
    .args<[key: Key, value: Value, ...options: SetOption[]]>()
    .reply<"OK" | string | null>(),
} as const;
