// LCS and SUBSTR (redis.io/commands/?group=string).
import { command, type Key } from "../command.js";

/** LCS's options: LEN | IDX | MINMATCHLEN len | WITHMATCHLEN. */
export type LcsOption = "LEN" | "IDX" | "MINMATCHLEN" | "WITHMATCHLEN" | number;
/** One IDX match: the range in each string, then its length with WITHMATCHLEN. */
export type LcsMatch = [a: [number, number], b: [number, number], length?: number];

export const lcsCommands = {
  lcs: command("LCS", {
    arity: -3,
    flags: ["readonly"],
    acl: ["@read", "@string", "@slow"],
    keys: [1, 2, 1],
    summary: "Finds the longest common substring.",
  })
    .args<[key1: Key, key2: Key, ...options: LcsOption[]]>()
    .reply<string | number | { matches: LcsMatch[]; len: number }>(),
  substr: command("SUBSTR", {
    arity: 4,
    flags: ["readonly"],
    acl: ["@read", "@string", "@slow"],
    keys: [1, 1, 1],
    summary: "Returns a substring from a string value.",
  })
    .args<[key: Key, start: number, end: number]>()
    .reply<string>(),
} as const;
