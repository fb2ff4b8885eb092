// SORT and SORT_RO (redis.io/commands/?group=generic): a list, set or sorted set sorted by
// itself or by other keys' values, projected through GET patterns, optionally stored.
import { command, type Key, type Value } from "../command.js";

/** SORT's options: BY pattern, LIMIT offset count, GET pattern (repeated), ASC|DESC, ALPHA, STORE destination. */
export type SortOption = "BY" | "LIMIT" | "GET" | "ASC" | "DESC" | "ALPHA" | "STORE" | Value;

export const sortCommands = {
  sort: command("SORT", {
    arity: -2,
    flags: ["write", "denyoom", "movablekeys"],
    acl: ["@write", "@set", "@sortedset", "@list", "@slow", "@dangerous"],
    keys: [1, 1, 1],
    keySpecFlags: ["RO", "access"],
    summary: "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.",
  })
    .args<[key: Key, ...options: SortOption[]]>()
    .reply<(string | null)[] | number>(),
  sort_ro: command("SORT_RO", {
    arity: -2,
    flags: ["readonly", "movablekeys"],
    acl: ["@read", "@set", "@sortedset", "@list", "@slow", "@dangerous"],
    keys: [1, 1, 1],
    keySpecFlags: ["RO", "access"],
    summary: "Returns the sorted elements of a list, a set, or a sorted set.",
  })
    .args<[key: Key, ...options: Exclude<SortOption, "STORE">[]]>()
    .reply<(string | null)[]>(),
} as const;
