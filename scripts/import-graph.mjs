// The value-level import graph of shared/, server/ and client/, its cycles, and the layer rule
// of server/README.md. Written here rather than taken from madge or dependency-cruiser: both
// count `import { type X }` and `import type` alike unless configured per tool, and this
// check is forty lines over TypeScript's own scanner of import forms.
//
//   node scripts/import-graph.mjs           prints every cycle and layer violation; exit 1 if any
//   node scripts/import-graph.mjs --json    the same as JSON (test/imports.test.ts reads it)

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TREES = ["shared", "server", "client"];

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) yield path;
  }
}

// `import x from`, `import {a, type B} from`, `import * as n from`, `export {..} from`,
// `export * from`, and bare `import "m"`; `import type` / `export type` are not value imports,
// nor is a braced list whose every name is marked `type`.
const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']/g;

export function valueImportsOf(text) {
  const out = [];
  for (const m of text.matchAll(IMPORT)) {
    if (m[5] !== undefined) {
      out.push(m[5]);
      continue;
    }
    if (m[2] !== undefined) continue;
    const clause = m[3].trim();
    const braced = clause.match(/^\{([\s\S]*)\}$/);
    if (braced) {
      const names = braced[1].split(",").map((s) => s.trim()).filter(Boolean);
      if (names.length > 0 && names.every((n) => n.startsWith("type "))) continue;
    }
    out.push(m[4]);
  }
  return out;
}

export function importGraph() {
  const graph = new Map();
  for (const tree of TREES) {
    for (const file of sources(join(ROOT, tree))) {
      const from = relative(ROOT, file);
      const deps = [];
      for (const spec of valueImportsOf(readFileSync(file, "utf8"))) {
        if (!spec.startsWith(".")) continue;
        const target = relative(ROOT, resolve(dirname(file), spec)).replace(/\.js$/, ".ts");
        deps.push(target);
      }
      graph.set(from, deps);
    }
  }
  return graph;
}

/** Strongly connected components of more than one module (or a module importing itself): Tarjan's. */
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const on = new Set();
  const idx = new Map();
  const low = new Map();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/**
 * The layers of server/README.md, lowest first. A module may import (by value) only from its
 * own layer or a lower one. The first pattern a path matches names its layer.
 */
export const LAYERS = [
  ["shared", /^shared\//],
  ["base", /^server\/(bytes|errors|reply|args|version|config|notify-flags|context|command-impl)\.ts$|^server\/encoding\//],
  ["keyspace", /^server\/keyspace\//],
  ["services", /^server\/(events|acl|auth|eviction|limits|observability|persistence|scripting|blocking|tracking)\/|^server\/(pubsub|pubsub-session|transactions|info)\.ts$/],
  ["state", /^server\/(state|config-file)\.ts$/],
  ["commands", /^server\/commands\//],
  ["dispatch", /^server\/dispatch\.ts$/],
  ["gateway", /^server\/gateway\//],
  ["transports", /^server\/(transports|dashboard)\//],
  ["entry", /^server\/(index|cli)\.ts$/],
  ["client", /^client\//],
];

export function layerOf(path) {
  for (let i = 0; i < LAYERS.length; i++) if (LAYERS[i][1].test(path)) return i;
  return -1;
}

export function layerViolations(graph) {
  const out = [];
  for (const [from, deps] of graph) {
    const a = layerOf(from);
    for (const to of deps) {
      if (!graph.has(to)) continue;
      const b = layerOf(to);
      // client/ may use shared/ only; shared/ nothing but itself.
      const clientCrossing = from.startsWith("client/") && to.startsWith("server/");
      if (b > a || clientCrossing) out.push({ from, to, fromLayer: LAYERS[a]?.[0] ?? "?", toLayer: LAYERS[b]?.[0] ?? "?" });
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const graph = importGraph();
  const found = { modules: graph.size, cycles: cycles(graph), layers: layerViolations(graph) };
  if (process.argv.includes("--json")) console.log(JSON.stringify(found, null, 2));
  else {
    console.log(`${found.modules} modules, ${found.cycles.length} cycles, ${found.layers.length} layer violations`);
    for (const c of found.cycles) console.log(`cycle of ${c.length}: ${c.join(" ")}`);
    for (const v of found.layers) console.log(`layer: ${v.from} (${v.fromLayer}) imports ${v.to} (${v.toLayer})`);
  }
  process.exitCode = found.cycles.length + found.layers.length === 0 ? 0 : 1;
}
