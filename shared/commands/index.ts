// The command table: every command keycast knows, keyed by its lower-case name.
// The server's dispatcher and the client's methods are both derived from this object.
import { connectionCommands } from "./connection.js";
import { hashCommands } from "./hashes.js";
import { keyCommands } from "./keys.js";
import { listCommands } from "./lists.js";
import { serverCommands } from "./server.js";
import { setCommands } from "./sets.js";
import { stringCommands } from "./strings.js";

/** The declarations by group, as Redis's documentation groups them. */
export const commandGroups = {
  keys: keyCommands,
  strings: stringCommands,
  lists: listCommands,
  sets: setCommands,
  hashes: hashCommands,
  connection: connectionCommands,
  server: serverCommands,
} as const;

export const commands = {
  ...keyCommands,
  ...stringCommands,
  ...listCommands,
  ...setCommands,
  ...hashCommands,
  ...connectionCommands,
  ...serverCommands,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
