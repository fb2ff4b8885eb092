// Renders docs/commands.md from the command table, so the list can never drift from the code.
import type { CommandSpec } from "./command.js";

const GROUPS: Record<string, string> = {
  keys: "Generic",
  strings: "Strings",
  lists: "Lists",
  sets: "Sets",
  hashes: "Hashes",
  pubsub: "Pub/sub",
  acl: "Access control (ACL)",
  transactions: "Transactions",
  connection: "Connection",
  server: "Server",
};

function arity(n: number): string {
  return n >= 0 ? `${n}` : `≥ ${-n}`;
}

export function renderCommandsDoc(groups: Record<string, Record<string, CommandSpec>>): string {
  const out: string[] = [
    "# Commands",
    "",
    "Generated from the shared command table (`shared/commands/`) by `npm run docs`; a test fails when",
    "this file is out of date. Semantics, replies and errors are Redis 7's; see",
    "[compatibility.md](compatibility.md) for known differences.",
    "",
  ];
  for (const [group, cmds] of Object.entries(groups)) {
    const specs = Object.values(cmds);
    if (specs.length === 0) continue;
    out.push(`## ${GROUPS[group] ?? group}`, "", "| command | arity | flags | ACL categories | transports | summary |", "| --- | --- | --- | --- | --- | --- |");
    for (const c of specs) {
      out.push(
        `| \`${c.name}\` | ${arity(c.arity)} | ${c.flags.join(", ")} | ${c.acl.join(" ")} | ${(c.transports ?? ["ws", "resp"]).join(", ")} | ${c.summary} |`,
      );
    }
    out.push("");
  }
  return out.join("\n");
}
