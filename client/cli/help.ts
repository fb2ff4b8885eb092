// `help`, `help <command>` and `help @<group>` at the prompt, from the shared command table.

import type { CommandSpec } from "../../shared/command.js";
import { commandGroups, redisGroupNames } from "../../shared/commands/index.js";
import { VERSION as SERVER_VERSION } from "../../shared/version.js";

const GROUP_NAMES: Readonly<Record<string, string>> = redisGroupNames;

interface Entry {
  spec: CommandSpec;
  group: string;
}

let table: Map<string, Entry> | null = null;

function entries(): Map<string, Entry> {
  if (table) return table;
  table = new Map();
  for (const [group, cmds] of Object.entries(commandGroups)) {
    for (const spec of Object.values(cmds) as CommandSpec[]) table.set(spec.name, { spec, group: GROUP_NAMES[group] ?? group });
  }
  return table;
}

function describe(e: Entry): string {
  return `\n  ${e.spec.name}\n  summary: ${e.spec.summary}\n  group: ${e.group}\n`;
}

export function helpText(topic: readonly string[]): string {
  if (topic.length === 0) {
    return `keycast-cli ${SERVER_VERSION}
To get help about keycast commands type:
      "help @<group>" to get a list of commands in <group>
      "help <command>" for help on <command>
      "quit" to exit
`;
  }
  const word = topic[0]!;
  if (word.startsWith("@")) {
    const group = word.slice(1).toLowerCase();
    let out = "";
    for (const e of entries().values()) if (e.group === group) out += describe(e);
    return out === "" ? "" : `${out}\n`;
  }
  const e = entries().get(topic.join(" ").toUpperCase()) ?? entries().get(word.toUpperCase());
  return e ? `${describe(e)}\n` : "";
}
