// The commands ACL rules name: every command and subcommand declared in shared/commands,
// numbered so that a selector can keep its allowed commands as a byte per command. Built from
// the declarations (the same objects the dispatcher's entries carry as `spec`), so ACL needs
// neither the dispatcher nor the implementations.

import type { CommandSpec } from "../../shared/command.js";
import { commands } from "../../shared/commands/index.js";

/** A command or subcommand as ACL sees it. */
export interface AclCommand {
  readonly spec: CommandSpec;
  /** Full lower-case name: "get", "config|get". */
  readonly lower: string;
  readonly subs: readonly AclCommand[] | null;
}

export interface CommandIndex {
  /** Commands and subcommands, by id. */
  readonly entries: readonly AclCommand[];
  readonly ids: ReadonlyMap<CommandSpec, number>;
  readonly byName: ReadonlyMap<string, AclCommand>;
}

function build(): CommandIndex {
  const entries: AclCommand[] = [];
  const ids = new Map<CommandSpec, number>();
  const byName = new Map<string, AclCommand>();
  const add = (e: AclCommand) => {
    ids.set(e.spec, entries.length);
    entries.push(e);
    byName.set(e.lower, e);
  };
  for (const [key, spec] of Object.entries(commands) as [string, CommandSpec][]) {
    const subs = spec.subcommands === undefined ? null : Object.entries(spec.subcommands).map(([name, sub]) => ({ spec: sub, lower: `${key}|${name}`, subs: null }));
    add({ spec, lower: key, subs });
    if (subs !== null) for (const sub of subs) add(sub);
  }
  return { entries, ids, byName };
}

const index = build();

export function commandIndex(): CommandIndex {
  return index;
}

/** A command as an ACL rule names it: "get", "config|get". */
export function commandByRuleName(name: string): AclCommand | undefined {
  return index.byName.get(name.toLowerCase());
}

/** The id of a command (any object carrying its declaration: a dispatcher entry, an AclCommand). */
export function commandId(entry: { readonly spec: CommandSpec }): number {
  return index.ids.get(entry.spec) ?? -1;
}
