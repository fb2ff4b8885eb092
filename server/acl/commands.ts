// The commands ACL rules name: every command and subcommand of the table, numbered so that a
// selector can keep its allowed commands as a byte per command.

import { allCommands, lookupFullName, type Entry } from "../dispatch.js";

export interface CommandIndex {
  /** Commands and subcommands, by id. */
  readonly entries: readonly Entry[];
  readonly ids: ReadonlyMap<Entry, number>;
}

let index: CommandIndex | null = null;

/** Built on first use: the dispatcher's table is itself built lazily. */
export function commandIndex(): CommandIndex {
  if (index !== null) return index;
  const entries: Entry[] = [];
  const ids = new Map<Entry, number>();
  const add = (e: Entry) => {
    ids.set(e, entries.length);
    entries.push(e);
  };
  for (const e of allCommands()) {
    add(e);
    if (e.subs !== null) for (const sub of e.subs.values()) add(sub);
  }
  index = { entries, ids };
  return index;
}

/** A command as an ACL rule names it: "get", "config|get". */
export function commandByRuleName(name: string): Entry | undefined {
  return lookupFullName(name.toLowerCase());
}

export function commandId(entry: Entry): number {
  return commandIndex().ids.get(entry) ?? -1;
}
