// The command table is the one source of truth: every declared command is implemented,
// every implementation is declared, and the generated docs match.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandGroups, commands } from "../shared/commands/index.js";
import { renderCommandsDoc } from "../shared/docs.js";
import { implementations } from "../server/commands/index.js";
import { KeycastClient } from "../client/index.js";
import { VERSION } from "../shared/version.js";

describe("command table", () => {
  it("has an implementation for every declared command and a declaration for every implementation", () => {
    const declared = Object.keys(commands).sort();
    const implemented = Object.keys(implementations).sort();
    expect(implemented).toEqual(declared);
    for (const key of declared) expect(typeof (implementations as Record<string, unknown>)[key]).toBe("function");
  });

  it("keys each declaration by its lower-case name, with a sane arity and flags", () => {
    for (const [key, spec] of Object.entries(commands)) {
      expect(spec.name.toLowerCase().replace(/ /g, "_")).toBe(key);
      expect(Number.isInteger(spec.arity) && spec.arity !== 0).toBe(true);
      expect(spec.summary.length).toBeGreaterThan(0);
      expect(spec.flags.includes("write") && spec.flags.includes("readonly")).toBe(false);
      if (spec.keys) expect(spec.keys.first).toBeGreaterThan(0);
    }
  });

  it("gives the client a method for every command it can send, and none for RESP-only ones", () => {
    for (const [key, spec] of Object.entries(commands)) {
      const method = (KeycastClient.prototype as unknown as Record<string, unknown>)[key];
      if (spec.transports && !spec.transports.includes("ws")) expect(["undefined", "function"]).toContain(typeof method);
      else expect(typeof method).toBe("function");
    }
    // Where a RESP-only command shares a name with a client feature, the feature wins.
    expect(KeycastClient.prototype.watch.length).toBeGreaterThanOrEqual(2);
  });

  it("groups every command exactly once", () => {
    const grouped = Object.values(commandGroups).flatMap((g) => Object.keys(g));
    expect(grouped.sort()).toEqual(Object.keys(commands).sort());
  });

  it("reports the package's version", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it("matches docs/commands.md (run `npm run docs` after changing the table)", () => {
    const doc = readFileSync(join(import.meta.dirname, "..", "docs", "commands.md"), "utf8");
    expect(doc).toBe(renderCommandsDoc(commandGroups));
  });
});
