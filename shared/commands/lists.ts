// Lists commands (redis.io/commands/?group=list).
import { command, type Key, type Value } from "../command.js";

/** LPOS's options, in any order: RANK r | COUNT n | MAXLEN n. */
export type LposOption = "RANK" | "COUNT" | "MAXLEN" | number;
/** LINSERT's position relative to the pivot. */
export type InsertWhere = "BEFORE" | "AFTER";
/** LMOVE's ends: LEFT is the head, RIGHT the tail. */
export type ListEnd = "LEFT" | "RIGHT";

export const listCommands = {
  lpush: command("LPUSH", {
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@list", "@fast"],
    keys: [1, 1, 1],
    summary: "Prepends one or more elements to a list. Creates the key if it doesn't exist.",
  })
    .args<[key: Key, element: Value, ...elements: Value[]]>()
    .reply<number>(),
  rpush: command("RPUSH", {
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@list", "@fast"],
    keys: [1, 1, 1],
    summary: "Appends one or more elements to a list. Creates the key if it doesn't exist.",
  })
    .args<[key: Key, element: Value, ...elements: Value[]]>()
    .reply<number>(),
  lpushx: command("LPUSHX", {
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@list", "@fast"],
    keys: [1, 1, 1],
    summary: "Prepends one or more elements to a list only when the list exists.",
  })
    .args<[key: Key, element: Value, ...elements: Value[]]>()
    .reply<number>(),
  rpushx: command("RPUSHX", {
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@list", "@fast"],
    keys: [1, 1, 1],
    summary: "Appends an element to a list only when the list exists.",
  })
    .args<[key: Key, element: Value, ...elements: Value[]]>()
    .reply<number>(),
  lpop: command("LPOP", {
    arity: -2,
    flags: ["write", "fast"],
    acl: ["@write", "@list", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.",
  })
    .args<[key: Key, count?: number]>()
    .reply<string | string[] | null>(),
  rpop: command("RPOP", {
    arity: -2,
    flags: ["write", "fast"],
    acl: ["@write", "@list", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns and removes the last elements of a list. Deletes the list if the last element was popped.",
  })
    .args<[key: Key, count?: number]>()
    .reply<string | string[] | null>(),
  lrange: command("LRANGE", {
    arity: 4,
    flags: ["readonly"],
    acl: ["@read", "@list", "@slow"],
    keys: [1, 1, 1],
    summary: "Returns a range of elements from a list.",
  })
    .args<[key: Key, start: number, stop: number]>()
    .reply<string[]>(),
  ltrim: command("LTRIM", {
    arity: 4,
    flags: ["write"],
    acl: ["@write", "@list", "@slow"],
    keys: [1, 1, 1],
    summary: "Removes elements from both ends a list. Deletes the list if all elements were trimmed.",
  })
    .args<[key: Key, start: number, stop: number]>()
    .reply<"OK">(),
  llen: command("LLEN", {
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["@read", "@list", "@fast"],
    keys: [1, 1, 1],
    summary: "Returns the length of a list.",
  })
    .args<[key: Key]>()
    .reply<number>(),
  lindex: command("LINDEX", {
    arity: 3,
    flags: ["readonly"],
    acl: ["@read", "@list", "@slow"],
    keys: [1, 1, 1],
    summary: "Returns an element from a list by its index.",
  })
    .args<[key: Key, index: number]>()
    .reply<string | null>(),
  lset: command("LSET", {
    arity: 4,
    flags: ["write", "denyoom"],
    acl: ["@write", "@list", "@slow"],
    keys: [1, 1, 1],
    summary: "Sets the value of an element in a list by its index.",
  })
    .args<[key: Key, index: number, element: Value]>()
    .reply<"OK">(),
  lrem: command("LREM", {
    arity: 4,
    flags: ["write"],
    acl: ["@write", "@list", "@slow"],
    keys: [1, 1, 1],
    summary: "Removes elements from a list. Deletes the list if the last element was removed.",
  })
    .args<[key: Key, count: number, element: Value]>()
    .reply<number>(),
  linsert: command("LINSERT", {
    arity: 5,
    flags: ["write", "denyoom"],
    acl: ["@write", "@list", "@slow"],
    keys: [1, 1, 1],
    summary: "Inserts an element before or after another element in a list.",
  })
    .args<[key: Key, where: InsertWhere, pivot: Value, element: Value]>()
    .reply<number>(),
  lpos: command("LPOS", {
    arity: -3,
    flags: ["readonly"],
    acl: ["@read", "@list", "@slow"],
    keys: [1, 1, 1],
    summary: "Returns the index of matching elements in a list.",
  })
    .args<[key: Key, element: Value, ...options: LposOption[]]>()
    .reply<number | number[] | null>(),
  lmove: command("LMOVE", {
    arity: 5,
    flags: ["write", "denyoom"],
    acl: ["@write", "@list", "@slow"],
    keys: [1, 2, 1],
    summary: "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.",
  })
    .args<[source: Key, destination: Key, wherefrom: ListEnd, whereto: ListEnd]>()
    .reply<string | null>(),
  rpoplpush: command("RPOPLPUSH", {
    arity: 3,
    flags: ["write", "denyoom"],
    acl: ["@write", "@list", "@slow"],
    keys: [1, 2, 1],
    summary: "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.",
  })
    .args<[source: Key, destination: Key]>()
    .reply<string | null>(),
  lmpop: command("LMPOP", {
    arity: -4,
    flags: ["write", "movablekeys"],
    acl: ["@write", "@list", "@slow"],
    keynum: [1, 2, 1],
    keySpecFlags: ["RW", "access", "delete"],
    summary: "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.",
  })
    .args<[numkeys: number, ...keysWhereCount: (Key | ListEnd | "COUNT" | number)[]]>()
    .reply<[key: string, elements: string[]] | null>(),
  // The blocking pops. Over WebSocket a pop that waits blocks only itself: the connection's
  // other commands go on, and its promise resolves when the pop happens (null at the timeout).
  blpop: command("BLPOP", {
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    acl: ["@write", "@list", "@slow", "@blocking"],
    keys: [1, -2, 1],
    keySpecFlags: ["RW", "access", "delete"],
    summary: "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.",
  })
    .args<[...keysThenTimeout: (Key | number)[]]>()
    .reply<[key: string, element: string] | null>(),
  brpop: command("BRPOP", {
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    acl: ["@write", "@list", "@slow", "@blocking"],
    keys: [1, -2, 1],
    keySpecFlags: ["RW", "access", "delete"],
    summary: "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.",
  })
    .args<[...keysThenTimeout: (Key | number)[]]>()
    .reply<[key: string, element: string] | null>(),
  brpoplpush: command("BRPOPLPUSH", {
    arity: 4,
    flags: ["write", "denyoom", "noscript", "blocking"],
    acl: ["@write", "@list", "@slow", "@blocking"],
    keys: [1, 2, 1],
    summary: "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.",
  })
    .args<[source: Key, destination: Key, timeout: number]>()
    .reply<string | null>(),
  blmove: command("BLMOVE", {
    arity: 6,
    flags: ["write", "denyoom", "noscript", "blocking"],
    acl: ["@write", "@list", "@slow", "@blocking"],
    keys: [1, 2, 1],
    summary: "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.",
  })
    .args<[source: Key, destination: Key, wherefrom: ListEnd, whereto: ListEnd, timeout: number]>()
    .reply<string | null>(),
  blmpop: command("BLMPOP", {
    arity: -5,
    flags: ["write", "blocking", "movablekeys"],
    acl: ["@write", "@list", "@slow", "@blocking"],
    keynum: [2, 3, 1],
    keySpecFlags: ["RW", "access", "delete"],
    summary: "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.",
  })
    .args<[timeout: number, numkeys: number, ...keysWhereCount: (Key | ListEnd | "COUNT" | number)[]]>()
    .reply<[key: string, elements: string[]] | null>(),
} as const;
