// The structure rule of server/README.md, checked: no value-level import cycle among the
// modules of shared/, server/ and client/, and no module importing (by value) from a layer above
// its own. The graph is read by scripts/import-graph.mjs (also runnable by hand).
import { describe, expect, it } from "vitest";
import { cycles, importGraph, layerOf, layerViolations, LAYERS, valueImportsOf, type Graph } from "../scripts/import-graph.mjs";

const graph = importGraph();

describe("imports go one way", () => {
  it("reads the whole tree", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("server/dispatch.ts")).toContain("server/commands/registry.ts");
  });

  it("no value-level import cycle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("every server module has a layer, and imports only from its own layer or lower ones", () => {
    const unplaced = [...graph.keys()].filter((m) => layerOf(m) < 0);
    expect(unplaced).toEqual([]);
    expect(layerViolations(graph)).toEqual([]);
  });

  it("the check sees a cycle and a layer violation when there is one", () => {
    const bad: Graph = new Map(graph);
    bad.set("server/keyspace/database.ts", [...(graph.get("server/keyspace/database.ts") ?? []), "server/dispatch.ts"]);
    expect(cycles(bad).some((c) => c.includes("server/keyspace/database.ts") && c.includes("server/dispatch.ts"))).toBe(true);
    expect(layerViolations(bad)).toContainEqual(expect.objectContaining({ from: "server/keyspace/database.ts", to: "server/dispatch.ts" }));
  });

  it("a type-only import is not an edge; a mixed one is", () => {
    expect(valueImportsOf('import type { A } from "./a.js";\nimport { type B } from "./b.js";\nimport { type C, d } from "./c.js";\nexport * from "./e.js";\nimport "./f.js";')).toEqual(["./c.js", "./e.js", "./f.js"]);
  });

  it("the layers are listed lowest first", () => {
    expect(LAYERS.map(([name]) => name)).toEqual([
      "shared", "base", "keyspace", "services", "state", "commands", "dispatch", "gateway", "transports", "entry", "client",
    ]);
  });
});
