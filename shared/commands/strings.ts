// String commands (redis.io/commands/?group=string).
import { command, type Key, type Value } from "../command.js";

/** SET's options, in any order: EX s | PX ms | EXAT t | PXAT t | NX | XX | KEEPTTL | GET. */
export type SetOption = "EX" | "PX" | "EXAT" | "PXAT" | "NX" | "XX" | "KEEPTTL" | "GET" | number;
/** GETEX's options: one of EX s | PX ms | EXAT t | PXAT t | PERSIST. */
export type GetExOption = "EX" | "PX" | "EXAT" | "PXAT" | "PERSIST" | number;

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
  setex: command("SETEX", {
    arity: 4,
    flags: ["write", "denyoom"],
    acl: ["@write", "@string", "@slow"],
    keys: [1, 1, 1],
    summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
  })
    .args<[key: Key, seconds: number | string, value: Value]>()
    .reply<"OK">(),
  psetex: command("PSETEX", {
    arity: 4,
    flags: ["write", "denyoom"],
    acl: ["@write", "@string", "@slow"],
    keys: [1, 1, 1],
    summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
  })
    .args<[key: Key, milliseconds: number | string, value: Value]>()
    .reply<"OK">(),
  setnx: command("SETNX", {
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Set the string value of a key only when the key doesn't exist.",
  })
    .args<[key: Key, value: Value]>()
    .reply<number>(),
  getset: command("GETSET", {
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns the previous string value of a key after setting it to a new value.",
  })
    .args<[key: Key, value: Value]>()
    .reply<string | null>(),
  getdel: command("GETDEL", {
    arity: 2,
    flags: ["write", "fast"],
    acl: ["@write", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns the string value of a key after deleting the key.",
  })
    .args<[key: Key]>()
    .reply<string | null>(),
  getex: command("GETEX", {
    arity: -2,
    flags: ["write", "fast"],
    acl: ["@write", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns the string value of a key after setting its expiration time.",
  })
    .args<[key: Key, ...options: GetExOption[]]>()
    .reply<string | null>(),
  mget: command("MGET", {
    arity: -2,
    flags: ["readonly", "fast"],
    acl: ["@read", "@string", "@fast"],
    keys: [1, -1, 1],
    summary: "Atomically returns the string values of one or more keys.",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<(string | null)[]>(),
  mset: command("MSET", {
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["@write", "@string", "@slow"],
    keys: [1, -1, 2],
    summary: "Atomically creates or modifies the string values of one or more keys.",
  })
    .args<[key: Key, value: Value, ...keysAndValues: Value[]]>()
    .reply<"OK">(),
  msetnx: command("MSETNX", {
    arity: -3,
    flags: ["write", "denyoom"],
    acl: ["@write", "@string", "@slow"],
    keys: [1, -1, 2],
    summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.",
  })
    .args<[key: Key, value: Value, ...keysAndValues: Value[]]>()
    .reply<number>(),
  incr: command("INCR", {
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  incrby: command("INCRBY", {
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
  })
    .args<[key: Key, increment: number | string]>()
    .reply<number>(),
  decr: command("DECR", {
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  decrby: command("DECRBY", {
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
  })
    .args<[key: Key, decrement: number | string]>()
    .reply<number>(),
  incrbyfloat: command("INCRBYFLOAT", {
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
  })
    .args<[key: Key, increment: number | string]>()
    .reply<string>(),
  append: command("APPEND", {
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.",
  })
    .args<[key: Key, value: Value]>()
    .reply<number>(),
  strlen: command("STRLEN", {
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["@read", "@string", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns the length of a string value.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  getrange: command("GETRANGE", {
    arity: 4,
    flags: ["readonly"],
    acl: ["@read", "@string", "@slow"],
    keys: [1, 1, 1],
    summary: "Returns a substring of the string stored at a key.",
  })
    .args<[key: Key, start: number, end: number]>()
    .reply<string>(),
  setrange: command("SETRANGE", {
    arity: 4,
    flags: ["write", "denyoom"],
    acl: ["@write", "@string", "@slow"],
    keys: [1, 1, 1],
    summary: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
  })
    .args<[key: Key, offset: number, value: Value]>()
    .reply<number>(),
} as const;
