// The command table: every command keycast knows, keyed by its lower-case name.
// The server's dispatcher and the client's methods are both derived from this object.
import type { RespOnly } from "../command.js";
import { aclCommands } from "./acl.js";
import { connectionCommands } from "./connection.js";
import { hashCommands } from "./hashes.js";
import { hyperloglogCommands } from "./hyperloglog.js";
import { instanceCommands } from "./instance.js";
import { keyCommands } from "./keys.js";
import { latencyCommands } from "./latency.js";
import { lcsCommands } from "./lcs.js";
import { listCommands } from "./lists.js";
import { migrationCommands } from "./migration.js";
import { pubsubCommands } from "./pubsub.js";
import { serverCommands } from "./server.js";
import { setCommands } from "./sets.js";
import { sortCommands } from "./sort.js";
import { stringCommands } from "./strings.js";
import { transactionCommands } from "./transactions.js";
import { zsetCommands } from "./zsets.js";

/** The declarations by group, as Redis's documentation groups them. */
export const commandGroups = {
  keys: keyCommands,
  strings: stringCommands,
  lists: listCommands,
  sets: setCommands,
  hashes: hashCommands,
  zsets: zsetCommands,
  pubsub: pubsubCommands,
  connection: connectionCommands,
  server: serverCommands,
  transactions: transactionCommands,
  acl: aclCommands,
  hyperloglog: hyperloglogCommands,
  migration: migrationCommands,
  sort: sortCommands,
  lcs: lcsCommands,
  instance: instanceCommands,
  latency: latencyCommands,
} as const;

/** Redis's documentation group of each declaration group (COMMAND DOCS, the CLI's `help @group`). */
export const redisGroupNames: Readonly<Record<keyof typeof commandGroups, string>> = {
  keys: "generic",
  strings: "string",
  lists: "list",
  sets: "set",
  hashes: "hash",
  zsets: "sorted-set",
  pubsub: "pubsub",
  connection: "connection",
  server: "server",
  transactions: "transactions",
  acl: "server",
  hyperloglog: "hyperloglog",
  migration: "generic",
  sort: "generic",
  lcs: "string",
  instance: "server",
  latency: "server",
};

export const commands = {
  ...keyCommands,
  ...stringCommands,
  ...listCommands,
  ...setCommands,
  ...hashCommands,
  ...zsetCommands,
  ...pubsubCommands,
  ...connectionCommands,
  ...serverCommands,
  ...transactionCommands,
  ...aclCommands,
  ...hyperloglogCommands,
  ...migrationCommands,
  ...sortCommands,
  ...lcsCommands,
  ...instanceCommands,
  ...latencyCommands,
} as const;

export type Commands = typeof commands;
export type AnyCommandName = keyof Commands;
/**
 * The commands a WebSocket client can send, and so has methods for: all but those declared
 * RESP-only (MULTI, WATCH, HELLO...), whose names mean something else there (`kc.watch`,
 * `batch.exec`).
 */
export type CommandName = { [K in AnyCommandName]: RespOnly<Commands[K]> extends true ? never : K }[AnyCommandName];
