// HyperLogLog commands (redis.io/commands/?group=hyperloglog). The HLL is a string value in
// Redis's own layout: GET returns it, SET of such bytes makes one.
import { command, type Key, type Value } from "../command.js";

export const hyperloglogCommands = {
  pfadd: command("PFADD", {
    arity: -2,
    flags: ["write", "denyoom", "fast"],
    acl: ["@write", "@hyperloglog", "@fast"],
    keys: [1, 1, 1],
    keySpecFlags: ["RW", "insert"],
    summary: "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.",
  })
    .args<[key: Key, ...elements: Value[]]>()
    .reply<0 | 1>(),
  pfcount: command("PFCOUNT", {
    arity: -2,
    flags: ["readonly"],
    acl: ["@read", "@hyperloglog", "@slow"],
    keys: [1, -1, 1],
    keySpecList: [
      {
        notes: "RW because it may change the internal representation of the key, and propagate to replicas",
        flags: ["RW", "access"],
        index: 1,
        lastkey: -1,
        keystep: 1,
      },
    ],
    summary: "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).",
  })
    .args<[key: Key, ...keys: Key[]]>()
    .reply<number>(),
  pfmerge: command("PFMERGE", {
    arity: -2,
    flags: ["write", "denyoom"],
    acl: ["@write", "@hyperloglog", "@slow"],
    keys: [1, -1, 1],
    keySpecList: [
      { flags: ["RW", "access", "insert"], index: 1, lastkey: 0, keystep: 1 },
      { flags: ["RO", "access"], index: 2, lastkey: -1, keystep: 1 },
    ],
    summary: "Merges one or more HyperLogLog values into a single key.",
  })
    .args<[destkey: Key, ...sourcekeys: Key[]]>()
    .reply<"OK">(),
  pfdebug: command("PFDEBUG", {
    arity: 3,
    flags: ["write", "denyoom", "admin"],
    acl: ["@write", "@hyperloglog", "@admin", "@slow", "@dangerous"],
    keys: [2, 2, 1],
    keySpecFlags: ["RW", "access"],
    summary: "Internal commands for debugging HyperLogLog values.",
  })
    .args<[subcommand: "GETREG" | "DECODE" | "ENCODING" | "TODENSE", key: Key]>()
    .reply<number[] | string | "dense" | "sparse" | 0 | 1>(),
  pfselftest: command("PFSELFTEST", {
    arity: 1,
    flags: ["admin"],
    acl: ["@hyperloglog", "@admin", "@slow", "@dangerous"],
    summary: "An internal command for testing HyperLogLog values.",
  })
    .args<[]>()
    .reply<"OK">(),
};
