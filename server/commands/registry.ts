// The command table: every declaration of shared/commands joined to its implementation of
// server/commands/index.ts, with the flags the dispatcher reads on every call. Built once at
// load (no module below imports this one, so there is no cycle to wait out).

import { commands, type Commands } from "../../shared/commands/index.js";
import type { CommandSpec } from "../../shared/command.js";
import { noBareForm, type CommandTable, type ContainerImpl, type Entry, type Impl } from "../command-impl.js";
import { implementations } from "./index.js";

let nextEntryId = 0;

function flagFields(spec: CommandSpec): Pick<Entry, "id" | "write" | "denyoom" | "keyspace" | "monitored" | "slowlogged"> {
  const f = spec.flags;
  return {
    id: nextEntryId++,
    write: f.includes("write"),
    denyoom: f.includes("denyoom"),
    keyspace: f.includes("write") || f.includes("readonly"),
    monitored: !f.includes("admin") && !f.includes("skip_monitor"),
    slowlogged: !f.includes("skip_slowlog"),
  };
}

function entryFor(lower: string, spec: CommandSpec, impl: ContainerImpl | Readonly<Record<string, Impl>>): Entry {
  if (spec.subcommands === undefined) return { spec, impl: impl as Impl, lower, subs: null, ...flagFields(spec) };
  const byName = typeof impl === "function" ? impl.subcommands : impl;
  const subs = new Map<string, Entry>();
  for (const [name, sub] of Object.entries(spec.subcommands)) {
    const subImpl = byName?.[name];
    if (subImpl === undefined) throw new Error(`keycast: '${lower}' is declared with subcommand '${name}' but not implemented with subcommands()`);
    subs.set(name, entryFor(`${lower}|${name}`, sub, subImpl));
  }
  return { spec, impl: typeof impl === "function" ? impl : (byName?.bare ?? noBareForm), lower, subs, ...flagFields(spec) };
}

class Table implements CommandTable {
  private readonly byName = new Map<string, Entry>();
  private readonly entries: Entry[] = [];

  constructor() {
    for (const key of Object.keys(commands) as (keyof Commands)[]) {
      const spec: CommandSpec = commands[key];
      const entry = entryFor(key, spec, implementations[key] as ContainerImpl | Readonly<Record<string, Impl>>);
      this.entries.push(entry);
      this.byName.set(key, entry);
      this.byName.set(spec.name, entry);
    }
  }

  lookup(name: string): Entry | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  lookupFullName(name: string): Entry | undefined {
    const bar = name.indexOf("|");
    if (bar < 0) return this.lookup(name);
    return this.lookup(name.slice(0, bar))?.subs?.get(name.slice(bar + 1).toLowerCase());
  }

  all(): readonly Entry[] {
    return this.entries;
  }
}

export const commandTable: CommandTable = new Table();
